"""Uploaded files as one SQL relation of text columns, whatever the format.

CSV (UTF-8 or GBK, converted on the way), XLSX (streamed row by row into CSV), JSON Lines
and Parquet (read by DuckDB, every column cast to text so validation sees what was sent).
Each source also says how its rows are numbered in messages: CSV and XLSX by line, counting
the header, the others by record."""

from __future__ import annotations

import csv
from dataclasses import dataclass
from datetime import date, datetime
from pathlib import Path

import duckdb
from openpyxl import Workbook, load_workbook

from hutong.core.errors import InvalidInput
from hutong.data import encoding
from hutong.data.sql import ident, literal

FORMATS = ("csv", "xlsx", "jsonl", "parquet")


@dataclass(frozen=True)
class Source:
    relation: str  # a FROM-clause item
    header: list[str]
    kind: str  # detected encoding for CSV, else the format
    first_row: int  # number of the first data row in messages


def check_header(names: list[str]) -> list[str]:
    names = [str(n).strip() if n is not None else "" for n in names]
    if not names or not any(names):
        raise InvalidInput("缺少表头行", "the header row is missing", field="file")
    if "" in names:
        raise InvalidInput(
            "表头有空列名（常见原因：合并单元格），请每列一个列名",
            "empty column name in the header (merged cells?)",
            field="columns",
        )
    duplicates = sorted({n for n in names if names.count(n) > 1})
    if duplicates:
        raise InvalidInput(
            f"表头列名重复：{'、'.join(duplicates)}", "duplicate column names", field="columns"
        )
    return names


def open_source(path: Path, staging: Path, suffix: str) -> Source:
    if suffix not in FORMATS:
        raise InvalidInput(
            "仅支持 CSV、XLSX、JSON Lines、Parquet 文件", "unsupported file format", field="file"
        )
    if suffix == "csv":
        return _csv(path, staging)
    if suffix == "xlsx":
        return _xlsx(path, staging)
    reader = (
        f"read_json({literal(str(path))}, format = 'newline_delimited')"
        if suffix == "jsonl"
        else f"read_parquet({literal(str(path))})"
    )
    try:
        described = duckdb.sql(f"DESCRIBE SELECT * FROM {reader}").fetchall()
    except duckdb.Error as error:
        raise InvalidInput(
            f"无法读取 {suffix} 文件",
            f"cannot read the {suffix} file: {str(error)[:200]}",
            field="file",
        ) from None
    header = check_header([row[0] for row in described])
    casts = ", ".join(f"CAST({ident(c)} AS VARCHAR) AS {ident(c)}" for c in header)
    return Source(f"(SELECT {casts} FROM {reader})", header, suffix, 1)


def _csv(path: Path, staging: Path, kind: str | None = None) -> Source:
    detected = encoding.detect(path)
    if detected == "gb18030":
        converted = staging / "source.utf8.csv"
        encoding.to_utf8(path, converted, detected)
        path = converted
    with path.open(encoding="utf-8-sig", newline="") as handle:
        header = check_header(next(csv.reader(handle), []))
    columns = "{" + ", ".join(f"{literal(c)}: 'VARCHAR'" for c in header) + "}"
    relation = (
        f"read_csv({literal(str(path))}, header = true, auto_detect = false, columns = {columns}, "
        "delim = ',', quote = '\"', escape = '\"', strict_mode = true, null_padding = false)"
    )
    return Source(relation, header, kind or detected, 2)


def _cell(value: object) -> str:
    if value is None:
        return ""
    if isinstance(value, datetime):
        return (
            value.date().isoformat()
            if value.time() == datetime.min.time()
            else value.isoformat(sep=" ")
        )
    if isinstance(value, date):
        return value.isoformat()
    if isinstance(value, float) and value.is_integer():
        return str(int(value))
    return str(value)


def open_workbook(path: Path) -> Workbook:
    """A workbook in read-only mode, or a clear error for a file that is not one."""
    try:
        return load_workbook(path, read_only=True, data_only=True)
    except Exception:  # openpyxl raises many types for a file that is not a workbook
        raise InvalidInput(
            "不是有效的 Excel 工作簿（.xlsx）", "not a valid .xlsx workbook", field="file"
        ) from None


def header_cells(row: tuple[object, ...] | list[object]) -> list[object]:
    """A first row without the empty cells read-only mode pads it with."""
    cells = list(row)
    while cells and cells[-1] is None:
        cells.pop()
    return cells


def _xlsx(path: Path, staging: Path) -> Source:
    """The first sheet, streamed row by row (read-only mode) into a UTF-8 CSV."""
    book = open_workbook(path)
    sheet = book.worksheets[0]
    target = staging / "source.xlsx.csv"
    with target.open("w", encoding="utf-8", newline="") as handle:
        writer = csv.writer(handle)
        rows = sheet.iter_rows(values_only=True)
        header = check_header(header_cells(next(rows, [])))
        writer.writerow(header)
        width = len(header)
        for line, row in enumerate(rows, start=2):
            if not row or all(v is None for v in row):
                continue
            if any(v is not None for v in row[width:]):
                raise InvalidInput(
                    f"第 {line} 行的数据超出表头的列数（表头是否有合并单元格或空列名？）",
                    f"line {line} is wider than the header",
                    field="file",
                    line=line,
                )
            writer.writerow([_cell(v) for v in row[:width]] + [""] * (width - len(row)))
    book.close()
    return _csv(target, staging, "xlsx")
