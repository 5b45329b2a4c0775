"""Research and statistics extracts (N2021 task 6: 利用数据开展统计分析、科学研究、决策分析
时，应经数据主管单位同意，并对数据进行必要的脱敏处理).

A unit requests an extract of an entry's newest dataset version, naming the purpose, the
items and the quasi-identifiers; the entry's provider (the 主管单位) approves or refuses —
never its own unit's request. Only those two units see an extract: anyone else is told it
does not exist (``identity/scopes.py``); on approval the extract is produced de-identified in DuckDB:
identity items become pseudonyms under a domain of this extract alone (so two extracts cannot
be joined on them), contact, financial, biometric, whereabouts and family items are
suppressed, the quasi-identifiers are generalized to k-anonymity (``anonymity.py``), and the
before/after risk report is attached. Every step is audited.

States: ``requested → approved → produced`` or ``requested → rejected``."""

from __future__ import annotations

import secrets
from collections.abc import Callable
from pathlib import Path

from pydantic import TypeAdapter
from sqlalchemy import func, or_, select
from sqlalchemy.orm import Session
from sqlglot import exp

from hutong.audit.service import Category, record
from hutong.catalog.models import Item, Resource
from hutong.catalog.service import by_code
from hutong.core.clock import local, utcnow
from hutong.core.db import Database
from hutong.core.errors import Conflict, InvalidInput, NotFound
from hutong.data.access import open_version
from hutong.data.engine import opened
from hutong.data.models import DatasetVersion
from hutong.data.sql import ident, literal
from hutong.identity import scopes
from hutong.identity.authz import Actor, Target, authorize, denial, is_allowed
from hutong.identity.roles import Action
from hutong.identity.service import unit_by_code
from hutong.privacy import anonymity, generalization, masks
from hutong.privacy.keys import for_domain
from hutong.privacy.models import Extract
from hutong.privacy.schemas import ExtractDecisionIn, ExtractIn, ExtractOut

PSEUDONYMIZED = {"identity"}
SUPPRESSED = {"contact", "financial", "biometric", "whereabouts", "family"}


def target(row: Extract) -> Target:
    return Target(
        "extract",
        row.number,
        row.resource.provider_unit_id,
        requester_unit_id=row.requester_unit_id,
    )


def direct(item: Item) -> bool:
    """A direct identifier: an identity item that is not a date (a birth date is a
    quasi-identifier), or a contact, financial, biometric, whereabouts or family item."""
    return item.pi_category in SUPPRESSED or (
        item.pi_category in PSEUDONYMIZED and item.data_type != "日期型"
    )


def mask_for(item: Item, quasi: bool) -> masks.MaskSpec:
    if quasi:
        return masks.Clear()  # generalized to k-anonymity when produced
    if item.pi_category in PSEUDONYMIZED:
        return masks.Pseudonym()
    if item.pi_category in SUPPRESSED:
        return masks.Null()
    return masks.Clear()


def request(session: Session, actor: Actor, data: ExtractIn) -> Extract:
    resource = by_code(session, data.resource_code)
    unit = unit_by_code(session, data.requester_unit_code, "requester_unit_code")
    authorize(session, actor, Action.EXTRACT_REQUEST, Target("extract", None, unit.id))
    items = {i.name: i for i in resource.items}
    for name in [*data.items, *data.quasi]:
        if name not in items:
            raise InvalidInput(
                f"信息资源没有信息项 {name}", f"the entry has no item {name}", field="items"
            )
    for name in data.quasi:
        if name not in data.items:
            raise InvalidInput(
                "准标识符须在所申请的信息项中",
                "quasi-identifiers must be requested items",
                field="quasi",
            )
        if direct(items[name]):
            raise InvalidInput(
                "直接标识符不能作为准标识符",
                "a direct identifier is not a quasi-identifier",
                field="quasi",
            )
    count = session.scalar(select(func.count()).select_from(Extract)) or 0
    row = Extract(
        number=f"YJ{local(utcnow()).year}{count + 1:05d}{secrets.randbelow(100):02d}",
        resource_id=resource.id,
        requester_unit_id=unit.id,
        requested_by=actor.name,
        purpose=data.purpose,
        items=data.items,
        masks={n: mask_for(items[n], n in data.quasi).model_dump() for n in data.items},
        quasi=data.quasi,
        k=data.k,
    )
    session.add(row)
    session.flush()
    record(
        session,
        actor,
        "extract.request",
        category=Category.INSERT,
        target=target(row),
        rows=1,
        purpose=data.purpose,
    )
    return row


