"""The result encoders pinned byte for byte on a small DuckDB result streamed in two batches:
Chinese text, a quoted comma, NULLs, whole and decimal numbers, dates. These are the bytes
the portal downloads, the CKAN datastore and the exchange's deliveries send."""

from __future__ import annotations

import io

import pyarrow as pa
import pyarrow.ipc as ipc
import pyarrow.parquet as pq
import pytest
from openpyxl import load_workbook

from hutong.data import export
from hutong.data.engine import scratch

SQL = """SELECT * FROM (VALUES
    (1, '北京市第一中学', 1200, 0.5, DATE '2024-01-02'),
    (2, NULL, NULL, NULL, NULL),
    (3, '说 "你好", 再见', -7, 3.25, DATE '1999-12-31')
) t(序号, 名称, 人数, 比例, 日期) ORDER BY 序号"""
COLUMNS = ["序号", "名称", "人数", "比例", "日期"]


@pytest.fixture
def batches() -> list[pa.RecordBatch]:
    with scratch() as connection:
        read = list(connection.sql(SQL).to_arrow_reader(2))
    assert [b.num_rows for b in read] == [2, 1]
    return read


def test_csv_download_has_a_bom_a_header_and_crlf_rows(batches: list[pa.RecordBatch]) -> None:
    body = b"".join(export.delimited(batches, COLUMNS, bom=True))
    assert (
        body
        == (
            "\ufeff序号,名称,人数,比例,日期\r\n"
            "1,北京市第一中学,1200,0.50,2024-01-02\r\n"
            "2,,,,\r\n"
            '3,"说 ""你好"", 再见",-7,3.25,1999-12-31\r\n'
        ).encode()
    )


def test_csv_streams_a_chunk_per_batch_after_the_header(batches: list[pa.RecordBatch]) -> None:
    chunks = list(export.delimited(batches, COLUMNS, bom=True))
    assert len(chunks) == 3 and chunks[0] == "\ufeff序号,名称,人数,比例,日期\r\n".encode()


def test_datastore_tsv_has_no_header_and_lf_rows(batches: list[pa.RecordBatch]) -> None:
    body = b"".join(export.delimited(batches, delimiter="\t", newline="\n"))
    assert body.decode() == (
        "1\t北京市第一中学\t1200\t0.50\t2024-01-02\n"
        "2\t\t\t\t\n"
        '3\t"说 ""你好"", 再见"\t-7\t3.25\t1999-12-31\n'
    )


def test_an_empty_result_without_header_is_no_bytes() -> None:
    assert b"".join(export.delimited([])) == b""


def test_json_download_is_an_array_of_objects_a_row_a_line(
    batches: list[pa.RecordBatch],
) -> None:
    body = b"".join(export.json_objects(batches)).decode()
    assert body == (
        '[{"序号": 1, "名称": "北京市第一中学", "人数": 1200, "比例": "0.50", "日期": "2024-01-02"},\n'
        '{"序号": 2, "名称": null, "人数": null, "比例": null, "日期": null},\n'
        '{"序号": 3, "名称": "说 \\"你好\\", 再见", "人数": -7, "比例": "3.25", "日期": "1999-12-31"}]\n'
    )
    assert b"".join(export.json_objects([])) == b"[]\n"


def test_json_envelope_carries_head_columns_rows_and_count(
    batches: list[pa.RecordBatch],
) -> None:
    body = b"".join(export.json_envelope(batches, COLUMNS, {"grant": "G-1"})).decode()
    assert body == (
        '{"grant": "G-1", "columns": ["序号", "名称", "人数", "比例", "日期"], "rows": '
        '[[1, "北京市第一中学", 1200, "0.50", "2024-01-02"], [2, null, null, null, null], '
        '[3, "说 \\"你好\\", 再见", -7, "3.25", "1999-12-31"]], "row_count": 3}'
    )
    empty = b"".join(export.json_envelope([], ["a"], {})).decode()
    assert empty == '{"columns": ["a"], "rows": [], "row_count": 0}'


def test_arrow_csv_quotes_text_and_keeps_an_empty_file_its_header(
    batches: list[pa.RecordBatch],
) -> None:
    body = b"".join(export.arrow_file(batches, "csv", export.text_schema(COLUMNS))).decode()
    assert body == (
        '"序号","名称","人数","比例","日期"\n'
        '1,"北京市第一中学",1200,0.50,2024-01-02\n'
        "2,,,,\n"
        '3,"说 ""你好"", 再见",-7,3.25,1999-12-31\n'
    )
    empty = b"".join(export.arrow_file([], "csv", export.text_schema(COLUMNS))).decode()
    assert empty == '"序号","名称","人数","比例","日期"\n'


@pytest.mark.parametrize("fmt", ["parquet", "arrow"])
def test_parquet_and_arrow_keep_rows_types_and_metadata(
    batches: list[pa.RecordBatch], fmt: str
) -> None:
    metadata = {b"hutong.delivery": b"tok"}
    body = b"".join(export.arrow_file(batches, fmt, export.text_schema(COLUMNS), metadata))
    read = (
        pq.read_table(io.BytesIO(body))
        if fmt == "parquet"
        else ipc.open_stream(io.BytesIO(body)).read_all()
    )
    assert read.to_pylist() == pa.Table.from_batches(batches).to_pylist()
    assert read.schema.metadata[b"hutong.delivery"] == b"tok"
    if fmt == "parquet":
        assert pq.ParquetFile(io.BytesIO(body)).metadata.num_row_groups == 2


def test_xlsx_holds_a_header_and_typed_cells(batches: list[pa.RecordBatch]) -> None:
    book = load_workbook(io.BytesIO(export.xlsx(batches, COLUMNS, "学校名录" * 10)))
    [sheet] = book.worksheets
    assert sheet.title == ("学校名录" * 10)[:31]
    cells = [[c.value for c in row] for row in sheet.iter_rows()]
    assert cells[0] == COLUMNS
    assert cells[2] == [2, None, None, None, None]
    assert cells[3][1:3] == ['说 "你好", 再见', -7]
    assert cells[1][4].date().isoformat() == "2024-01-02"
