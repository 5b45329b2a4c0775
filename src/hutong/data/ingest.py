"""Ingest a CSV file as a new dataset version of a catalog entry (N2021 task 3, M2018 §12).

Steps: detect the encoding (GBK files are converted to UTF-8 on the way), map the header to
the entry's information items and refuse unknown or missing columns before anything is
written, let DuckDB turn the CSV into Parquet in a staging folder, then publish atomically:
the folder is renamed into place and the version row committed with its audit event.
"""

from __future__ import annotations

import csv
import hashlib
from pathlib import Path

import duckdb
from sqlalchemy import func, select
from sqlalchemy.orm import Session

from hutong.audit.service import Category, record
from hutong.catalog.service import by_code, target
from hutong.core.errors import InvalidInput
from hutong.data import encoding
from hutong.data.models import DatasetVersion
from hutong.data.store import LocalStore
from hutong.identity.authz import Actor, authorize
from hutong.identity.roles import Action

PART = "part-0.parquet"


def store_for(session: Session) -> LocalStore:
    return LocalStore(session.info["settings"].datasets_dir)


def _sql_text(value: str) -> str:
    return "'" + value.replace("'", "''") + "'"


def _header(path: Path, file_encoding: str) -> list[str]:
    """The first line's column names, read by Python's csv module: DuckDB's sniffer may pick
    another line as the header when rows are ragged, so nothing is left to guessing."""
    with path.open(encoding=file_encoding, newline="") as handle:
        header = next(csv.reader(handle), [])
    names = [name.strip() for name in header]
    if not any(names):
        raise InvalidInput("缺少表头行", "the header row is missing", field="file")
    duplicates = sorted({n for n in names if names.count(n) > 1})
    if duplicates:
        raise InvalidInput(
            f"表头列名重复：{'、'.join(duplicates)}", "duplicate column names", field="columns"
        )
    return names


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


def ingest_csv(
    session: Session, actor: Actor, code: str, path: Path, mapping: dict[str, str] | None = None
) -> DatasetVersion:
    resource = by_code(session, code)
    authorize(session, actor, Action.DATA_INGEST, target(resource))
    store = store_for(session)
    staging = store.staging(resource.id)
    try:
        detected = encoding.detect(path)
        source = path
        if detected == "gb18030":
            source = staging / "source.utf8.csv"
            encoding.to_utf8(path, source, detected)
        header = _header(source, "utf-8-sig")
        pairs = plan_columns(header, [i.name for i in resource.items], mapping)
        connection = duckdb.connect(config={"threads": 2, "memory_limit": "1GB"})
        try:
            columns = "{" + ", ".join(f"{_sql_text(c)}: 'VARCHAR'" for c in header) + "}"
            select_list = ", ".join(
                f'"{c.replace(chr(34), "")}" AS "{i.replace(chr(34), "")}"' for c, i in pairs
            )
            try:
                connection.execute(
                    f"COPY (SELECT {select_list} FROM read_csv({_sql_text(str(source))}, header = true, "
                    f"auto_detect = false, columns = {columns}, delim = ',', quote = '\"', escape = '\"', "
                    "strict_mode = true, null_padding = false)) "
                    f"TO {_sql_text(str(staging / PART))} (FORMAT parquet, COMPRESSION zstd)"
                )
            except duckdb.Error as error:
                raise InvalidInput(
                    "CSV 格式错误（行的列数不一致或引号未闭合）",
                    f"malformed CSV: {str(error).splitlines()[0][:300]}",
                    field="file",
                ) from None
            rows = connection.execute(
                f"SELECT count(*) FROM read_parquet({_sql_text(str(staging / PART))})"
            ).fetchone()[0]
        finally:
            connection.close()
        if source != path:
            source.unlink()
        if rows == 0:
            raise InvalidInput("文件没有数据行", "the file has no data rows", field="file")
        digest = hashlib.sha256()
        with (staging / PART).open("rb") as handle:
            while block := handle.read(1024 * 1024):
                digest.update(block)
        version = (
            session.scalar(
                select(func.max(DatasetVersion.version)).where(
                    DatasetVersion.resource_id == resource.id
                )
            )
            or 0
        ) + 1
        row = DatasetVersion(
            resource_id=resource.id,
            version=version,
            location="",
            rows=rows,
            columns=[{"name": item, "type": "VARCHAR"} for _c, item in pairs],
            content_sha256=digest.hexdigest(),
            source_name=path.name[:256],
            source_encoding=detected,
            ingested_by=actor.name,
        )
        session.add(row)
        session.flush()
        row.location = store.publish(staging, resource.id, version)
    except BaseException:
        store.discard(staging)
        raise
    record(
        session,
        actor,
        "data.ingest",
        category=Category.INSERT,
        target=target(resource),
        rows=rows,
        details={"version": version, "encoding": detected, "sha256": row.content_sha256},
    )
    return row


def current(session: Session, resource_id: int) -> DatasetVersion | None:
    return session.scalar(
        select(DatasetVersion)
        .where(DatasetVersion.resource_id == resource_id)
        .order_by(DatasetVersion.version.desc())
        .limit(1)
    )
