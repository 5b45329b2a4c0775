"""Policy compiler cost: compilation time, and a masked, row-filtered query against the same
query written by hand without masks.

Targets (issue 6): compilation < 2 ms; a masked, row-filtered query returning 1 million rows
as CSV ≤ 1.3× the same query by hand in raw DuckDB without masks. Both queries stream through
the same ``DuckDBEngine`` into the same Arrow CSV writer, over a synthetic student Parquet
file generated with DuckDB SQL (10 provinces, so the Beijing row filter keeps a tenth).

    python bench/bench_policy.py [--rows 10000000] [--compiles 2000]
"""

from __future__ import annotations

import argparse
import statistics
import tempfile
import time
from datetime import UTC, datetime, timedelta
from pathlib import Path

import duckdb
import pyarrow.csv as pacsv

from hutong.data.access import StoredFiles
from hutong.data.engine import DuckDBEngine
from hutong.policy.compiler import compile_sql
from hutong.policy.conditions import Prefix
from hutong.policy.grant import GrantedItem, GrantPolicy
from hutong.policy.request import Request
from hutong.privacy import masks
from hutong.privacy.keys import derive
from hutong.wiring import wire

NOW = datetime.now(UTC)
CONSUMER_SQL = "SELECT 身份证号, 姓名, 出生日期, 性别, 成绩 FROM dataset"
RAW_SQL = (
    "SELECT 身份证号, 姓名, 出生日期, 性别, 成绩 FROM dataset WHERE starts_with(行政区划, '11')"
)
TYPICAL_SQL = (
    "SELECT 出生日期, 性别, count(*) AS n, avg(TRY_CAST(成绩 AS DOUBLE)) AS mean FROM dataset "
    "WHERE 身份证号 LIKE '11%' GROUP BY ALL ORDER BY n DESC LIMIT 50"
)
PROVINCES = ["11", "12", "13", "14", "15", "21", "22", "23", "31", "32"]


def generate(path: Path, rows: int) -> None:
    """Students as ingest stores them (all text), with DuckDB SQL only."""
    provinces = "[" + ", ".join(f"'{p}'" for p in PROVINCES) + "]"
    duckdb.sql(f"""
        COPY (
            SELECT
                'G' || 身份证号 AS 学籍号, 身份证号, 姓名, 出生日期, 性别, 行政区划, 成绩
            FROM (
                SELECT
                    行政区划,
                    行政区划 || strftime(birth, '%Y%m%d') || lpad(CAST(i % 1000 AS VARCHAR), 3, '0')
                        || CAST(i % 10 AS VARCHAR) AS 身份证号,
                    ['张', '王', '李', '赵', '刘', '陈'][1 + i % 6] || ['伟', '芳', '娜', '敏', '静'][1 + i % 5]
                        || CAST(i % 97 AS VARCHAR) AS 姓名,
                    strftime(birth, '%Y-%m-%d') AS 出生日期,
                    CAST(1 + i % 2 AS VARCHAR) AS 性别,
                    CAST(40 + i % 61 AS VARCHAR) AS 成绩
                FROM (
                    SELECT range AS i,
                        {provinces}[1 + range % 10] || lpad(CAST(range % 97 AS VARCHAR), 4, '0') AS 行政区划,
                        DATE '2005-01-01' + CAST(range % 3650 AS INTEGER) AS birth
                    FROM range({rows})
                )
            )
        ) TO '{path}' (FORMAT parquet, ROW_GROUP_SIZE 500000)
    """)


def grant(name_mask: masks.MaskSpec = masks.Pseudonym()) -> GrantPolicy:
    return GrantPolicy(
        grant_id="BENCH",
        purpose="benchmark",
        items=(
            GrantedItem(name="身份证号", mask=masks.Partial(keep_first=6, keep_last=4)),
            GrantedItem(name="姓名", mask=name_mask),
            GrantedItem(name="出生日期", mask=masks.DateTo(to="year")),
            GrantedItem(name="性别"),
            GrantedItem(name="成绩"),
        ),
        row_filter=(Prefix(item="行政区划", value="11"),),
        valid_from=NOW - timedelta(days=1),
        valid_until=NOW + timedelta(days=1),
        pseudonym_domain="bench",
        max_rows_per_query=2_000_000,
    )


