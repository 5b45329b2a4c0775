"""The DuckDB engine streams Arrow batches over a version's Parquet files, and a query that
fails or is stopped raises a typed error (issue 12)."""

from __future__ import annotations

import duckdb
import pyarrow as pa
import pytest

from hutong.data.access import StoredFiles
from hutong.data.engine import DuckDBEngine
from hutong.data.limits import ClientGone, QueryFailed, ServerStopping, Stop, Stopped


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


def test_a_failing_statement_raises_a_typed_error_that_quotes_no_value(tmp_path):
    part = tmp_path / "part-0.parquet"
    duckdb.sql(f"COPY (SELECT '张伟' AS 姓名) TO '{part}' (FORMAT parquet)")
    stream = DuckDBEngine().stream(StoredFiles([part]), "SELECT CAST(姓名 AS BIGINT) FROM dataset")
    with pytest.raises(QueryFailed) as failed:
        stream.start()
    assert failed.value.status == 422 and "张伟" not in failed.value.zh + failed.value.en
    assert "转换" in failed.value.zh  # the kind of error is kept


def test_stored_files_that_cannot_be_read_are_a_server_error_not_the_statements(tmp_path):
    stream = DuckDBEngine().stream(StoredFiles([tmp_path / "gone.parquet"]), "SELECT 1")
    with pytest.raises(duckdb.IOException):
        list(stream)


def test_a_stop_pulled_before_the_query_starts_stops_it_at_once(tmp_path):
    part = tmp_path / "part-0.parquet"
    duckdb.sql(f"COPY (SELECT 1 AS n) TO '{part}' (FORMAT parquet)")
    stop = Stop()
    stop(Stopped.CLIENT_GONE)
    with pytest.raises(ClientGone):
        DuckDBEngine().stream(StoredFiles([part]), "SELECT n FROM dataset", stop=stop).start()


def test_a_stopped_engine_stops_the_queries_that_start_afterwards(tmp_path):
    part = tmp_path / "part-0.parquet"
    duckdb.sql(f"COPY (SELECT 1 AS n) TO '{part}' (FORMAT parquet)")
    engine = DuckDBEngine()
    engine.stop_all()
    with pytest.raises(ServerStopping):
        list(engine.stream(StoredFiles([part]), "SELECT n FROM dataset"))
