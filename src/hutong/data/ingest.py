"""Ingest a CSV file as a new dataset version of a catalog entry (N2021 task 3, M2018 §12).

Steps: detect the encoding (GBK files are converted to UTF-8 on the way), map the header to
the entry's information items and refuse unknown or missing columns before anything is
written, let DuckDB turn the CSV into Parquet in a staging folder, then publish atomically:
the folder is renamed into place and the version row committed with its audit event.
"""

from __future__ import annotations

import hashlib
import re
from dataclasses import asdict, dataclass
from datetime import datetime
from pathlib import Path

import duckdb
from sqlalchemy import func, select
from sqlalchemy.orm import Session

from hutong.audit.service import Category, Outcome, record
from hutong.catalog.models import Resource
from hutong.catalog.service import by_code, target
from hutong.catalog.tasks import record_change
from hutong.catalog.vocab import Grade
from hutong.core.clock import as_utc, local, utcnow
from hutong.core.db import Database
from hutong.core.errors import HutongError, InvalidInput
from hutong.core.events import publish
from hutong.core.settings import Settings
from hutong.data import keys
from hutong.data.access import store_for
from hutong.data.crypto import DataKey, encrypt_in_place
from hutong.data.detect import Detection, detect
from hutong.data.events import DatasetIngested
from hutong.data.models import DatasetVersion
from hutong.data.quality import ROW, QualityReport, invalid_rows, measure, reasons_zh, split
from hutong.data.rules import checks_for
from hutong.data.sources import Source, open_source
from hutong.data.sql import ident, literal
from hutong.data.validators import install as install_validators
from hutong.identity.authz import Actor, Target, authorize
from hutong.identity.roles import Action

PART = "part-0.parquet"
GOOD = "valid-rows.parquet"  # quarantine: the rows that passed, replacing PART
REJECTS = "rejects.csv"


def plan_columns(
    header: list[str], items: list[str], mapping: dict[str, str] | None
) -> list[tuple[str, str]]:
    """(CSV column, item) pairs; unknown columns and items left without a column are errors."""
    mapping = mapping or {}
    pairs = [(column, mapping.get(column, column)) for column in header]
    unknown = [column for column, item in pairs if item not in items]
    missing = [item for item in items if item not in {i for _c, i in pairs}]
    problems = []
    if unknown:
        problems.append(f"以下列不是该资源的信息项：{'、'.join(unknown)}")
    if missing:
        problems.append(f"缺少以下信息项：{'、'.join(missing)}")
    if problems:
        raise InvalidInput(
            "；".join(problems) + "（可在映射中指定列与信息项的对应关系）",
            f"columns do not match the entry's items (unknown: {len(unknown)}, missing: {len(missing)})",
            field="columns",
            unknown=len(unknown),
            missing=len(missing),
        )
    return pairs


def ingest_file(
    db: Database,
    actor: Actor,
    code: str,
    path: Path,
    mapping: dict[str, str] | None = None,
    on_invalid: str = "reject",
    key: list[str] | None = None,
    fmt: str | None = None,
) -> DatasetVersion:
    """Ingest CSV (UTF-8 or GBK), XLSX, JSON Lines or Parquet (``fmt``, else the file name).

    ``on_invalid``: "reject" refuses the whole file when any value fails its check;
    "quarantine" publishes the valid rows and puts the others in ``rejects.csv``, unless no
    row is valid: then nothing is published. A refused file is audited as a failed ingest.

    Three steps, so the database is never locked while a large file is converted: a short
    transaction checks permission and reads the entry; the file is staged, validated and
    profiled with no transaction open; a second short transaction numbers, publishes and
    audits the version."""
    if on_invalid not in ("reject", "quarantine"):
        raise InvalidInput(
            "无效值处理方式须为 reject 或 quarantine",
            "on_invalid must be reject or quarantine",
            field="on_invalid",
        )
    with db.transaction() as session:
        resource = by_code(session, code)
        where = target(resource)
        authorize(session, actor, Action.DATA_INGEST, where)
        items = {item.name: item for item in resource.items}
        previous = current(session, resource.id)
        previous_at = as_utc(previous.ingested_at) if previous else None
        store = store_for(session)
        settings = session.info["settings"]
        data_key = keys.live_key(session, resource.id, settings.dataset_cipher)
    if key and not set(key) <= set(items):
        raise InvalidInput(
            "主键必须是该资源的信息项", "key columns must be items of the entry", field="key"
        )
    staging, uploaded = store.staging(resource.id), None
    try:
        try:
            staged = _stage_and_check(
                resource, items, path, staging, mapping, on_invalid, key, fmt, previous_at
            )
        except HutongError as error:
            with db.transaction() as session:
                _audit_refusal(session, actor, where, path, error)
            raise
        if must_seal(settings, resource, staged.found):
            staged.key = data_key or keys.fresh_key(settings.dataset_cipher)
            for name in (PART, REJECTS):
                if (staging / name).exists():
                    encrypt_in_place(staging / name, staged.key)
        # Object storage is slow to write: upload before the transaction, under a unique prefix.
        uploaded = staged.location = None if store.local else store.upload(staging, resource.id)
        with db.transaction() as session:
            return _publish(session, actor, code, path, staging, staged)
    except BaseException:
        store.discard(staging, uploaded)
        raise


