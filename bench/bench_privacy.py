"""Benchmark of issue 8: de-identify 6 PI columns, reach k = 5 over 4 quasi-identifiers and a
consent check over N subjects, all in DuckDB; the de-identification compared with Microsoft
Presidio's structured anonymizer on the same 100,000-row table in the same run.

    python bench/bench_privacy.py [--rows 10000000] [--presidio-rows 100000]

Targets (2-core machine): de-identify ≤ 20 s, k = 5 ≤ 60 s, consent check ≤ 10 s (10 M rows);
≥ 1,000× faster than Presidio-structured."""

from __future__ import annotations

import argparse
import tempfile
import time
from pathlib import Path

import duckdb
import pyarrow as pa
import pyarrow.parquet as pq
from sqlglot import exp

from hutong.privacy import generalization, masks, subjects
from hutong.privacy.keys import derive
from hutong.privacy.ledger import SCHEMA, ConsentSet, count
from hutong.wiring import wire

MASTER = bytes(range(32))
MASKS = {
    "citizen_id": masks.Partial(keep_first=6, keep_last=4),
    "student_no": masks.Pseudonym(),
    "name": masks.Partial(keep_first=1, keep_last=0),
    "phone": masks.Partial(keep_first=3, keep_last=4),
    "birth_date": masks.DateTo(to="month"),
    "region": masks.RegionTo(digits=4),
}


def students(connection: duckdb.DuckDBPyConnection, rows: int, path: Path) -> None:
    connection.execute(
        f"""COPY (SELECT
            printf('%06d%s%03d%s', 110101 + (i % 3000), strftime(DATE '2005-01-01' + CAST(i % 4700 AS INT), '%Y%m%d'), i % 1000, 'X') AS citizen_id,
            'G' || printf('%018d', i) AS student_no,
            '学生' || CAST(i AS VARCHAR) AS name,
            '138' || printf('%08d', i % 100000000) AS phone,
            strftime(DATE '2005-01-01' + CAST(hash(i) % 4700 AS INT), '%Y-%m-%d') AS birth_date,
            CASE WHEN hash(i * 7) % 2 = 0 THEN '1' ELSE '2' END AS sex,
            CASE WHEN hash(i * 13) % 10 < 9 THEN '01' ELSE printf('%02d', 2 + hash(i * 17) % 55) END AS ethnicity,
            CAST(110000 + (hash(i * 3) % 31) * 10000 + (hash(i * 5) % 20) * 100 + hash(i * 11) % 10 + 1 AS VARCHAR) AS region
        FROM range({rows}) t(i)) TO '{path}' (FORMAT PARQUET)"""
    )


def deidentify_sql(source: str) -> str:
    cols = ", ".join(
        f"{spec.apply(exp.column(n)).sql('duckdb')} AS {n}" for n, spec in MASKS.items()
    )
    return f"SELECT {cols} FROM {source}"


def timed(label: str, work):  # type: ignore[no-untyped-def]
    started = time.perf_counter()
    result = work()
    seconds = time.perf_counter() - started
    print(f"{label}: {seconds:.2f} s")
    return seconds, result


def presidio(table: pa.Table) -> float:
    from presidio_anonymizer.entities import OperatorConfig
    from presidio_structured import PandasAnalysisBuilder, StructuredEngine  # noqa: F401
    from presidio_structured.config import StructuredAnalysis

    frame = table.select(["citizen_id", "name", "phone", "birth_date"]).to_pandas()
    analysis = StructuredAnalysis(
        entity_mapping={
            "citizen_id": "ID",
            "name": "PERSON",
            "phone": "PHONE_NUMBER",
            "birth_date": "DATE_TIME",
        }
    )
    operators = {
        "ID": OperatorConfig("mask", {"masking_char": "*", "chars_to_mask": 8, "from_end": True}),
        "PERSON": OperatorConfig(
            "mask", {"masking_char": "*", "chars_to_mask": 8, "from_end": True}
        ),
        "PHONE_NUMBER": OperatorConfig(
            "mask", {"masking_char": "*", "chars_to_mask": 4, "from_end": True}
        ),
        "DATE_TIME": OperatorConfig(
            "mask", {"masking_char": "*", "chars_to_mask": 3, "from_end": True}
        ),
    }
    started = time.perf_counter()
    StructuredEngine().anonymize(frame, analysis, operators=operators)
    return time.perf_counter() - started


