"""Catalog search: Chinese full text plus facets, on SQLite (FTS5) and PostgreSQL (GIN).

The index holds each entry's tokens (``tokens.py``) and is rewritten in the transaction that
saves the entry. Facet counts are GROUP BYs over the filtered set, one per facet.
"""

from __future__ import annotations

from dataclasses import dataclass, field

import numpy as np
from sqlalchemy import select, text
from sqlalchemy.orm import Session, joinedload, lazyload

from hutong.audit.service import Category, record
from hutong.catalog import vocab
from hutong.catalog.facet_index import COLUMNS, Snapshot, snapshot
from hutong.catalog.models import Classification, Resource
from hutong.catalog.tokens import query_terms, tokens
from hutong.catalog.vocab import Status
from hutong.identity.authz import Actor, Target, authorize
from hutong.identity.models import Unit
from hutong.identity.roles import Action, Role

#: States every catalog reader may see; the rest stay within the unit and the reviewers.
PUBLIC_STATUSES = (Status.PUBLISHED.value, Status.RETIRED.value)

FACETS = COLUMNS  # the facet columns, held in memory by facet_index


def reindex(session: Session, resource: Resource) -> None:
    """Replace the entry's row in the full-text index (same transaction as the save)."""
    index_many(session, [(resource.id, resource.search_text)])


def index_many(session: Session, entries: list[tuple[int, str]]) -> None:
    """Write the index rows of many entries in one batched statement per database."""
    rows = [{"id": rid, "t": sorted(tokens(body))} for rid, body in entries]
    if session.get_bind().dialect.name == "sqlite":
        session.execute(
            text("DELETE FROM catalog_fts WHERE rowid = :id"), [{"id": r["id"]} for r in rows]
        )
        session.execute(
            text("INSERT INTO catalog_fts (rowid, tokens) VALUES (:id, :t)"),
            [{"id": r["id"], "t": " ".join(r["t"])} for r in rows],
        )
    else:
        session.execute(
            text(
                "INSERT INTO catalog_search (resource_id, tokens) VALUES (:id, :t) "
                "ON CONFLICT (resource_id) DO UPDATE SET tokens = EXCLUDED.tokens"
            ),
            rows,
        )


def _matching_ids(session: Session, q: str) -> np.ndarray:
    """Ids of entries holding every query token, from the full-text index."""
    terms = query_terms(q)
    if session.get_bind().dialect.name == "sqlite":
        fts = " AND ".join('"' + t.replace('"', "") + '"' for t in terms)
        stmt = text("SELECT rowid FROM catalog_fts WHERE catalog_fts MATCH :q").bindparams(q=fts)
    else:
        stmt = text(
            "SELECT resource_id FROM catalog_search WHERE tokens @> CAST(:t AS text[])"
        ).bindparams(t=terms)
    # Straight from the DB-API cursor: a broad term can match most of the catalog.
    sql, params = _compiled(session, stmt)
    cursor = session.connection().connection.dbapi_connection.cursor()
    try:
        cursor.execute(sql, params)
        return np.fromiter((row[0] for row in cursor.fetchall()), dtype=np.int64)
    finally:
        cursor.close()


@dataclass
class Query:
    q: str = ""
    filters: dict[str, str] = field(default_factory=dict)
    statuses: tuple[str, ...] = (Status.PUBLISHED.value,)
    offset: int = 0
    limit: int = 20


@dataclass
class Page:
    total: int
    resources: list[Resource]
    facets: dict[str, list[tuple[str, str, int]]]  # facet → [(value, label, count)]


def _selection(session: Session, actor: Actor, query: Query, snap: Snapshot) -> np.ndarray:
    """Mask of the snapshot rows this query selects, as this actor may see them."""
    mask = np.ones(len(snap.ids), dtype=bool)
    codes = snap.codes
    if query.statuses:
        wanted = [snap.code_of("status", s) for s in query.statuses]
        mask &= np.isin(codes["status"], [c for c in wanted if c is not None])
    if Role.CATALOG_REVIEWER not in actor.roles:
        # Work in progress is visible to its own unit and to the reviewers, nobody else.
        public = [c for c in (snap.code_of("status", s) for s in PUBLIC_STATUSES) if c is not None]
        own = snap.code_of("unit", actor.unit_id)
        mask &= np.isin(codes["status"], public) | (codes["unit"] == (-1 if own is None else own))
    for name, raw in query.filters.items():
        if name not in FACETS or raw in ("", None):
            continue
        value: object = raw
        if name == "has_pi":
            value = raw in ("1", "true", "True")
        elif name in ("unit", "classification"):
            value = int(raw) if str(raw).isdigit() else None
        code = snap.code_of(name, value)
        mask &= codes[name] == (-1 if code is None else code)
    if query_terms(query.q):
        mask &= snap.having(_matching_ids(session, query.q))
    return mask


