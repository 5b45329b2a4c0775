"""The catalog workbook units compile (one sheet of entries, one of items), plus JSON and CSV.

Import is all-or-nothing: every row is validated (schema and save rules) and every error is
reported by sheet, row and column in Chinese; if any row fails, nothing is written.
"""

from __future__ import annotations

import csv
import io
import json
from collections.abc import Callable, Iterable
from dataclasses import dataclass
from datetime import date, datetime
from typing import Any

from openpyxl import Workbook, load_workbook
from openpyxl.styles import Font, PatternFill
from pydantic import ValidationError

from hutong.catalog import rules
from hutong.catalog.schemas import ItemIn, ResourceIn, ResourceOut
from hutong.catalog.vocab import (
    DataKind,
    Grade,
    ItemType,
    Labelled,
    Mask,
    OpenType,
    PiCategory,
    ResourceAttribute,
    ResourceFormat,
    ShareType,
    UpdateCycle,
)
from hutong.core.errors import ImportRejected, InvalidInput

ENTRY_SHEET, ITEM_SHEET = "信息资源", "信息项"
KEY = "序号"
LIST_SEP = "、"


@dataclass(frozen=True)
class Column:
    header: str
    field: str
    #: "text" | "int" | "number" | "bool" | "date" | "list" | a Labelled enum
    kind: type | str = "text"
    optional: bool = False  # a file without this column is still a valid template


ENTRY_COLUMNS = [
    Column("资源代码", "code"),
    Column("分类代码", "classification_code"),
    Column("资源属性", "attribute", ResourceAttribute),
    Column("信息资源名称", "name"),
    Column("提供方代码", "provider_unit_code"),
    Column("信息资源摘要", "summary"),
    Column("信息资源格式", "format", ResourceFormat),
    Column("共享类型", "share_type", ShareType),
    Column("共享条件", "share_conditions"),
    Column("共享方式", "share_method"),
    Column("不予共享依据", "share_legal_basis"),
    Column("公开类型", "open_type", OpenType),
    Column("公开条件", "open_conditions"),
    Column("公开方式", "open_method"),
    Column("更新周期", "update_cycle", UpdateCycle),
    Column("发布日期", "release_date", "date"),
    Column("关联资源代码", "related_codes", "list"),
    Column("使用要求", "usage_requirements"),
    Column("责任人", "responsible_person"),
    Column("数据类别", "data_kind", DataKind),
    Column("来源系统编号", "source_system_id", "int"),
    Column("数据级别", "grade", Grade),
    Column("一般数据子级", "general_level", "int"),
    Column("含个人信息", "has_pi", "bool"),
    Column("敏感个人信息类别", "sensitive_categories", PiCategory),
    Column("含儿童个人信息", "has_child_pi", "bool"),
    Column("涉及人数（约）", "approx_persons", "int"),
    Column("已去标识化", "deidentified", "bool"),
    Column("保存期限（天）", "retention_days", "int"),
    Column("涉密", "secret", "bool"),
    Column("一数一源说明", "overlap_justification", optional=True),
]
ITEM_COLUMNS = [
    Column("信息项名称", "name"),
    Column("数据类型", "data_type", ItemType),
    Column("数据长度", "length", "int"),
    Column("精度", "precision", "int", optional=True),
    Column("取值下限", "min_value", "number", optional=True),
    Column("取值上限", "max_value", "number", optional=True),
    Column("标准数据元", "element_ref"),
    Column("说明", "description"),
    Column("个人信息类别", "pi_category", PiCategory),
    Column("敏感", "sensitive", "bool"),
    Column("共享默认脱敏", "default_mask", Mask),
]
LIST_ENUM_FIELDS = {"sensitive_categories"}
TRUE, FALSE = {"是", "true", "1", "yes", "y"}, {"否", "false", "0", "no", "n", ""}


# --- cell ↔ value --------------------------------------------------------------------------


def to_cell(column: Column, value: Any) -> Any:
    if value is None:
        return ""
    if isinstance(column.kind, type) and issubclass(column.kind, Labelled):
        if column.field in LIST_ENUM_FIELDS:
            return LIST_SEP.join(column.kind(v).zh for v in value)
        return column.kind(value).zh
    if column.kind == "bool":
        return "是" if value else "否"
    if column.kind == "list":
        return LIST_SEP.join(value)
    if column.kind == "date":
        return value.isoformat() if isinstance(value, date) else str(value)
    return value


