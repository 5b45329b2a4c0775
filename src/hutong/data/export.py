"""Result encoders: the Arrow record batches a query streams, turned into the bytes of a
download or an answer, batch by batch, so that no result is held whole in memory (XLSX
excepted: a workbook is written at its end).

One encoder per format, shared by every caller: the open portal's downloads (CSV with a
byte-order mark, JSON, XLSX), the CKAN datastore's ``records_format`` (CSV and TSV without a
header), and the sharing exchange's online access (its JSON envelope; CSV, Parquet and Arrow
IPC written by Arrow, which the exchange fingerprints before and after, M2018 §22)."""

from __future__ import annotations

import csv
import io
import json
import tempfile
from collections.abc import Iterable, Iterator

import pyarrow as pa
import pyarrow.csv as pacsv
import pyarrow.ipc as ipc
import pyarrow.parquet as pq
from openpyxl import Workbook

MEDIA_TYPES = {
    "csv": "text/csv; charset=utf-8",
    "json": "application/json",
    "xlsx": "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
    "parquet": "application/vnd.apache.parquet",
    "arrow": "application/vnd.apache.arrow.stream",
}
#: The most data rows an XLSX sheet holds (Excel's 1,048,576 rows, less the header).
XLSX_MAX_ROWS = 1_048_575
#: Formats written by Arrow's own writers (``arrow_file``).
ARROW_FORMATS = ("csv", "parquet", "arrow")


def rows(batch: pa.RecordBatch) -> Iterator[tuple[object, ...]]:
    """A batch's rows as tuples of Python values, in column order (duplicate names kept)."""
    return zip(*(column.to_pylist() for column in batch.columns), strict=True)


def json_value(value: object) -> object:
    """A JSON scalar as it is, anything else (dates, decimals) as its text."""
    return value if isinstance(value, str | int | float | bool) or value is None else str(value)


def json_rows(batch: pa.RecordBatch) -> list[list[object]]:
    """A batch's rows as lists of JSON values."""
    return [[json_value(v) for v in row] for row in rows(batch)]


def delimited(
    batches: Iterable[pa.RecordBatch],
    header: list[str] | None = None,
    *,
    bom: bool = False,
    delimiter: str = ",",
    newline: str = "\r\n",
) -> Iterator[bytes]:
    """UTF-8 delimited text written by Python's ``csv`` (quoting only where needed, NULL as
    an empty field): the header first if given, then a chunk per batch. ``bom`` starts the
    text with a byte-order mark, so spreadsheet programs read the Chinese right."""
    out = io.StringIO()
    writer = csv.writer(out, delimiter=delimiter, lineterminator=newline)

    def take() -> bytes:
        text = out.getvalue()
        out.seek(0)
        out.truncate()
        return text.encode()

    if bom:
        out.write("\ufeff")
    if header is not None:
        writer.writerow(header)
    if out.tell():
        yield take()
    for batch in batches:
        writer.writerows(rows(batch))
        yield take()


def json_objects(batches: Iterable[pa.RecordBatch]) -> Iterator[bytes]:
    """A JSON array with one object per row, a row a line: ``[{…},\\n{…}]\\n``."""
    yield b"["
    first = True
    for batch in batches:
        for row in batch.to_pylist():
            text = json.dumps(row, ensure_ascii=False, default=str)
            yield (b"" if first else b",\n") + text.encode()
            first = False
    yield b"]\n"


def json_envelope(
    batches: Iterable[pa.RecordBatch], columns: list[str], head: dict[str, object]
) -> Iterator[bytes]:
    """``{…head, "columns": [...], "rows": [[...], ...], "row_count": n}``, streamed."""
    opening = {**head, "columns": columns}
    yield (json.dumps(opening, ensure_ascii=False)[:-1] + ', "rows": [').encode()
    count = 0
    for batch in batches:
        listed = json_rows(batch)
        if listed:
            text = json.dumps(listed, ensure_ascii=False, default=str)[1:-1]
            yield ((", " if count else "") + text).encode()
        count += len(listed)
    yield f'], "row_count": {count}}}'.encode()


def xlsx(batches: Iterable[pa.RecordBatch], columns: list[str], title: str) -> bytes:
    """One sheet named by ``title`` (Excel's 31 characters at most): the header, then the
    rows. The caller keeps the rows within ``XLSX_MAX_ROWS``."""
    workbook = Workbook(write_only=True)
    sheet = workbook.create_sheet(title[:31] or "data")
    sheet.append(columns)
    for batch in batches:
        for row in rows(batch):
            sheet.append(list(row))
    with tempfile.SpooledTemporaryFile(max_size=64 * 1024 * 1024) as handle:
        workbook.save(handle)
        handle.seek(0)
        return handle.read()


class Sink:
    """A write-only file that hands its bytes on as chunks (for a streaming response)."""

    closed = False

    def __init__(self) -> None:
        self._chunks: list[bytes] = []

    def write(self, data: bytes) -> int:
        self._chunks.append(bytes(data))
        return len(data)

    def flush(self) -> None:
        pass

    def writable(self) -> bool:
        return True

    def take(self) -> Iterator[bytes]:
        chunks, self._chunks = self._chunks, []
        return iter(chunks)


def _writer(fmt: str, sink: Sink, schema: pa.Schema, metadata: dict[bytes, bytes] | None):  # type: ignore[no-untyped-def]
    out = pa.PythonFile(sink, mode="w")
    if metadata:
        schema = schema.with_metadata({**(schema.metadata or {}), **metadata})
    if fmt == "csv":
        return pacsv.CSVWriter(out, schema)
    if fmt == "parquet":
        return pq.ParquetWriter(out, schema, compression="zstd")
    return ipc.new_stream(out, schema)


def arrow_file(
    batches: Iterable[pa.RecordBatch],
    fmt: str,
    schema: pa.Schema,
    metadata: dict[bytes, bytes] | None = None,
) -> Iterator[bytes]:
    """CSV (Arrow's writer: a header, strings quoted), Parquet (zstd, a row group per batch)
    or an Arrow IPC stream, one or more chunks per batch. ``schema`` is the file's when no
    batch comes (still a valid, empty file); ``metadata`` goes into the schema of Parquet
    and Arrow files."""
    sink = Sink()
    writer = None
    for batch in batches:
        if writer is None:
            writer = _writer(fmt, sink, batch.schema, metadata)
        if fmt == "parquet":
            writer.write_batch(batch, row_group_size=max(batch.num_rows, 1))
        else:
            writer.write_batch(batch)
        yield from sink.take()
    if writer is None:
        writer = _writer(fmt, sink, schema, metadata)
    writer.close()
    yield from sink.take()


def text_schema(columns: Iterable[str]) -> pa.Schema:
    """A schema of text columns: the file of a result with no batch at all."""
    return pa.schema([(name, pa.string()) for name in columns])
