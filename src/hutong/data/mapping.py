"""Column mapping: which information item each column of an uploaded file holds.

The steward sees the file's header with a proposal per column: the mapping remembered for the
entry from its last upload, else the item of the same name, else of the same normalised name
(spaces, width and punctuation ignored), else an obvious synonym (身份证号 → 公民身份号码). The
ingest then uses the chosen mapping, and the entry remembers it for next time.
"""

from __future__ import annotations

import csv
from pathlib import Path

import duckdb
from sqlalchemy import delete, select
from sqlalchemy.orm import Session

from hutong.audit.service import Category, record
from hutong.catalog.models import Resource, name_key
from hutong.catalog.service import target
from hutong.core.errors import InvalidInput
from hutong.data import encoding
from hutong.data.models import ColumnMapping
from hutong.data.sources import FORMATS, check_header, header_cells, open_workbook
from hutong.data.sql import literal
from hutong.identity.authz import Actor, authorize
from hutong.identity.roles import Action

#: Names that obviously mean the same item (compared after ``name_key``).
SYNONYMS = [
    ("姓名", "名字", "学生姓名", "教师姓名", "name"),
    (
        "公民身份号码",
        "身份证号",
        "身份证号码",
        "身份证件号",
        "身份证件号码",
        "证件号码",
        "idcard",
        "idno",
    ),
    ("全国学籍号", "学籍号", "学籍编号", "studentno"),
    ("学校标识码", "学校代码", "学校编码", "schoolcode"),
    ("性别", "性别代码", "sex", "gender"),
    ("民族", "民族代码", "ethnicity", "nation"),
    ("出生日期", "生日", "出生年月日", "birthdate", "birthday", "dateofbirth"),
    ("手机号码", "手机号", "手机", "移动电话", "mobile", "phone"),
    ("电子邮箱", "邮箱", "电子邮件", "email"),
    ("家庭住址", "住址", "家庭地址", "address"),
    ("统一社会信用代码", "信用代码", "uscc"),
]
_GROUP = {name_key(word): n for n, group in enumerate(SYNONYMS) for word in group}


def read_header(path: Path, fmt: str) -> list[str]:
    """The column names of a file, reading only its first line (or first row, or schema)."""
    if fmt not in FORMATS:
        raise InvalidInput(
            "仅支持 CSV、XLSX、JSON Lines、Parquet 文件", "unsupported file format", field="file"
        )
    if fmt == "csv":
        kind = encoding.detect(path)
        with path.open(encoding=kind, errors="replace", newline="") as handle:
            return check_header(next(csv.reader(handle), []))
    if fmt == "xlsx":
        book = open_workbook(path)
        cells = header_cells(next(book.worksheets[0].iter_rows(values_only=True), []))
        book.close()
        return check_header(cells)
    reader = "read_json" if fmt == "jsonl" else "read_parquet"
    try:
        described = duckdb.sql(f"DESCRIBE SELECT * FROM {reader}({literal(str(path))})").fetchall()
    except duckdb.Error:
        raise InvalidInput(
            f"无法读取 {fmt} 文件", f"cannot read the {fmt} file", field="file"
        ) from None
    return check_header([row[0] for row in described])


def propose(
    header: list[str], items: list[str], remembered: dict[str, str] | None = None
) -> dict[str, str]:
    """Column → item ("" where nothing fits); each item is proposed for one column at most."""
    remembered = remembered or {}
    keys = {name_key(item): item for item in items}
    groups = {_GROUP[k]: item for k, item in keys.items() if k in _GROUP}
    rules = (
        lambda column: remembered.get(column),
        lambda column: column if column in items else None,
        lambda column: keys.get(name_key(column)),
        lambda column: groups.get(_GROUP.get(name_key(column), -1)),
    )
    chosen: dict[str, str] = dict.fromkeys(header, "")
    taken: set[str] = set()
    for rule in rules:  # stronger evidence first, for every column, before weaker evidence
        for column in header:
            item = rule(column)
            if not chosen[column] and item in items and item not in taken:
                chosen[column], taken = item, taken | {item}
    return chosen


def from_pairs(pairs: list[str] | None) -> dict[str, str]:
    """``列名=信息项`` pairs as given to the CLI (``--map``) and the API (``map``)."""
    return checked(dict(pair.split("=", 1) for pair in pairs or [] if "=" in pair))


def checked(chosen: dict[str, str]) -> dict[str, str]:
    """The mapping for ``ingest_file``: one column per item (unmapped columns are reported by
    the ingest as not being items of the entry)."""
    items = [item for item in chosen.values() if item]
    twice = sorted({item for item in items if items.count(item) > 1})
    if twice:
        raise InvalidInput(
            f"同一信息项对应了多个列：{'、'.join(twice)}",
            "an item is mapped from more than one column",
            field="columns",
        )
    return {column: item for column, item in chosen.items() if item}


def remembered(session: Session, resource: Resource) -> dict[str, str]:
    return dict(
        session.execute(
            select(ColumnMapping.source_column, ColumnMapping.item).where(
                ColumnMapping.resource_id == resource.id
            )
        ).all()
    )


def proposal(
    session: Session, actor: Actor, resource: Resource, header: list[str]
) -> dict[str, str]:
    """What the mapping form shows a steward who may ingest into the entry."""
    authorize(session, actor, Action.DATA_INGEST, target(resource))
    return propose(header, [i.name for i in resource.items], remembered(session, resource))


def remember(session: Session, actor: Actor, resource: Resource, mapping: dict[str, str]) -> None:
    """Keep the columns that were mapped to an item of another name, for the next upload."""
    authorize(session, actor, Action.DATA_INGEST, target(resource))
    kept = {column: item for column, item in mapping.items() if item and item != column}
    if kept == remembered(session, resource):
        return
    session.execute(delete(ColumnMapping).where(ColumnMapping.resource_id == resource.id))
    session.add_all(
        ColumnMapping(
            resource_id=resource.id, source_column=column, item=item, updated_by=actor.name
        )
        for column, item in kept.items()
    )
    record(
        session,
        actor,
        "data.mapping",
        category=Category.UPDATE,
        target=target(resource),
        rows=len(kept),
    )
