"""Rows of public datasets: CKAN ``datastore_search`` (filters, q, fields, sort, paging) and
``datastore_search_sql`` (one SELECT over public datasets only, time-limited).

Each public dataset version is exposed to DuckDB under its CKAN resource id; a request is
validated against the version's columns and compiled to SQL with every value a parameter.
The SQL endpoint reuses the policy compiler's refusal passes (hidden characters, one
statement, one read-only SELECT, no dangerous constructs, allow-listed functions) and adds
its own: every table must be a public resource.
"""

from __future__ import annotations

import json
import threading
from dataclasses import dataclass, field
from typing import Any

import pyarrow as pa
from sqlglot import exp
from sqlglot.errors import SqlglotError
from sqlglot.optimizer.scope import traverse_scope

from hutong.core.errors import HutongError, InvalidInput, NotFound
from hutong.data import export
from hutong.data.access import StoredFiles
from hutong.data.engine import EngineError, Interrupted, opened_views
from hutong.data.sql import ident
from hutong.policy.errors import ForbiddenSource, QuerySyntax
from hutong.policy.passes.functions import refuse_unlisted_functions
from hutong.policy.passes.parse import parse_one_statement
from hutong.policy.passes.statement import refuse_constructs, refuse_non_select
from hutong.policy.passes.text import refuse_hidden_characters
from hutong.policy.view import READ_DIALECT

MAX_LIMIT = 32_000
DEFAULT_LIMIT = 100
MAX_TABLES = 4
RECORDS_FORMATS = ("objects", "lists", "csv", "tsv")


class NotPublicTable(ForbiddenSource):
    """A table that is not a public resource — the same answer whether it exists or not."""

    zh_template = "只能查询公开数据集的资源（表名为 resource_id），不允许：{}"
    en_template = "only public resources (table name = resource_id) may be queried, not: {}"


class SearchQueryError(HutongError):
    """CKAN's "Search Query Error": a query the search cannot read (malformed ``fq``)."""

    status = 409
    code = "search-query-error"


def _invalid(zh: str, en: str, field: str) -> InvalidInput:
    return InvalidInput(zh, en, field=field)


def _json_param(value: Any, name: str) -> Any:
    if isinstance(value, str):
        try:
            return json.loads(value)
        except ValueError:
            raise _invalid(
                f"参数 {name} 不是合法的 JSON", f"{name} is not valid JSON", name
            ) from None
    return value


@dataclass
class Search:
    resource_id: str
    filters: dict[str, Any] = field(default_factory=dict)
    q: str | dict[str, str] = ""
    fields: list[str] | None = None
    sort: list[tuple[str, str]] = field(default_factory=list)
    limit: int = DEFAULT_LIMIT
    offset: int = 0
    include_total: bool = True
    records_format: str = "objects"

    @classmethod
    def parse(cls, params: dict[str, Any]) -> Search:
        """From CKAN parameters (query string or JSON body); bad ones are Validation Errors."""
        rid = params.get("resource_id") or params.get("id")
        if not rid or not isinstance(rid, str):
            raise _invalid("缺少 resource_id", "resource_id is required", "resource_id")
        filters = _json_param(params.get("filters") or {}, "filters")
        if not isinstance(filters, dict):
            raise _invalid("filters 须为对象", "filters must be an object", "filters")
        q = (
            _json_param(params.get("q") or "", "q")
            if str(params.get("q", "")).startswith("{")
            else params.get("q") or ""
        )
        fields = params.get("fields")
        if isinstance(fields, str):
            fields = [f.strip() for f in fields.split(",") if f.strip()]
        return cls(
            resource_id=rid,
            filters=filters,
            q=q,
            fields=fields or None,
            sort=_sort(params.get("sort") or ""),
            limit=_int(params.get("limit"), DEFAULT_LIMIT, "limit", MAX_LIMIT),
            offset=_int(params.get("offset"), 0, "offset", None),
            include_total=str(params.get("include_total", "true")).lower() not in ("false", "0"),
            records_format=_records_format(params.get("records_format")),
        )


