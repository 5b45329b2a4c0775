"""Catalog search: Chinese full text plus facets, on SQLite (FTS5) and PostgreSQL (GIN).

The index holds each entry's tokens (``tokens.py``) and is rewritten in the transaction that
saves the entry. Facet counts are GROUP BYs over the filtered set, one per facet.
"""

from __future__ import annotations

from collections import Counter
from dataclasses import dataclass, field

from sqlalchemy import ColumnElement, Select, and_, func, literal_column, or_, select, text
from sqlalchemy.orm import Session, joinedload, noload

from hutong.audit.service import Category, record
from hutong.catalog.models import Classification, Resource
from hutong.catalog.tokens import query_terms, tokens
from hutong.catalog.vocab import Status
from hutong.identity.authz import Actor, Target, authorize
from hutong.identity.models import Unit
from hutong.identity.roles import Action, Role

#: States every catalog reader may see; the rest stay within the unit and the reviewers.
PUBLIC_STATUSES = (Status.PUBLISHED.value, Status.RETIRED.value)

FACETS = {
    "unit": Resource.provider_unit_id,
    "classification": Resource.classification_id,
    "share_type": Resource.share_type,
    "open_type": Resource.open_type,
    "grade": Resource.grade,
    "format": Resource.format,
    "update_cycle": Resource.update_cycle,
    "has_pi": Resource.has_pi,
    "status": Resource.status,
}


def reindex(session: Session, resource: Resource) -> None:
    """Replace the entry's row in the full-text index (same transaction as the save)."""
    words = sorted(tokens(resource.search_text))
    if session.get_bind().dialect.name == "sqlite":
        session.execute(text("DELETE FROM catalog_fts WHERE rowid = :id"), {"id": resource.id})
        session.execute(
            text("INSERT INTO catalog_fts (rowid, tokens) VALUES (:id, :t)"),
            {"id": resource.id, "t": " ".join(words)},
        )
    else:
        session.execute(
            text(
                "INSERT INTO catalog_search (resource_id, tokens) VALUES (:id, :t) "
                "ON CONFLICT (resource_id) DO UPDATE SET tokens = EXCLUDED.tokens"
            ),
            {"id": resource.id, "t": words},
        )


def _text_match(session: Session, query: str) -> ColumnElement[bool] | None:
    terms = query_terms(query)
    if not terms:
        return None
    if session.get_bind().dialect.name == "sqlite":
        fts = " AND ".join('"' + t.replace('"', "") + '"' for t in terms)
        # "+id" keeps SQLite from looking matches up one wide row at a time: it scans the
        # narrow covering indexes instead and tests membership in the materialised match list.
        return literal_column("+catalog_resources.id").in_(
            text("SELECT rowid FROM catalog_fts WHERE catalog_fts MATCH :q").bindparams(q=fts)
        )
    return Resource.id.in_(
        text(
            "SELECT resource_id FROM catalog_search WHERE tokens @> CAST(:t AS text[])"
        ).bindparams(t=terms)
    )


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


def _conditions(session: Session, actor: Actor, query: Query) -> list[ColumnElement[bool]]:
    conditions: list[ColumnElement[bool]] = []
    if query.statuses:
        conditions.append(Resource.status.in_(query.statuses))
    if Role.CATALOG_REVIEWER not in actor.roles:
        # Work in progress is visible to its own unit and to the reviewers, nobody else.
        conditions.append(
            or_(Resource.status.in_(PUBLIC_STATUSES), Resource.provider_unit_id == actor.unit_id)
        )
    match = _text_match(session, query.q)
    if match is not None:
        conditions.append(match)
    for name, value in query.filters.items():
        column = FACETS.get(name)
        if column is None or value in ("", None):
            continue
        if name == "has_pi":
            conditions.append(column.is_(value in ("1", "true", "True")))
        elif name in ("unit", "classification"):
            conditions.append(column == int(value))
        else:
            conditions.append(column == value)
    return conditions


def matching(session: Session, actor: Actor, query: Query) -> ColumnElement[bool]:
    """The WHERE clause of a query as this actor may see it (no paging)."""
    return and_(*_conditions(session, actor, query))


#: Low-cardinality facets, counted together in one GROUP BY over the covering index.
COMBINED = ("status", "share_type", "open_type", "grade", "format", "update_cycle", "has_pi")
#: Facets with many values, counted one GROUP BY each and cut to the most frequent.
WIDE = ("unit", "classification")


def search(session: Session, actor: Actor, query: Query) -> Page:
    """One page of matches plus facet counts, in four queries whatever the number of facets:
    the combined low-cardinality GROUP BY also yields the total."""
    authorize(session, actor, Action.CATALOG_READ)
    where = matching(session, actor, query)
    columns = [FACETS[name] for name in COMBINED]
    combos = session.execute(select(*columns, func.count()).where(where).group_by(*columns)).all()
    counters: dict[str, Counter] = {name: Counter() for name in COMBINED}
    total = 0
    for row in combos:
        total += row[-1]
        for name, value in zip(COMBINED, row[:-1], strict=True):
            counters[name][value] += row[-1]
    raw = {name: counters[name].most_common() for name in COMBINED}
    sqlite = session.get_bind().dialect.name == "sqlite"
    for name in WIDE:
        column = FACETS[name]
        # On SQLite "+column" stops the planner from walking the single-column index in GROUP BY
        # order (a row lookup per match) instead of the covering facets index.
        key = literal_column(f"+{column.table.name}.{column.name}") if sqlite else column
        raw[name] = session.execute(
            select(key, func.count())
            .select_from(Resource)
            .where(where)
            .group_by(key)
            .order_by(func.count().desc())
            .limit(50)
        ).all()
    stmt: Select[tuple[Resource]] = (
        select(Resource)
        .options(noload(Resource.items), joinedload(Resource.provider_unit))
        .where(where)
        .order_by(Resource.updated_at.desc(), Resource.id.desc())
        .offset(max(query.offset, 0))
        .limit(min(max(query.limit, 1), 200))
    )
    resources = list(session.scalars(stmt))
    facets = {}
    for name in FACETS:
        labels = _labels(session, name, [value for value, _n in raw[name]])
        facets[name] = [(str(value), labels.get(value, str(value)), n) for value, n in raw[name]]
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


def _labels(session: Session, name: str, values: list) -> dict:  # type: ignore[type-arg]
    from hutong.catalog import vocab

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
