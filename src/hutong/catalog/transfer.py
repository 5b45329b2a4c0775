"""Catalog entries in bulk: importing a workbook (every entry saved in one transaction, or
none, with every problem listed) and exporting the entries a search finds.
"""

from __future__ import annotations

from sqlalchemy import select
from sqlalchemy.orm import Session

from hutong.audit.service import Category, Outcome, record
from hutong.catalog import bulk, overlaps
from hutong.catalog.models import Resource
from hutong.catalog.schemas import ResourceIn, ResourceOut
from hutong.catalog.search import Query, selected_ids
from hutong.catalog.service import out, update
from hutong.catalog.workbook import Parsed
from hutong.core.errors import HutongError, ImportRejected
from hutong.identity.authz import Actor, Target


def import_entries(session: Session, actor: Actor, parsed: Parsed, source: str) -> list[Resource]:
    """Save every parsed entry in this one transaction; any failure rejects the whole file.

    Rows naming an existing resource code update it (one by one, each a new version); the
    others become new drafts in batched inserts (``bulk.py``)."""
    existing = set(
        session.scalars(
            select(Resource.code).where(
                Resource.code.in_({code for code, _data in parsed.entries if code})
            )
        )
    )
    fresh = [
        (n, data) for n, (code, data) in enumerate(parsed.entries, start=1) if code not in existing
    ]
    problems = [
        {
            "sheet": source,
            "row": fresh[i - 1][0],
            "column": field,
            "message": f"第 {fresh[i - 1][0]} 条信息资源：{msg}",
        }
        for i, field, msg in bulk.check(session, actor, [data for _n, data in fresh])
    ]
    saved: list[Resource] = []
    for number, (code, data) in enumerate(parsed.entries, start=1):
        if code not in existing:
            continue
        try:
            with session.begin_nested():
                saved.append(update(session, actor, code, data, "批量导入"))
        except HutongError as error:
            problems.append(
                {
                    "sheet": source,
                    "row": number,
                    "column": error.field,
                    "message": f"第 {number} 条信息资源：{error.zh}",
                }
            )
    if problems:
        raise _import_rejected(actor, source, problems)
    if fresh:
        created = bulk.create_many(session, actor, [data for _n, data in fresh])
        problems = _justify_imported(session, actor, created, fresh, source)
        if problems:
            raise _import_rejected(actor, source, problems)
        saved += created
    record(
        session,
        actor,
        "catalog.import",
        category=Category.INSERT,
        target=Target("catalog"),
        rows=len(saved),
        details={"source": source},
    )
    return saved


def _justify_imported(
    session: Session,
    actor: Actor,
    created: list[Resource],
    fresh: list[tuple[int, ResourceIn]],
    source: str,
) -> list[dict[str, object]]:
    """一数一源 for imported entries, all in one query: record each entry's justification
    (the optional 一数一源说明 column), or report the entries that lack one."""
    pending = overlaps.of_entries(session, created, missing_only=True)
    problems: list[dict[str, object]] = []
    for resource, (number, data) in zip(created, fresh, strict=True):
        found = pending.get(resource.code)
        if not found:
            continue
        if data.overlap_justification.strip():
            overlaps.justify(session, actor, resource, found, data.overlap_justification.strip())
            continue
        problems.append(
            {
                "sheet": source,
                "row": number,
                "column": "overlap_justification",
                "message": f"第 {number} 条信息资源：{overlaps.refusal(found)}",
            }
        )
    return problems


def _import_rejected(
    actor: Actor, source: str, problems: list[dict[str, object]]
) -> ImportRejected:
    """The error that rejects a whole import; its failed attempt is audited after the rollback."""
    error = ImportRejected(sorted(problems, key=lambda p: p["row"]))  # type: ignore[arg-type, return-value]
    error.after_rollback.append(
        lambda follow_up: record(
            follow_up,
            actor,
            "catalog.import",
            category=Category.INSERT,
            target=Target("catalog"),
            outcome=Outcome.FAILED,
            details={"source": source, "errors": len(problems)},
        )
    )
    return error


def export_entries(session: Session, actor: Actor, q: str, fmt: str) -> list[ResourceOut]:
    """Published entries matching ``q`` (all when empty) in code order; audited as an export."""
    ids = selected_ids(session, actor, Query(q=q))
    rows = [  # in chunks, to stay under the database's bound-parameter limit
        r
        for start in range(0, len(ids), 5000)
        for r in session.scalars(select(Resource).where(Resource.id.in_(ids[start : start + 5000])))
    ]
    rows.sort(key=lambda r: r.code)
    entries = [out(r) for r in rows]
    record(
        session,
        actor,
        "catalog.export",
        category=Category.EXPORT,
        target=Target("catalog"),
        rows=len(entries),
        details={"format": fmt},
    )
    return entries