@dataclass
class _Staged:
    kind: str
    pairs: list[tuple[str, str]]
    report: QualityReport
    found: Detection
    rejected: int
    at: datetime
    sha256: str  # of the clear Parquet file, so the digest does not depend on the key
    key: DataKey | None = None  # set when the files are sealed
    location: str | None = None  # set once uploaded to object storage


def _stage_and_check(
    resource: Resource,
    items: dict,
    path: Path,
    staging: Path,
    mapping: dict[str, str] | None,
    on_invalid: str,
    key: list[str] | None,
    fmt: str | None,
    previous_at: datetime | None,
) -> _Staged:  # type: ignore[type-arg]
    """Everything that reads the file: Parquet in the staging folder, checks, report, detection."""
    source = open_source(path, staging, format_of(fmt or path.name))
    pairs = plan_columns(source.header, list(items), mapping)
    checks = {item: checks_for(items[item]) for _column, item in pairs}
    connection = duckdb.connect(config={"threads": 2, "memory_limit": "1GB"})
    connection.execute("SET enable_progress_bar = false")  # the CLI shows its own status
    try:
        install_validators(connection)
        _stage_rows(connection, source, pairs, staging / PART)
        # Row numbers as messages count them: the file keeps the source's order.
        connection.execute(
            f"CREATE VIEW staged AS SELECT file_row_number + {source.first_row} AS {ROW}, "
            f"* EXCLUDE (file_row_number) "
            f"FROM read_parquet({literal(str(staging / PART))}, file_row_number = true)"
        )
        now = utcnow()
        report = measure(
            connection, "staged", checks, key or [], previous_at, now, resource.update_cycle
        )
        if report.rows == 0:
            raise InvalidInput("文件没有数据行", "the file has no data rows", field="file")
        if report.failing_rows and (on_invalid == "reject" or report.failing_rows == report.rows):
            raise _refusal(report, invalid_rows(connection, "staged", checks, limit=20))
        found = detect(
            connection, "staged", [item for _c, item in pairs], resource, local(now).date()
        )
        rejected = (
            split(connection, "staged", checks, staging / GOOD, staging / REJECTS)
            if report.failing_rows
            else 0
        )
    finally:
        connection.close()
    if rejected:
        (staging / GOOD).replace(staging / PART)
    for leftover in (staging / "source.utf8.csv", staging / "source.xlsx.csv"):
        leftover.unlink(missing_ok=True)
    return _Staged(source.kind, pairs, report, found, rejected, now, _sha256(staging / PART))


def _refusal(report: QualityReport, examples: list[tuple[int, str, str]]) -> InvalidInput:
    """Why nothing was imported: every row failed, or (in reject mode) some did. Line numbers,
    items and reasons with their counts, never a value."""
    invalid = sum(c.invalid for c in report.columns)
    every = report.failing_rows == report.rows
    head = (
        f"全部 {report.rows:,} 行均未通过校验，未发布新版本"
        if every
        else f"{report.failing_rows:,} 行共 {invalid:,} 个值未通过校验，整个文件未导入"
    )
    listed = "；".join(f"第 {row} 行“{column}”：{message}" for row, column, message in examples)
    reasons = [asdict(r) for r in report.reasons]
    return InvalidInput(
        f"{head}。主要原因：{reasons_zh(reasons)}。例如：{listed}",
        f"{report.failing_rows} of {report.rows} rows failed validation; nothing was imported",
        field="rows",
        rows=report.rows,
        failing_rows=report.failing_rows,
        invalid=invalid,
        reasons=[{k: r[k] for k in ("item", "check", "rows")} for r in reasons[:5]],
    )


def _audit_refusal(
    session: Session, actor: Actor, where: Target, path: Path, error: HutongError
) -> None:
    """A refused file leaves nothing but this record (the counts and checks, never a value)."""
    record(
        session,
        actor,
        "data.ingest",
        category=Category.INSERT,
        target=where,
        outcome=Outcome.FAILED,
        details={"source": path.name[:256], "field": error.field, **error.extra},
    )