def by_number(session: Session, number: str) -> Extract:
    row = session.scalar(select(Extract).where(Extract.number == number))
    if row is None:
        raise _unknown()
    return row


def _unknown() -> NotFound:
    return NotFound("数据提取申请不存在", "unknown extract", field="number")


def _reading(row: Extract) -> scopes.Claim:
    """The requesting unit reads its extract."""
    return (Action.EXTRACT_READ, [row.requester_unit_id])


def _deciding(row: Extract) -> scopes.Claim:
    """The owner (provider) unit decides on it and produces it."""
    return (Action.EXTRACT_APPROVE, [row.resource.provider_unit_id])


def may_decide(session: Session, actor: Actor, row: Extract) -> bool:
    """Whether the actor decides on the extract (the console offers the buttons)."""
    return scopes.reaches(session, actor, *_deciding(row)) and is_allowed(
        actor, Action.EXTRACT_APPROVE, target(row)
    )


def may_download(session: Session, actor: Actor, row: Extract) -> bool:
    """Whether the actor's unit asked for the extract (the console offers the file)."""
    return scopes.reaches(session, actor, *_reading(row))


def _held(
    session: Session,
    actor: Actor,
    number: str,
    side: Callable[[Extract], scopes.Claim] | None = None,
) -> Extract:
    """An extract of the actor's unit, either side (another unit's is refused as unknown);
    with ``side``, the actor must stand on that side (else 403: they know it exists)."""
    row = by_number(session, number)
    scopes.guard(session, actor, target(row), _unknown(), _reading(row), _deciding(row))
    if side is not None and not scopes.reaches(session, actor, *side(row)):
        raise denial(actor, side(row)[0], target(row))
    return row


def _decided_by_owner(session: Session, actor: Actor, number: str) -> Extract:
    """The owner unit's extract, never on its own unit's request (DESIGN rule 2)."""
    row = _held(session, actor, number, _deciding)
    authorize(session, actor, Action.EXTRACT_APPROVE, target(row))
    return row


def decide(session: Session, actor: Actor, number: str, data: ExtractDecisionIn) -> Extract:
    """The owner unit's decision (never on its own unit's request, DESIGN rule 2)."""
    row = _decided_by_owner(session, actor, number)
    if row.state != "requested":
        raise Conflict("该申请已处理", "the request is already decided", field="number")
    if not data.approve and not data.note.strip():
        raise InvalidInput("不同意须说明理由", "a refusal needs a reason", field="note")
    row.state = "approved" if data.approve else "rejected"
    row.decided_by, row.decided_at, row.decision_note = actor.name, utcnow(), data.note
    record(
        session,
        actor,
        "extract.decide",
        category=Category.DECISION,
        target=target(row),
        rows=1,
        details={"approve": data.approve},
    )
    return row


def folder(session: Session, number: str) -> Path:
    return session.info["settings"].data_dir / "privacy" / "extracts" / number


