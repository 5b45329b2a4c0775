"""Data plane at scale: ingest a 10-million-row, 12-column student CSV (issue 4).

Targets: ingest + full validation + quality report ≥ 1,000,000 rows/s and ≤ 2.0× the time of a
plain DuckDB CSV→Parquet copy of the same file measured in the same run; peak memory < 2 GB;
encrypted storage adds ≤ 15 % to ingest time.

Each ingest runs in a fresh child process so its peak resident memory (``ru_maxrss``) is its own.

    python bench/bench_ingest.py [--rows 10000000] [--keep FILE]
"""

from __future__ import annotations

import argparse
import json
import multiprocessing
import resource
import sys
import tempfile
import time
from concurrent.futures import ProcessPoolExecutor
from pathlib import Path

import duckdb

from hutong.catalog import service
from hutong.catalog.schemas import ItemIn, ResourceIn
from hutong.core.db import Database
from hutong.core.identifiers import PROVINCES
from hutong.core.settings import Settings
from hutong.data import ingest
from hutong.data.sql import literal
from hutong.identity.auth import actor_for
from hutong.identity.authz import system_actor
from hutong.identity.schemas import UnitCreate, UserCreate
from hutong.identity.service import create_unit, create_user, user_by_name
from hutong.migrations import upgrade
from hutong.wiring import wire

ITEMS = [
    ("学籍号", "字符型"),
    ("姓名", "字符型"),
    ("性别", "代码型"),
    ("出生日期", "日期型"),
    ("身份证件号", "字符型"),
    ("民族", "代码型"),
    ("学校标识码", "字符型"),
    ("年级", "字符型"),
    ("班级", "字符型"),
    ("入学日期", "日期型"),
    ("家庭住址", "字符型"),
    ("联系电话", "字符型"),
]
CITIZEN_WEIGHTS = (7, 9, 10, 5, 8, 4, 2, 1, 6, 3, 7, 9, 10, 5, 8, 4, 2)
PASSWORD = "Bench-Pass-2026"


def write_students(path: Path, rows: int) -> None:
    """A synthetic student table with valid identifiers, written by DuckDB (not a Python loop)."""
    provinces = "[" + ", ".join(f"'{p}'" for p in sorted(PROVINCES)) + "]"
    weighted = " + ".join(
        f"(ascii(substr(b, {i + 1}, 1)) - 48) * {w}" for i, w in enumerate(CITIZEN_WEIGHTS)
    )
    duckdb.connect().execute(
        f"""COPY (
        WITH base AS (
          SELECT i, {provinces}[(i // 4000000) % {len(PROVINCES)} + 1] || '0101'
            || strftime(DATE '2008-01-01' + CAST(i % 4000 AS INTEGER), '%Y%m%d')
            || lpad(CAST((i // 4000) % 1000 AS VARCHAR), 3, '0') AS b
          FROM range({int(rows)}) t(i)),
        ids AS (SELECT i, b || substr('10X98765432', ({weighted}) % 11 + 1, 1) AS cid FROM base)
        SELECT 'G' || cid AS 学籍号,
          ['王', '李', '张', '刘', '陈'][i % 5 + 1] || ['伟', '芳', '娜', '敏', '静', '丽', '强'][i % 7 + 1]
            AS 姓名,
          CAST(1 + i % 2 AS VARCHAR) AS 性别,
          substr(cid, 7, 4) || '-' || substr(cid, 11, 2) || '-' || substr(cid, 13, 2) AS 出生日期,
          cid AS 身份证件号,
          lpad(CAST(1 + i % 56 AS VARCHAR), 2, '0') AS 民族,
          '21' || substr(cid, 1, 2) || lpad(CAST(i % 5000 AS VARCHAR), 6, '0') AS 学校标识码,
          CAST(1 + i % 9 AS VARCHAR) AS 年级,
          CAST(1 + i % 12 AS VARCHAR) AS 班级,
          '2023-09-01' AS 入学日期,
          '某省某市某区某街道' || CAST(i % 997 AS VARCHAR) || '号' AS 家庭住址,
          '13' || lpad(CAST(i % 1000000000 AS VARCHAR), 9, '0') AS 联系电话
        FROM ids) TO {literal(str(path))} (HEADER, DELIMITER ',')"""
    )