def from_cell(column: Column, raw: Any) -> Any:
    """Parse one cell; raises ValueError with a Chinese message on a bad value."""
    text = (
        ""
        if raw is None
        else (raw.isoformat()[:10] if isinstance(raw, datetime | date) else str(raw).strip())
    )
    kind = column.kind
    if isinstance(kind, type) and issubclass(kind, Labelled):
        if column.field in LIST_ENUM_FIELDS:
            return [_label(kind, part) for part in _split(text)]
        return _label(kind, text) if text else None
    if kind == "bool":
        if text.lower() not in TRUE | FALSE:
            raise ValueError("应填“是”或“否”")
        return text.lower() in TRUE
    if kind == "int":
        if not text:
            return None
        try:
            return int(float(text))
        except ValueError:
            raise ValueError("应为整数") from None
    if kind == "number":
        return _number(text)
    if kind == "list":
        return _split(text)
    if kind == "date":
        if not text:
            return None
        try:
            return date.fromisoformat(text)
        except ValueError:
            raise ValueError("日期格式应为 YYYY-MM-DD") from None
    return text


def _number(text: str) -> float | None:
    if not text:
        return None
    try:
        return float(text)
    except ValueError:
        raise ValueError("应为数值") from None


def _split(text: str) -> list[str]:
    return [
        p.strip()
        for p in text.replace(";", LIST_SEP)
        .replace("；", LIST_SEP)
        .replace(",", LIST_SEP)
        .split(LIST_SEP)
        if p.strip()
    ]


def _label(kind: type[Labelled], text: str) -> str:
    try:
        return kind.from_label(text).value
    except ValueError:
        allowed = "、".join(m.zh for m in kind)
        raise ValueError(f"“{text[:20]}”不是有效取值（可选：{allowed}）") from None


# --- export -------------------------------------------------------------------------------


def export_xlsx(entries: Iterable[ResourceOut]) -> bytes:
    book = Workbook()
    sheet = book.active
    sheet.title = ENTRY_SHEET
    items = book.create_sheet(ITEM_SHEET)
    bold, fill = Font(bold=True, color="FFFFFF"), PatternFill("solid", fgColor="1F3A68")
    sheet.append([KEY, *(c.header for c in ENTRY_COLUMNS)])
    items.append([KEY, *(c.header for c in ITEM_COLUMNS)])
    for row in (sheet[1], items[1]):
        for cell in row:
            cell.font, cell.fill = bold, fill
    for key, entry in enumerate(entries, start=1):
        data = entry.model_dump()
        sheet.append([key, *(to_cell(c, data.get(c.field)) for c in ENTRY_COLUMNS)])
        for item in data["items"]:
            items.append([key, *(to_cell(c, item.get(c.field)) for c in ITEM_COLUMNS)])
    for ws in (sheet, items):
        ws.freeze_panes = "B2"
        for column in ws.columns:
            ws.column_dimensions[column[0].column_letter].width = 18
    buffer = io.BytesIO()
    book.save(buffer)
    return buffer.getvalue()


def export_json(entries: Iterable[ResourceOut]) -> str:
    return json.dumps([e.model_dump(mode="json") for e in entries], ensure_ascii=False, indent=2)


def export_csv(entries: Iterable[ResourceOut]) -> str:
    """One row per entry; items as ``名称:数据类型:个人信息类别`` joined by "；"."""
    buffer = io.StringIO()
    writer = csv.writer(buffer)
    writer.writerow([*(c.header for c in ENTRY_COLUMNS), ITEM_SHEET])
    for entry in entries:
        data = entry.model_dump()
        items = "；".join(
            f"{i['name']}:{i['data_type']}:{PiCategory(i['pi_category']).zh}" for i in data["items"]
        )
        writer.writerow([*(to_cell(c, data.get(c.field)) for c in ENTRY_COLUMNS), items])
    return "\ufeff" + buffer.getvalue()  # BOM so Excel opens it as UTF-8


# --- import -------------------------------------------------------------------------------


@dataclass
class Parsed:
    """Validated entries ready to save, with the existing resource code if a row named one."""

    entries: list[tuple[str | None, ResourceIn]]


class _Problems:
    def __init__(self) -> None:
        self.items: list[dict[str, object]] = []

    def add(self, sheet: str, row: int | None, column: str | None, message: str) -> None:
        where = (
            f"工作表“{sheet}”"
            + (f"第 {row} 行" if row else "")
            + (f"“{column}”列" if column else "")
        )
        self.items.append(
            {"sheet": sheet, "row": row, "column": column, "message": f"{where}：{message}"}
        )