def _int(value: Any, default: int, name: str, most: int | None) -> int:
    if value in (None, ""):
        return default
    try:
        number = int(value)
    except (TypeError, ValueError):
        raise _invalid(f"{name} 须为整数", f"{name} must be an integer", name) from None
    if number < 0 or (most is not None and number > most):
        bound = f"0–{most}" if most is not None else "≥ 0"
        raise _invalid(f"{name} 须在 {bound} 之间", f"{name} must be {bound}", name)
    return number


def _records_format(value: Any) -> str:
    value = value or "objects"
    if value not in RECORDS_FORMATS:
        raise _invalid(
            "records_format 无效",
            "records_format must be objects, lists, csv or tsv",
            "records_format",
        )
    return str(value)


def _sort(text: str | list[str]) -> list[tuple[str, str]]:
    parts = text if isinstance(text, list) else [p for p in text.split(",") if p.strip()]
    out = []
    for part in parts:
        words = part.strip().rsplit(" ", 1)
        direction = "asc"
        if len(words) == 2 and words[1].lower() in ("asc", "desc"):
            name, direction = words[0].strip().strip('"'), words[1].lower()
        else:
            name = part.strip().strip('"')
        out.append((name, direction))
    return out


@dataclass
class Page:
    fields: list[dict[str, str]]
    records: Any
    total: int | None
    limit: int
    offset: int


def _check_columns(names: list[str], columns: list[str], field: str) -> None:
    unknown = [n for n in names if n not in columns]
    if unknown:
        raise _invalid(f"{field} 含不存在的字段", f"{field} names unknown fields", field)


def build_sql(search: Search, columns: list[str], table: str) -> tuple[str, str, dict[str, Any]]:
    """(page SQL, count SQL, parameters) of a search over ``table`` (a view name)."""
    fields = search.fields or columns
    _check_columns(fields, columns, "fields")
    _check_columns(list(search.filters), columns, "filters")
    _check_columns([n for n, _d in search.sort], columns, "sort")
    params: dict[str, Any] = {}
    where = []
    for i, (name, value) in enumerate(search.filters.items()):
        values = value if isinstance(value, list) else [value]
        keys = []
        for j, v in enumerate(values):
            params[f"f{i}_{j}"] = None if v is None else str(v)
            keys.append(f"$f{i}_{j}")
        where.append(f"{ident(name)} IN ({', '.join(keys)})")
    if isinstance(search.q, dict):
        _check_columns(list(search.q), columns, "q")
        for i, (name, text) in enumerate(search.q.items()):
            params[f"q{i}"] = f"%{text}%"
            where.append(f"{ident(name)} ILIKE $q{i}")
    elif search.q:
        params["q"] = f"%{search.q}%"
        every = ", ".join(f"coalesce({ident(c)}, '')" for c in columns)
        where.append(f"concat_ws(' ', {every}) ILIKE $q")
    clause = f" WHERE {' AND '.join(where)}" if where else ""
    order = ", ".join(f"{ident(n)} {d.upper()}" for n, d in search.sort)
    page = (
        f"SELECT {', '.join(ident(f) for f in fields)} FROM {ident(table)}{clause}"
        + (f" ORDER BY {order}" if order else "")
        + f" LIMIT {search.limit} OFFSET {search.offset}"
    )
    count = f"SELECT count(*) FROM {ident(table)}{clause}"
    return page, count, params


def records(table: pa.Table, fmt: str) -> Any:
    """A page in CKAN's ``records_format``: objects or lists for the JSON answer, or CSV/TSV
    text without a header (``data/export.py``)."""
    if fmt == "objects":
        return table.to_pylist()
    if fmt == "lists":
        return [list(row) for batch in table.to_batches() for row in export.rows(batch)]
    delimiter = "," if fmt == "csv" else "\t"
    return b"".join(
        export.delimited(table.to_batches(), delimiter=delimiter, newline="\n")
    ).decode()


