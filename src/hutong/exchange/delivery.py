"""Result formats of online access, streamed batch by batch: JSON, CSV, Parquet and Arrow
IPC; and the recipient fingerprint that every file delivery carries (M2018 §22).

A file delivery gets a random token, recorded with its grant (``Delivery``). Parquet and
Arrow IPC carry it in the schema metadata (``hutong.delivery``); CSV, which has no metadata,
carries it as a last column ``_hutong_delivery`` (dictionary-encoded, so it costs one
index byte per row before writing). ``trace`` reads a file back to its delivery, and falls
back to the SHA-256 of the whole file, recorded as the delivery streamed."""

from __future__ import annotations

import csv
import hashlib
import io
import json
from collections.abc import Iterable, Iterator
from dataclasses import dataclass
from pathlib import Path

import numpy as np
import pyarrow as pa
import pyarrow.csv as pacsv
import pyarrow.ipc as ipc
import pyarrow.parquet as pq

from hutong.core.errors import HutongError

FINGERPRINT_KEY = b"hutong.delivery"
FINGERPRINT_COLUMN = "_hutong_delivery"
MEDIA_TYPES = {
    "json": "application/json",
    "csv": "text/csv; charset=utf-8",
    "parquet": "application/vnd.apache.parquet",
    "arrow": "application/vnd.apache.arrow.stream",
}
SUFFIXES = {"csv": "csv", "parquet": "parquet", "arrow": "arrows"}


class Sink:
    """A write-only file that hands its bytes on as chunks (for the streaming response)."""

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


def _fingerprinted(batch: pa.RecordBatch, token: str) -> pa.RecordBatch:
    indices = pa.array(np.zeros(batch.num_rows, dtype=np.int8))
    column = pa.DictionaryArray.from_arrays(indices, pa.array([token]))
    return batch.append_column(FINGERPRINT_COLUMN, column)


def _writer(fmt: str, sink: Sink, schema: pa.Schema, token: str):  # type: ignore[no-untyped-def]
    out = pa.PythonFile(sink, mode="w")
    if fmt == "csv":
        return pacsv.CSVWriter(out, schema)
    schema = schema.with_metadata({**(schema.metadata or {}), FINGERPRINT_KEY: token.encode()})
    if fmt == "parquet":
        return pq.ParquetWriter(out, schema, compression="zstd")
    return ipc.new_stream(out, schema)


def empty_schema(columns: Iterable[str]) -> pa.Schema:
    return pa.schema([(name, pa.string()) for name in columns])


def encode_file(
    batches: Iterable[pa.RecordBatch], fmt: str, token: str, schema: pa.Schema
) -> Iterator[bytes]:
    """CSV, Parquet or Arrow IPC bytes, one or more chunks per batch, fingerprinted."""
    sink = Sink()
    writer = None
    for batch in batches:
        if fmt == "csv":
            batch = _fingerprinted(batch, token)
        if writer is None:
            writer = _writer(fmt, sink, batch.schema, token)
        if fmt == "parquet":
            writer.write_batch(batch, row_group_size=max(batch.num_rows, 1))
        else:
            writer.write_batch(batch)
        yield from sink.take()
    if writer is None:  # no rows: still a valid, fingerprinted file
        if fmt == "csv":
            schema = schema.append(pa.field(FINGERPRINT_COLUMN, pa.string()))
        writer = _writer(fmt, sink, schema, token)
    writer.close()
    yield from sink.take()


def _json_value(value: object) -> object:
    return value if isinstance(value, str | int | float | bool) or value is None else str(value)


def rows_of(batch: pa.RecordBatch) -> list[list[object]]:
    columns = [column.to_pylist() for column in batch.columns]
    return [[_json_value(v) for v in row] for row in zip(*columns, strict=True)]


