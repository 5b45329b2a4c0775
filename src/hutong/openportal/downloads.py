"""The rows of a public dataset as the portal shows them (the preview) and hands them out
(the CSV, JSON and XLSX downloads, M2018 §26): read through the engine, encoded by
``data/export.py``. The caller has authorized, counted and audited (``service.download``)."""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass

import pyarrow as pa

from hutong.core.errors import InvalidInput
from hutong.data import export
from hutong.data.access import StoredFiles
from hutong.data.engine import DuckDBEngine
from hutong.data.sql import ident
from hutong.openportal.public import PublicDataset

PREVIEW_ROWS = 20


@dataclass
class Download:
    """A download's body (bytes when written whole, chunks when streamed), media type and
    file name."""

    body: bytes | Iterator[bytes]
    media_type: str
    filename: str


def _batches(
    files: StoredFiles, columns: list[str], limit: int | None = None
) -> Iterator[pa.RecordBatch]:
    sql = f"SELECT {', '.join(ident(c) for c in columns)} FROM dataset"
    return iter(
        DuckDBEngine().stream(files, sql + (f" LIMIT {limit}" if limit is not None else ""))
    )


def preview(files: StoredFiles, columns: list[str], rows: int = PREVIEW_ROWS) -> list[list]:
    """The first ``rows`` rows, for the dataset page."""
    return [list(row) for batch in _batches(files, columns, rows) for row in export.rows(batch)]


def encoded(dataset: PublicDataset, files: StoredFiles, fmt: str) -> Download:
    """The dataset in ``fmt``: CSV with a byte-order mark (spreadsheet programs read the
    Chinese right) and JSON are streamed; XLSX is written whole, and refused past Excel's
    row limit."""
    columns = [c["name"] for c in dataset.columns]
    filename = f"{dataset.name}-v{dataset.version}.{fmt}"
    if fmt == "xlsx":
        if dataset.rows > export.XLSX_MAX_ROWS:
            raise InvalidInput(
                "数据行数超过 Excel 上限，请下载 CSV",
                "too many rows for Excel; download CSV",
                field="format",
            )
        body: bytes | Iterator[bytes] = export.xlsx(
            _batches(files, columns), columns, dataset.title
        )
    elif fmt == "csv":
        body = export.delimited(_batches(files, columns), columns, bom=True)
    else:
        body = export.json_objects(_batches(files, columns))
    return Download(body, export.MEDIA_TYPES[fmt], filename)