def main() -> None:
    wire()
    parser = argparse.ArgumentParser()
    parser.add_argument("--rows", type=int, default=10_000_000)
    parser.add_argument("--presidio-rows", type=int, default=100_000)
    args = parser.parse_args()
    folder = Path(tempfile.mkdtemp(prefix="hutong-privacy-bench-"))
    data = folder / "students.parquet"
    connection = duckdb.connect(config={"threads": 2, "memory_limit": "3GB"})
    timed(f"generate {args.rows:,} students", lambda: students(connection, args.rows, data))
    key = derive(MASTER, "bench")
    source = f"read_parquet('{data}')"

    deid, _ = timed(
        f"de-identify 6 PI columns, {args.rows:,} rows → Parquet",
        lambda: connection.execute(
            f"COPY ({deidentify_sql(source)}) TO '{folder / 'masked.parquet'}' (FORMAT PARQUET)",
            key.params(),
        ),
    )
    connection.execute(f"CREATE VIEW students AS SELECT * FROM {source}")
    quasi = ["birth_date", "sex", "ethnicity", "region"]
    kanon, proposals = timed(
        "reach k = 5 over 4 quasi-identifiers",
        lambda: generalization.propose_generalizations(connection, "students", quasi, 5),
    )
    print("  " + "; ".join(p.zh for p in proposals))

    # Consent ledger: every other subject consented, a tenth of those withdrew later.
    subject = subjects.pseudonym_sql(exp.column("citizen_id")).sql("duckdb")
    ledger = folder / "ledger.parquet"
    connection.execute(
        f"""COPY (SELECT {subject} AS subject, 'purpose' AS kind, 'enrolment' AS code,
                   1::INTEGER AS version, CASE WHEN hash(citizen_id) % 10 = 0 THEN 'withdrawn' ELSE 'given' END AS state,
                   1::BIGINT AS batch FROM students WHERE hash(citizen_id) % 2 = 0) TO '{ledger}' (FORMAT PARQUET)""",
        derive(MASTER, "consent").params(),
    )
    pq.read_schema(ledger).equals(SCHEMA)
    consents = ConsentSet(1, "enrolment", (), 1, (ledger,), derive(MASTER, "consent"))
    check, answer = timed(
        f"consent check over {args.rows:,} subjects",
        lambda: count(connection, "students", "citizen_id", consents),
    )
    print(f"  may be processed {answer[0]:,}, may not {answer[1]:,}")

    sample = connection.sql(f"SELECT * FROM students LIMIT {args.presidio_rows}").to_arrow_table()
    connection.register("sample", sample)
    ours, _ = timed(
        f"Hutong masks on {args.presidio_rows:,} rows × 4 columns",
        lambda: connection.execute(
            "SELECT "
            + ", ".join(
                f"{MASKS[n].apply(exp.column(n)).sql('duckdb')}"
                for n in ("citizen_id", "name", "phone", "birth_date")
            )
            + " FROM sample"
        ).fetchall(),
    )
    theirs = presidio(sample)
    print(f"Presidio-structured on {args.presidio_rows:,} rows × 4 columns: {theirs:.2f} s")
    print(f"ratio Presidio / Hutong: {theirs / ours:,.0f}×")
    print(
        f"targets: de-identify {deid:.1f} s ≤ 20; k=5 {kanon:.1f} s ≤ 60; consent {check:.1f} s ≤ 10"
    )


if __name__ == "__main__":
    main()
