"""A grant over a small student dataset written to Parquet, and the compile-and-run helper."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from pathlib import Path

import duckdb
import pyarrow as pa
import pytest

from hutong.data.access import StoredFiles
from hutong.data.engine import DuckDBEngine
from hutong.policy.compiler import CompiledQuery, compile_sql
from hutong.policy.conditions import Prefix
from hutong.policy.grant import GrantedItem, GrantPolicy
from hutong.policy.request import Request
from hutong.privacy import masks
from hutong.privacy.keys import PseudonymKey, derive

NOW = datetime(2026, 11, 23, 8, 0, tzinfo=UTC)
# 学籍号, 身份证号, 姓名, 出生日期, 性别, 行政区划, 成绩
STUDENTS = [
    ("G11010520080512001X", "110105200805120014", "张伟", "2008-05-12", "1", "110105", "87"),
    ("G11010820090101002X", "110108200901010023", "李娜", "2009-01-01", "2", "110108", "92"),
    ("G11010520080512001X", "110105200805120014", "张伟", "2008-05-12", "1", "110105", "87"),
    ("G11022420070303003X", "110224200703030035", "王芳", "20070303", "2", "110224", None),
    ("G32010220080808004X", "320102200808080046", "刘洋", "2008/8/8", "1", "320102", "75"),
    ("G32010620100101005X", "320106201001010057", "陈静", "2010-01-01", "2", "320106", "60"),
]
COLUMNS = ["学籍号", "身份证号", "姓名", "出生日期", "性别", "行政区划", "成绩"]


def make_grant(**changes: object) -> GrantPolicy:
    """身份证号 keep 6+4, 姓名 pseudonymized, 出生日期 → year, 性别 and 成绩 clear;
    only rows of Beijing (行政区划 prefix 11); 学籍号 and 行政区划 are not granted."""
    fields: dict[str, object] = {
        "grant_id": "G-2026-0001",
        "purpose": "学籍核查",
        "items": (
            GrantedItem(name="身份证号", mask=masks.Partial(keep_first=6, keep_last=4)),
            GrantedItem(name="姓名", mask=masks.Pseudonym()),
            GrantedItem(name="出生日期", mask=masks.DateTo(to="year")),
            GrantedItem(name="性别"),
            GrantedItem(name="成绩"),
        ),
        "row_filter": (Prefix(item="行政区划", value="11"),),
        "valid_from": NOW - timedelta(days=30),
        "valid_until": NOW + timedelta(days=30),
        "pseudonym_domain": "unit:MOE-JYTJ",
        "max_rows_per_query": 1000,
    }
    return GrantPolicy(**(fields | changes))


@pytest.fixture
def grant() -> GrantPolicy:
    return make_grant()


@pytest.fixture
def key() -> PseudonymKey:
    return derive(bytes(range(32)), "unit:MOE-JYTJ")


@pytest.fixture
def students(tmp_path: Path) -> list[Path]:
    part = tmp_path / "part-0.parquet"
    table = pa.table({c: [row[i] for row in STUDENTS] for i, c in enumerate(COLUMNS)})
    connection = duckdb.connect()
    connection.register("t", table)
    connection.execute(f"COPY t TO '{part}' (FORMAT parquet)")
    return [part]


def run(compiled: CompiledQuery, files: list[Path]) -> list[tuple[object, ...]]:
    batches = DuckDBEngine(threads=1).stream(StoredFiles(files), compiled.sql, compiled.params)
    return [tuple(r.values()) for batch in batches for r in batch.to_pylist()]


def query(sql: str, grant: GrantPolicy, key: PseudonymKey, files: list[Path], **kw: object):
    return run(compile_sql(sql, Request(grant, NOW, **kw), key), files)  # type: ignore[arg-type]