def setup(folder: Path, encryption: str) -> tuple[Database, str]:
    """A fresh platform with one steward and one 12-item student entry; returns its code."""
    db = Database(
        Settings(
            data_dir=folder,
            argon2_time_cost=1,
            argon2_memory_kib=1024,
            dataset_cipher="aes-256-gcm" if encryption == "none" else encryption,
        )
    )
    upgrade(db)
    system = system_actor("bench")
    with db.transaction() as session:
        create_unit(
            session, system, UnitCreate(code="MOE", name="教育部", kind="ministry_department")
        )
        create_unit(
            session,
            system,
            UnitCreate(
                code="MOE-JCS", name="基础教育司", kind="ministry_department", parent_code="MOE"
            ),
        )
        for name, unit, role in (
            ("bench.steward", "MOE-JCS", "data_steward"),
            ("bench.reviewer", "MOE", "catalog_reviewer"),
        ):
            create_user(
                session,
                system,
                UserCreate(
                    username=name,
                    display_name=name,
                    unit_code=unit,
                    roles=[role],
                    password=PASSWORD,
                ),
            )
        reviewer = actor_for(user_by_name(session, "bench.reviewer"))
        service.add_classification(session, reviewer, "3", "部门信息资源")
        service.add_classification(session, reviewer, "302", "学生", "3")
        steward = actor_for(user_by_name(session, "bench.steward"))
        resource = service.create(
            session,
            steward,
            ResourceIn(
                classification_code="302",
                attribute="department",
                name="全国中小学生学籍信息",
                provider_unit_code="MOE-JCS",
                summary="全国中小学生的学籍基本信息。",
                format="database",
                share_type="conditional",
                share_conditions="用于学生资助与教育管理",
                share_method="共享平台接口",
                open_type="not_open",
                update_cycle="annual",
                data_kind="administrative",
                grade="important",
                has_pi=True,
                has_child_pi=True,
                sensitive_categories=["ethnicity"],
                approx_persons=10_000_000,
                items=[
                    ItemIn(
                        name=name,
                        data_type=data_type,
                        pi_category={
                            "姓名": "identity",
                            "身份证件号": "identity",
                            "学籍号": "identity",
                            "出生日期": "identity",
                            "民族": "ethnicity",
                            "家庭住址": "contact",
                            "联系电话": "contact",
                        }.get(name, "none"),
                        sensitive=name == "民族",
                    )
                    for name, data_type in ITEMS
                ],
            ),
        )
        code = resource.code
    return db, code


def _ingest_child(folder: str, csv: str, encryption: str) -> dict:
    wire()  # a spawned child starts unwired
    if encryption == "none":  # the baseline: the same ingest with sealing switched off
        ingest.must_seal = lambda *_: False
    db, code = setup(Path(folder), encryption)
    with db.sessions() as session:
        steward = actor_for(user_by_name(session, "bench.steward"))
    start = time.perf_counter()
    version = ingest.ingest_file(db, steward, code, Path(csv), key=["学籍号"])
    seconds = time.perf_counter() - start
    peak = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024  # KiB → MiB
    return {
        "seconds": seconds,
        "rows": version.rows,
        "peak_mib": peak,
        "score": version.quality_score,
    }


def _copy_child(csv: str, folder: str) -> dict:
    connection = duckdb.connect(config={"threads": 2, "memory_limit": "1GB"})
    connection.execute("SET enable_progress_bar = false")
    start = time.perf_counter()
    connection.execute(
        f"COPY (SELECT * FROM read_csv({literal(csv)})) TO {literal(folder + '/plain.parquet')} "
        "(FORMAT parquet)"
    )
    return {"seconds": time.perf_counter() - start}


def in_child(target, *args) -> dict:
    """Run ``target`` in a fresh process (its peak memory is its own); errors propagate."""
    context = multiprocessing.get_context("spawn")
    with ProcessPoolExecutor(max_workers=1, mp_context=context) as pool:
        return pool.submit(target, *args).result()


def main() -> None:
    wire()
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--rows", type=int, default=10_000_000)
    parser.add_argument("--keep", type=Path, help="reuse or keep the generated CSV here")
    args = parser.parse_args()
    with tempfile.TemporaryDirectory() as tmp:
        csv = args.keep or Path(tmp) / "students.csv"
        if not csv.exists():
            start = time.perf_counter()
            write_students(csv, args.rows)
            print(
                f"generated {args.rows:,} rows ({csv.stat().st_size / 2**20:,.0f} MiB) "
                f"in {time.perf_counter() - start:.1f} s"
            )
        copy = in_child(_copy_child, str(csv), tmp)
        figures = {}
        for encryption in ("none", "aes-256-gcm", "sm4-gcm"):
            folder = Path(tmp) / encryption
            figures[encryption] = in_child(_ingest_child, str(folder), str(csv), encryption)
        plain = figures["none"]
        print(f"plain DuckDB CSV→Parquet copy: {copy['seconds']:.2f} s")
        for encryption, got in figures.items():
            print(
                f"ingest ({encryption}): {got['seconds']:.2f} s, "
                f"{got['rows'] / got['seconds']:,.0f} rows/s, "
                f"{got['seconds'] / copy['seconds']:.2f}× the plain copy, "
                f"{got['seconds'] / plain['seconds'] - 1:+.1%} vs unencrypted, "
                f"peak {got['peak_mib']:,.0f} MiB, score {got['score']}"
            )
        print(json.dumps({"copy": copy, **figures}), file=sys.stderr)


if __name__ == "__main__":
    main()