def run_search(files: StoredFiles, search: Search, columns: list[str], known_total: int) -> Page:
    """Run a validated search over one version; the caller has authorized and audited."""
    page_sql, count_sql, params = build_sql(search, columns, search.resource_id)
    connection = opened_views({search.resource_id: files})
    try:
        table = connection.sql(page_sql, params=params or None).to_arrow_table()
        total = None
        if search.include_total:
            filtered = bool(search.filters or search.q)
            total = (
                int(connection.execute(count_sql, params or None).fetchone()[0])
                if filtered
                else known_total
            )
    except EngineError:
        raise _invalid("查询无法执行", "the query cannot be run", "filters") from None
    finally:
        connection.close()
    fields = [{"id": name, "type": "text"} for name in (search.fields or columns)]
    return Page(fields, records(table, search.records_format), total, search.limit, search.offset)


# --- datastore_search_sql ------------------------------------------------------------------


def public_tables(tree: exp.Expression, is_public: Any) -> list[str]:
    """Every table the statement reads, each a public resource id; anything else is refused
    with one message whether it exists or not (nothing non-public is revealed)."""
    names: list[str] = []
    try:
        scopes = list(traverse_scope(tree))
    except SqlglotError:
        raise QuerySyntax() from None
    resolved = set()
    for scope in scopes:
        for node, source in scope.selected_sources.values():
            resolved.add(id(node))
            if isinstance(source, exp.Table):
                if (
                    source.args.get("db")
                    or source.args.get("catalog")
                    or not is_public(source.name)
                ):
                    raise NotPublicTable(source.sql(comments=False))
                names.append(source.name)
    for table in tree.find_all(exp.Table):
        if id(table) not in resolved:
            raise NotPublicTable(table.sql(comments=False))
    distinct = list(dict.fromkeys(names))
    if not distinct or len(distinct) > MAX_TABLES:
        raise NotPublicTable(f"{len(distinct)} tables")
    return distinct


def parse_sql(sql: str, is_public: Any) -> tuple[exp.Query, list[str]]:
    """The refusal passes of the policy compiler, then the public-tables pass and a cap."""
    tree = parse_one_statement(refuse_hidden_characters(sql), READ_DIALECT)
    for refuse in (refuse_non_select, refuse_constructs, refuse_unlisted_functions):
        tree = refuse(tree, None)  # type: ignore[arg-type]  (these passes ignore the request)
    tables = public_tables(tree, is_public)
    assert isinstance(tree, exp.Query)
    limit = tree.args.get("limit")
    asked = None
    if limit is not None:
        value = limit.expression
        if not (isinstance(value, exp.Literal) and value.is_int):
            raise _invalid("LIMIT 须为整数", "LIMIT must be a whole number", "sql")
        asked = int(value.to_py())
    tree = tree.limit(min(asked, MAX_LIMIT) if asked is not None else MAX_LIMIT, copy=False)
    return tree, tables


def run_sql(
    tree: exp.Query, views: dict[str, StoredFiles], timeout: float
) -> tuple[list[dict[str, str]], list[dict[str, Any]]]:
    """Run the checked statement, interrupted after ``timeout`` seconds."""
    connection = opened_views(views)
    timer = threading.Timer(timeout, connection.interrupt)
    timer.start()
    try:
        table = connection.sql(tree.sql(dialect=READ_DIALECT)).to_arrow_table()
    except Interrupted:
        raise _invalid("查询超时", f"the query took longer than {timeout:g} s", "sql") from None
    except EngineError:
        raise _invalid("查询无法执行", "the query cannot be run", "sql") from None
    finally:
        timer.cancel()
        connection.close()
    fields = [
        {"id": name, "type": _type(t)}
        for name, t in zip(table.column_names, table.schema.types, strict=True)
    ]
    return fields, table.to_pylist()


def _type(arrow: pa.DataType) -> str:
    if pa.types.is_integer(arrow):
        return "int"
    if pa.types.is_floating(arrow) or pa.types.is_decimal(arrow):
        return "numeric"
    return "text"


def unknown_resource() -> NotFound:
    return NotFound("资源不存在或未公开", "no such public resource", field="resource_id")