def compile_times(n: int) -> list[float]:
    policy, key = grant(), derive(b"k" * 32, "bench")
    request = Request(policy, NOW)
    compile_sql(TYPICAL_SQL, request, key)  # the policy view is built once per grant
    times = []
    for _ in range(n):
        started = time.perf_counter()
        compile_sql(TYPICAL_SQL, request, key)
        times.append(time.perf_counter() - started)
    return times


def to_csv(files: list[Path], sql: str, params: dict[str, str], out: Path) -> tuple[float, int]:
    started = time.perf_counter()
    rows = 0
    writer = None
    for batch in DuckDBEngine(threads=2).stream(StoredFiles(files), sql, params):
        if writer is None:
            writer = pacsv.CSVWriter(out, batch.schema)
        writer.write_batch(batch)
        rows += batch.num_rows
    if writer is not None:
        writer.close()
    return time.perf_counter() - started, rows


def through_delivery(
    files: list[Path], sql: str, params: dict[str, str], out: Path
) -> tuple[float, int]:
    """The exchange's file-delivery path (``exchange/delivery.py``): the same stream written
    as chunks by the API's CSV encoder, with the recipient fingerprint column."""
    from hutong.data.export import text_schema
    from hutong.exchange.delivery import Tally, encode_file

    started = time.perf_counter()
    tally = Tally()
    batches = tally.count_rows(DuckDBEngine(threads=2).stream(StoredFiles(files), sql, params))
    with out.open("wb") as sink:
        for chunk in tally.count_bytes(
            encode_file(batches, "csv", "0123456789abcdef", text_schema([]))
        ):
            sink.write(chunk)
    return time.perf_counter() - started, tally.rows


def main() -> None:
    wire()
    parser = argparse.ArgumentParser()
    parser.add_argument("--rows", type=int, default=10_000_000)
    parser.add_argument("--compiles", type=int, default=2000)
    args = parser.parse_args()

    times = sorted(compile_times(args.compiles))
    p50 = statistics.median(times) * 1000
    p95 = times[int(len(times) * 0.95)] * 1000
    print(f"compile ({args.compiles}×): p50 {p50:.2f} ms, p95 {p95:.2f} ms (target < 2 ms)")

    with tempfile.TemporaryDirectory() as folder:
        files = [Path(folder) / "students.parquet"]
        started = time.perf_counter()
        generate(files[0], args.rows)
        print(f"generated {args.rows:,} students in {time.perf_counter() - started:.1f} s")
        key = derive(b"k" * 32, "bench")
        variants = {
            "ID keep 6+4, birth year, name pseudonym": grant(),
            "ID keep 6+4, birth year, name keep 1+0": grant(
                masks.Partial(keep_first=1, keep_last=0)
            ),
        }
        compiled = {k: compile_sql(CONSUMER_SQL, Request(g, NOW), key) for k, g in variants.items()}
        out = Path(folder) / "out.csv"
        timings: dict[str, list[tuple[float, int]]] = {"raw": [], **{k: [] for k in compiled}}
        api_label = "ID keep 6+4, birth year, name keep 1+0, via the API's delivery encoder"
        timings[api_label] = []
        api_query = compiled["ID keep 6+4, birth year, name keep 1+0"]
        for _ in range(2):  # alternate, keep the best of each
            timings["raw"].append(to_csv(files, RAW_SQL, {}, out))
            for label, query in compiled.items():
                timings[label].append(to_csv(files, query.sql, query.params, out))
            timings[api_label].append(through_delivery(files, api_query.sql, api_query.params, out))
        r_time, r_rows = min(timings.pop("raw"))
        print(
            f"same query by hand in raw DuckDB, no masks → CSV: {r_rows:,} rows in {r_time:.2f} s"
        )
        for label, runs in timings.items():
            m_time, m_rows = min(runs)
            assert m_rows == r_rows
            print(
                f"compiled, row-filtered, {label} → CSV: {m_rows:,} rows in {m_time:.2f} s, "
                f"ratio {m_time / r_time:.2f}× (target ≤ 1.3×)"
            )


if __name__ == "__main__":
    main()
