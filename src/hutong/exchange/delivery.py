"""Result formats of online access (JSON, CSV, Parquet and Arrow IPC, encoded by
``data/export.py``) and the recipient fingerprint that every file delivery carries (M2018 §22).

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
from hutong.data import export

FINGERPRINT_KEY = b"hutong.delivery"
FINGERPRINT_COLUMN = "_hutong_delivery"
MEDIA_TYPES = {fmt: export.MEDIA_TYPES[fmt] for fmt in ("json", "csv", "parquet", "arrow")}
SUFFIXES = {"csv": "csv", "parquet": "parquet", "arrow": "arrows"}


def _fingerprinted(batch: pa.RecordBatch, token: str) -> pa.RecordBatch:
    indices = pa.array(np.zeros(batch.num_rows, dtype=np.int8))
    column = pa.DictionaryArray.from_arrays(indices, pa.array([token]))
    return batch.append_column(FINGERPRINT_COLUMN, column)


def encode_file(
    batches: Iterable[pa.RecordBatch], fmt: str, token: str, schema: pa.Schema
) -> Iterator[bytes]:
    """CSV, Parquet or Arrow IPC bytes (``data/export.py``), fingerprinted: the token as the
    last CSV column, or in the schema metadata of the other two. ``schema`` is the file's
    when the result has no batch (``export.text_schema`` of the columns)."""
    if fmt == "csv":
        fingerprinted = (_fingerprinted(batch, token) for batch in batches)
        schema = schema.append(pa.field(FINGERPRINT_COLUMN, pa.string()))
        return export.arrow_file(fingerprinted, fmt, schema)
    return export.arrow_file(batches, fmt, schema, {FINGERPRINT_KEY: token.encode()})


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