def _compiled(session: Session, stmt) -> tuple[str, tuple | dict]:  # type: ignore[no-untyped-def]
    compiled = stmt.compile(session.get_bind())
    params = compiled.params
    if compiled.positiontup is not None:
        return compiled.string, tuple(params[name] for name in compiled.positiontup)
    return compiled.string, params


def _ordered_ids(snap: Snapshot, mask: np.ndarray, limit: int | None = None) -> np.ndarray:
    """Selected ids, newest change first (ties: higher id first); only the first ``limit``
    are sorted when a limit is given (a page needs 20 of possibly 100,000)."""
    rows = np.flatnonzero(mask)
    if limit is not None and len(rows) > limit:
        newest = np.argpartition(-snap.updated[rows], limit - 1)[:limit]
        cutoff = snap.updated[rows[newest]].min()
        rows = rows[snap.updated[rows] >= cutoff]  # keeps ties at the boundary
    order = np.lexsort((-snap.ids[rows], -snap.updated[rows]))
    return snap.ids[rows[order]][:limit]


def search(session: Session, actor: Actor, query: Query) -> Page:
    """One page of matches plus exact facet counts, from the in-memory facet snapshot."""
    authorize(session, actor, Action.CATALOG_READ)
    snap = snapshot(session)
    mask = _selection(session, actor, query, snap)
    total = int(mask.sum())
    facets = {}
    for name in FACETS:
        counts = np.bincount(snap.codes[name][mask], minlength=len(snap.values[name]))
        top = [int(i) for i in np.argsort(-counts, kind="stable")[:50] if counts[i]]
        values = [snap.values[name][i] for i in top]
        labels = _labels(session, name, values)
        facets[name] = [
            (str(v), labels.get(v, str(v)), int(counts[i]))
            for v, i in zip(values, top, strict=True)
        ]
    start = max(query.offset, 0)
    page_ids = [
        int(i) for i in _ordered_ids(snap, mask)[start : start + min(max(query.limit, 1), 200)]
    ]
    rows = session.scalars(
        select(Resource)
        .options(lazyload(Resource.items), joinedload(Resource.provider_unit))
        .where(Resource.id.in_(page_ids))
    ).all()
    by_id = {r.id: r for r in rows}
    resources = [by_id[i] for i in page_ids if i in by_id]
    record(
        session,
        actor,
        "catalog.search",
        category=Category.QUERY,
        target=Target("catalog"),
        rows=len(resources),
        details={"q": query.q[:100], "filters": query.filters},
    )
    return Page(total, resources, facets)


def selected_ids(session: Session, actor: Actor, query: Query) -> list[int]:
    """Every id the query selects, newest first (exports)."""
    authorize(session, actor, Action.CATALOG_READ)
    snap = snapshot(session)
    return [int(i) for i in _ordered_ids(snap, _selection(session, actor, query, snap))]


def _labels(session: Session, name: str, values: list) -> dict:  # type: ignore[type-arg]
    if name == "unit":
        return dict(session.execute(select(Unit.id, Unit.name).where(Unit.id.in_(values))).all())
    if name == "classification":
        return dict(
            session.execute(
                select(Classification.id, Classification.name).where(Classification.id.in_(values))
            ).all()
        )
    if name == "has_pi":
        return {True: "含个人信息", False: "不含个人信息"}
    enum = {
        "share_type": vocab.ShareType,
        "open_type": vocab.OpenType,
        "grade": vocab.Grade,
        "format": vocab.ResourceFormat,
        "update_cycle": vocab.UpdateCycle,
        "status": vocab.Status,
    }[name]
    return {member.value: member.zh for member in enum}