def _header_index(
    problems: _Problems, sheet: str, header: list[Any], columns: list[Column]
) -> dict[str, int]:
    names = [str(h).strip() if h is not None else "" for h in header]
    index = {}
    for column in [Column(KEY, "key"), *columns]:
        if column.header not in names:
            if not column.optional:
                problems.add(sheet, 1, column.header, "缺少该列（请使用平台导出的模板）")
        else:
            index[column.field] = names.index(column.header)
    return index


def _read_rows(
    problems: _Problems,
    sheet: str,
    rows: list[tuple[Any, ...]],
    columns: list[Column],
    make_row: Callable[[dict[str, Any]], None],
) -> None:
    if not rows:
        problems.add(sheet, None, None, "工作表为空")
        return
    index = _header_index(problems, sheet, list(rows[0]), columns)
    if "key" not in index or any(c.field not in index for c in columns if not c.optional):
        return
    for number, row in enumerate(rows[1:], start=2):
        if all(v in (None, "") for v in row):
            continue
        values: dict[str, Any] = {"_row": number, "_bad": set()}
        for column in [Column(KEY, "key", "int"), *columns]:
            at = index.get(column.field, len(row))
            raw = row[at] if at < len(row) else None
            try:
                values[column.field] = from_cell(column, raw)
            except ValueError as error:
                problems.add(sheet, number, column.header, str(error))
                values["_bad"].add(column.field)
        make_row(values)


def _validate(
    problems: _Problems, entries: dict[int, dict[str, Any]], items: dict[int, list[dict[str, Any]]]
) -> list[tuple[str | None, ResourceIn]]:
    headers = {c.field: c.header for c in ENTRY_COLUMNS} | {"items": ITEM_SHEET}
    out: list[tuple[str | None, ResourceIn]] = []
    for key, values in entries.items():
        row, bad = values.pop("_row"), values.pop("_bad")
        code = values.pop("code") or None
        values["items"] = items.get(key, [])
        try:
            data = ResourceIn.model_validate(
                {k: v for k, v in values.items() if v is not None and k != "key"}
            )
        except ValidationError as error:
            for e in error.errors():
                field = str(e["loc"][0]) if e["loc"] else ""
                if field in bad:
                    continue  # already reported with the cell's own message
                message = (
                    "必填"
                    if e["type"] == "missing"
                    else ("至少需要一个信息项" if field == "items" else e["msg"])
                )
                problems.add(ENTRY_SHEET, row, headers.get(field, field), message)
            continue
        data = rules.normalise(data)
        for violation in rules.violations(data):
            field = violation.field.split(".")[0]  # items.2.length: the message names the item
            problems.add(ENTRY_SHEET, row, headers.get(field, field), violation.zh)
        out.append((code, data))
    return out


def parse_xlsx(content: bytes) -> Parsed:
    problems = _Problems()
    try:
        book = load_workbook(io.BytesIO(content), read_only=True, data_only=True)
    except Exception:  # openpyxl raises many types for a file that is not a workbook
        problems.add("文件", None, None, "不是有效的 Excel 工作簿（.xlsx）")
        raise ImportRejected(problems.items) from None
    for name in (ENTRY_SHEET, ITEM_SHEET):
        if name not in book.sheetnames:
            problems.add(name, None, None, "缺少该工作表（请使用平台导出的模板）")
    if problems.items:
        raise ImportRejected(problems.items)
    entries: dict[int, dict[str, Any]] = {}
    items: dict[int, list[dict[str, Any]]] = {}

    def add_entry(values: dict[str, Any]) -> None:
        key = values.get("key")
        if key is None:
            problems.add(ENTRY_SHEET, values["_row"], KEY, "必填")
        elif key in entries:
            problems.add(ENTRY_SHEET, values["_row"], KEY, "序号重复")
        else:
            entries[key] = values

    def add_item(values: dict[str, Any]) -> None:
        key = values.pop("key", None)
        row = values.pop("_row")
        values.pop("_bad")
        if key not in entries:
            problems.add(ITEM_SHEET, row, KEY, "对应的信息资源序号不存在")
            return
        try:
            items.setdefault(key, []).append(
                ItemIn.model_validate(
                    {k: v for k, v in values.items() if v is not None}
                ).model_dump()
            )
        except ValidationError as error:
            for e in error.errors():
                header = next(
                    (
                        c.header
                        for c in ITEM_COLUMNS
                        if c.field == (e["loc"][0] if e["loc"] else "")
                    ),
                    "",
                )
                problems.add(
                    ITEM_SHEET, row, header, "必填" if e["type"] == "missing" else e["msg"]
                )

    _read_rows(
        problems,
        ENTRY_SHEET,
        list(book[ENTRY_SHEET].iter_rows(values_only=True)),
        ENTRY_COLUMNS,
        add_entry,
    )
    _read_rows(
        problems,
        ITEM_SHEET,
        list(book[ITEM_SHEET].iter_rows(values_only=True)),
        ITEM_COLUMNS,
        add_item,
    )
    parsed = _validate(problems, entries, items)
    if problems.items:
        raise ImportRejected(problems.items)
    return Parsed(parsed)