def _publish(
    session: Session, actor: Actor, code: str, path: Path, staging: Path, staged: _Staged
) -> DatasetVersion:
    """Number the version, move its folder into place and audit it, in one transaction."""
    resource = by_code(session, code)
    authorize(session, actor, Action.DATA_INGEST, target(resource))  # still allowed now?
    row = DatasetVersion(
        resource_id=resource.id,
        version=_next_version(session, resource.id),
        location="",
        rows=staged.report.rows - staged.rejected,
        rejected=staged.rejected,
        quality=staged.report.as_json(),
        quality_score=staged.report.score,
        detection=staged.found.as_json(),
        columns=[{"name": i, "type": "VARCHAR"} for _c, i in staged.pairs],
        content_sha256=staged.sha256,
        source_name=path.name[:256],
        source_encoding=staged.kind,
        ingested_by=actor.name,
        ingested_at=staged.at,
    )
    if staged.key is not None:
        row.data_key_id = keys.persist(session, resource.id, staged.key).id
    session.add(row)
    session.flush()
    row.location = staged.location or store_for(session).publish(staging, resource.id, row.version)
    if staged.found.mismatches:
        # M2018 §30: the catalog must follow the data within 7 working days.
        record_change(
            session,
            actor,
            code,
            "数据与目录登记不一致：" + "；".join(m["zh"] for m in staged.found.mismatches),
            detected_by="data.detect",
        )
    publish(session, DatasetIngested(actor, resource, row.version))
    record(
        session,
        actor,
        "data.ingest",
        category=Category.INSERT,
        target=target(resource),
        rows=row.rows,
        details={
            "version": row.version,
            "encoding": staged.kind,
            "rejected": staged.rejected,
            "score": staged.report.score,
            "sha256": row.content_sha256,
            "data_key": staged.key.key_id if staged.key else None,
        },
    )
    return row


def must_seal(settings: Settings, resource: Resource, found: Detection) -> bool:
    """PI is stored encrypted (N2021 task 8), and so is important or core data (task 5)."""
    return (
        settings.encrypt_all_datasets
        or resource.has_pi
        or resource.grade in (Grade.CORE, Grade.IMPORTANT)
        or bool(found.columns)
    )


def format_of(name: str) -> str:
    """'csv', 'xlsx', 'jsonl' or 'parquet' from a file name or a format name."""
    suffix = name.lower().rsplit(".", 1)[-1]
    return {"json": "jsonl", "ndjson": "jsonl", "pq": "parquet"}.get(suffix, suffix)


def _stage_rows(
    connection: duckdb.DuckDBPyConnection,
    source: Source,
    pairs: list[tuple[str, str]],
    target_file: Path,
) -> None:
    """The source's rows → the version's Parquet file, columns renamed to item names, in the
    source's order, values trimmed and empty cells stored as NULL (so every later pass reads
    clean values). Written once: a file whose values all pass is published as it is."""
    select_list = ", ".join(
        f"nullif(trim({ident(column)}), '') AS {ident(item)}" for column, item in pairs
    )
    try:
        connection.execute(
            f"COPY (SELECT {select_list} FROM {source.relation}) TO {literal(str(target_file))} "
            "(FORMAT parquet)"
        )
    except duckdb.Error as error:
        text = str(error)
        line = re.search(r"Line: (\d+)", text)
        where = f"第 {line.group(1)} 行" if line else ""
        zh = (
            f"CSV 格式错误：{where}列数与表头不一致或引号未闭合"
            if source.kind not in ("jsonl", "parquet")
            else "文件格式错误：有记录无法解析"
        )
        raise InvalidInput(
            zh, f"malformed file: {text.splitlines()[0][:300]}", field="file"
        ) from None


def _next_version(session: Session, resource_id: int) -> int:
    last = session.scalar(
        select(func.max(DatasetVersion.version)).where(DatasetVersion.resource_id == resource_id)
    )
    return (last or 0) + 1


def _sha256(path: Path) -> str:
    digest = hashlib.sha256()
    with path.open("rb") as handle:
        while block := handle.read(1024 * 1024):
            digest.update(block)
    return digest.hexdigest()


def current(session: Session, resource_id: int) -> DatasetVersion | None:
    return session.scalar(
        select(DatasetVersion)
        .where(DatasetVersion.resource_id == resource_id)
        .order_by(DatasetVersion.version.desc())
        .limit(1)
    )
