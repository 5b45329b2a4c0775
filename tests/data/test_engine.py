"""The DuckDB engine streams Arrow batches over a version's Parquet files."""

from __future__ import annotations

import duckdb
import pyarrow as pa

from hutong.data.access import StoredFiles
from hutong.data.engine import DuckDBEngine


def test_stream_sql_over_a_version(tmp_path):
    part = tmp_path / "part-0.parquet"
    duckdb.sql(
        f"COPY (SELECT range AS n, 'G11010519491231002X' AS 学籍号 FROM range(200000)) TO '{part}' (FORMAT parquet)"
    )
    batches = list(
        DuckDBEngine().stream(
            StoredFiles([part]),
            "SELECT n, hutong_student_no_ok(学籍号) AS ok FROM dataset WHERE n % ? = 0",
            [2],
        )
    )
    table = pa.Table.from_batches(batches)
    assert len(batches) > 1  # streamed, not one block
    assert table.num_rows == 100000 and all(table.column("ok").to_pylist()[:5])