def parse_json(text: str) -> Parsed:
    problems = _Problems()
    try:
        rows = json.loads(text)
        assert isinstance(rows, list)
    except (ValueError, AssertionError):
        problems.add("JSON", None, None, "不是有效的 JSON 数组")
        raise ImportRejected(problems.items) from None
    out = []
    for number, row in enumerate(rows, start=1):
        try:
            data = rules.normalise(
                ResourceIn.model_validate(
                    {k: v for k, v in row.items() if k in ResourceIn.model_fields}
                )
            )
        except (ValidationError, AttributeError) as error:
            errors = (
                error.errors()
                if isinstance(error, ValidationError)
                else [{"loc": (), "msg": "应为对象"}]
            )
            for e in errors:
                problems.add("JSON", number, ".".join(map(str, e["loc"])), e["msg"])
            continue
        for violation in rules.violations(data):
            problems.add("JSON", number, violation.field, violation.zh)
        out.append((row.get("code"), data))
    if problems.items:
        raise ImportRejected(problems.items)
    return Parsed(out)


def decode_text(content: bytes) -> str:
    """UTF-8 (with or without BOM) or GB18030/GBK, as Excel in China often saves CSV."""
    for encoding in ("utf-8-sig", "gb18030"):
        try:
            return content.decode(encoding)
        except UnicodeDecodeError:
            continue
    raise ImportRejected(
        [
            {
                "sheet": "CSV",
                "row": None,
                "column": None,
                "message": "无法识别文件编码（支持 UTF-8、GBK、GB18030）",
            }
        ]
    )


def parse_csv(content: bytes) -> Parsed:
    problems = _Problems()
    rows = list(csv.reader(io.StringIO(decode_text(content))))
    entries: dict[int, dict[str, Any]] = {}
    items: dict[int, list[dict[str, Any]]] = {}
    if rows:
        rows[0] = [KEY, *rows[0]]
        rows[1:] = [[n, *r] for n, r in enumerate(rows[1:], start=1)]

    def add_entry(values: dict[str, Any]) -> None:
        entries[values["key"]] = values

    _read_rows(
        problems,
        "CSV",
        [tuple(r) for r in rows],
        [*ENTRY_COLUMNS, Column(ITEM_SHEET, "item_text")],
        add_entry,
    )
    for key, values in entries.items():
        parsed_items = []
        for part in _split(values.pop("item_text", "") or ""):
            name, _, rest = part.partition(":")
            data_type, _, pi = rest.partition(":")
            try:
                parsed_items.append(
                    {
                        "name": name,
                        "data_type": _label(ItemType, data_type) if data_type else "字符型",
                        "pi_category": _label(PiCategory, pi) if pi else "none",
                    }
                )
            except ValueError as error:
                problems.add("CSV", values["_row"], ITEM_SHEET, str(error))
        items[key] = parsed_items
    parsed = _validate(problems, entries, items)
    if problems.items:
        raise ImportRejected(problems.items)
    return Parsed(parsed)


# --- by format ----------------------------------------------------------------------------

FORMATS = ("xlsx", "json", "csv")


def check_format(fmt: str) -> str:
    fmt = fmt.lower().lstrip(".")
    if fmt not in FORMATS:
        raise InvalidInput(
            "仅支持 .xlsx、.json、.csv 文件", "only .xlsx, .json and .csv files", field="file"
        )
    return fmt


def export(entries: Iterable[ResourceOut], fmt: str) -> bytes:
    """The entries as a workbook, JSON or CSV file (the API and the CLI share this)."""
    fmt = check_format(fmt)
    if fmt == "xlsx":
        return export_xlsx(entries)
    return (export_json(entries) if fmt == "json" else export_csv(entries)).encode()


def parse(content: bytes, fmt: str) -> Parsed:
    """Validate an uploaded workbook, JSON or CSV file; raises ImportRejected with every error."""
    fmt = check_format(fmt)
    if fmt == "xlsx":
        return parse_xlsx(content)
    return parse_json(decode_text(content)) if fmt == "json" else parse_csv(content)