def produce(db: Database, actor: Actor, number: str) -> ExtractOut:
    """Produce an approved extract: read the newest version (authorized and audited in one
    transaction), de-identify in DuckDB, write Parquet and attach the risk report."""
    with db.transaction() as session:
        row = _decided_by_owner(session, actor, number)
        if row.state != "approved":
            raise Conflict(
                "申请尚未获批或已生成",
                "the extract is not approved or already produced",
                field="number",
            )
        version = session.scalar(
            select(DatasetVersion)
            .where(DatasetVersion.resource_id == row.resource_id)
            .order_by(DatasetVersion.version.desc())
            .limit(1)
        )
        if version is None:
            raise Conflict("该信息资源尚无数据", "the entry has no data yet", field="resource_code")
        files = open_version(session, version)
        key = for_domain(session.info["settings"].keys_dir, f"extract:{row.number}")
        out_dir = folder(session, row.number)
        specs = {n: _spec(s) for n, s in row.masks.items()}
        quasi, k, version_number = list(row.quasi), row.k, version.version
        record(
            session,
            actor,
            "extract.read_source",
            category=Category.EXPORT,
            target=target(row),
            rows=version.rows,
            purpose=row.purpose,
        )
    select_list = ", ".join(
        f"{spec.apply(exp.column(name, quoted=True)).sql('duckdb')} AS {ident(name)}"
        for name, spec in specs.items()
    )
    out_dir.mkdir(parents=True, exist_ok=True)
    path = out_dir / "extract.parquet"
    connection = opened(files)
    try:
        connection.execute(
            f"CREATE TEMP TABLE masked AS SELECT {select_list} FROM dataset",
            key.params() if any(s.keyed for s in specs.values()) else None,
        )
        report: dict[str, object] = {"masks": {n: s.model_dump() for n, s in specs.items()}, "k": k}
        source = "masked"
        if quasi:
            before = anonymity.measure(connection, "masked", quasi, k=k)
            proposals = generalization.propose_generalizations(connection, "masked", quasi, k)
            source = f"({generalization.generalized_sql(connection, 'masked', quasi, proposals, k)})"
            after = anonymity.measure(connection, source, quasi, k=k)
            report.update(
                before=before.as_dict(),
                after=after.as_dict(),
                generalizations=[
                    {
                        "column": p.column,
                        "spec": p.spec.model_dump() if p.spec else None,
                        "rows": p.rows,
                        "zh": p.zh,
                    }
                    for p in proposals
                ],
            )
        connection.execute(
            f"COPY (SELECT * FROM {source}) TO {literal(str(path))} (FORMAT PARQUET, COMPRESSION ZSTD)"
        )
        rows = connection.execute(
            f"SELECT COUNT(*) FROM read_parquet({literal(str(path))})"
        ).fetchone()[0]
    finally:
        connection.close()
    with db.transaction() as session:
        row = by_number(session, number)
        row.state, row.version, row.rows = "produced", version_number, int(rows)
        row.location, row.report, row.produced_at = (
            str(path.relative_to(session.info["settings"].data_dir)),
            report,
            utcnow(),
        )
        record(
            session,
            actor,
            "extract.produce",
            category=Category.EXPORT,
            target=target(row),
            rows=int(rows),
            purpose=row.purpose,
        )
        return out(row)


def _spec(data: dict[str, object]) -> masks.MaskSpec:
    return TypeAdapter(masks.MaskSpec).validate_python(data)


def read(session: Session, actor: Actor, number: str) -> Extract:
    """One extract, for the requesting unit and the owner unit."""
    row = _held(session, actor, number)
    record(session, actor, "extract.read", category=Category.QUERY, target=target(row), rows=1)
    return row


def download(session: Session, actor: Actor, number: str) -> Path:
    """The produced file, for the requesting unit only (audited as an export)."""
    row = _held(session, actor, number, _reading)
    if row.state != "produced":
        raise Conflict("提取结果尚未生成", "the extract is not produced yet", field="number")
    record(
        session,
        actor,
        "extract.download",
        category=Category.EXPORT,
        target=target(row),
        rows=row.rows,
        purpose=row.purpose,
    )
    return session.info["settings"].data_dir / row.location


def out(row: Extract) -> ExtractOut:
    return ExtractOut(
        id=row.id,
        number=row.number,
        resource_code=row.resource.code,
        requester_unit_code=row.requester_unit.code,
        requested_by=row.requested_by,
        purpose=row.purpose,
        items=row.items,
        masks=row.masks,
        quasi=row.quasi,
        k=row.k,
        state=row.state,
        decided_by=row.decided_by,
        decided_at=row.decided_at,
        decision_note=row.decision_note,
        version=row.version,
        rows=row.rows,
        report=row.report,
        produced_at=row.produced_at,
    )


def listing(session: Session, actor: Actor) -> list[Extract]:
    """Extracts the actor's unit requested or must decide on (its own data), newest first."""
    rows = list(
        session.scalars(
            select(Extract)
            .join(Resource, Resource.id == Extract.resource_id)
            .where(
                or_(
                    scopes.where(session, actor, Action.EXTRACT_READ, Extract.requester_unit_id),
                    scopes.where(session, actor, Action.EXTRACT_APPROVE, Resource.provider_unit_id),
                )
            )
            .order_by(Extract.id.desc())
            .limit(200)
        )
    )
    record(
        session,
        actor,
        "extract.read",
        category=Category.QUERY,
        target=Target("extract"),
        rows=len(rows),
    )
    return rows