def encode_json(
    batches: Iterable[pa.RecordBatch], columns: list[str], head: dict[str, object]
) -> Iterator[bytes]:
    """``{…head, "columns": [...], "rows": [[...], ...], "row_count": n}``, streamed."""
    opening = {**head, "columns": columns}
    yield (json.dumps(opening, ensure_ascii=False)[:-1] + ', "rows": [').encode()
    count = 0
    for batch in batches:
        rows = rows_of(batch)
        if rows:
            text = json.dumps(rows, ensure_ascii=False, default=str)[1:-1]
            yield ((", " if count else "") + text).encode()
        count += len(rows)
    yield f'], "row_count": {count}}}'.encode()


def trailer(fmt: str, error: HutongError, columns: int) -> bytes:
    """How a body that fails after its first bytes ends (docs/api.md), so that no reader takes
    a cut-short answer for a whole one. JSON closes the rows and adds an ``error`` member but
    not the closing brace, which leaves the document invalid. The files end with the line
    ``#hutong-error,<code>,<message>``: in CSV it has one field more than the header (strict
    readers refuse the file); a Parquet or Arrow file so ended has no footer or end-of-stream
    mark, and its readers refuse it."""
    if fmt == "json":
        problem = {"title": error.code, "status": error.status, "detail": error.zh}
        return ("], " + json.dumps({"error": {**problem, "detail_en": error.en}})[1:-1]).encode()
    fields = ["#hutong-error", error.code, error.zh]
    fields += [""] * (columns + 2 - len(fields))  # the header: columns + fingerprint
    line = io.StringIO()
    csv.writer(line, lineterminator="\n").writerow(fields)
    own_line = "" if fmt == "csv" else "\n"  # CSV rows end with a newline already
    return (own_line + line.getvalue()).encode()


@dataclass
class Tally:
    """Rows, bytes and SHA-256 of what was streamed (for the audit event and ``trace``)."""

    rows: int = 0
    bytes: int = 0
    digest: object = None

    def __post_init__(self) -> None:
        self.digest = hashlib.sha256()

    def count_rows(self, batches: Iterable[pa.RecordBatch]) -> Iterator[pa.RecordBatch]:
        for batch in batches:
            self.rows += batch.num_rows
            yield batch

    def count_bytes(self, chunks: Iterable[bytes]) -> Iterator[bytes]:
        for chunk in chunks:
            self.bytes += len(chunk)
            self.digest.update(chunk)  # type: ignore[attr-defined]
            yield chunk

    @property
    def sha256(self) -> str:
        return self.digest.hexdigest()  # type: ignore[attr-defined]


def _csv_token(path: Path) -> str | None:
    try:
        table = pacsv.read_csv(
            path, convert_options=pacsv.ConvertOptions(include_columns=[FINGERPRINT_COLUMN])
        )
    except (pa.ArrowInvalid, KeyError):
        return None
    values = {v for v in table.column(0).to_pylist() if v}
    return values.pop() if len(values) == 1 else None


def read_fingerprint(path: Path) -> tuple[str | None, str]:
    """(token found in the file or None, SHA-256 of the file)."""
    digest = hashlib.sha256()
    with path.open("rb") as handle:
        head = handle.read(8)
        handle.seek(0)
        for block in iter(lambda: handle.read(1 << 20), b""):
            digest.update(block)
    token: str | None = None
    try:
        if head.startswith(b"PAR1"):
            metadata = pq.read_schema(path).metadata or {}
            token = metadata.get(FINGERPRINT_KEY, b"").decode() or None
        elif head.startswith(b"\xff\xff\xff\xff") or head.startswith(b"ARROW1"):
            with pa.memory_map(str(path)) as source:
                reader = ipc.open_stream(source) if head[0] == 0xFF else ipc.open_file(source)
                metadata = reader.schema.metadata or {}
            token = metadata.get(FINGERPRINT_KEY, b"").decode() or None
        else:
            token = _csv_token(path)
    except (pa.ArrowInvalid, OSError):
        token = None
    return token, digest.hexdigest()
