"""Portable SQL pieces the rules need that SQLAlchemy does not spell the same way on SQLite
and PostgreSQL: the age of a timestamp in days, whether a JSON array member is empty, and the
month or local day of a timestamp for trends."""

from __future__ import annotations

from typing import Any

from sqlalchemy import Float, Integer, String
from sqlalchemy.ext.compiler import compiles
from sqlalchemy.sql.expression import ColumnElement, FunctionElement


class age_days(FunctionElement[float]):
    """Days from a timestamp column to a given moment (fractional)."""

    type = Float()
    inherit_cache = True
    name = "age_days"


@compiles(age_days, "sqlite")
def _age_days_sqlite(element: age_days, compiler: Any, **kw: Any) -> str:
    column, moment = list(element.clauses)
    return f"(julianday({compiler.process(moment, **kw)}) - julianday({compiler.process(column, **kw)}))"


@compiles(age_days)
def _age_days_default(element: age_days, compiler: Any, **kw: Any) -> str:
    column, moment = list(element.clauses)
    return (
        f"(EXTRACT(EPOCH FROM (CAST({compiler.process(moment, **kw)} AS TIMESTAMPTZ) - "
        f"{compiler.process(column, **kw)})) / 86400.0)"
    )


class json_array_length(FunctionElement[int]):
    """Length of the array stored under ``key`` of a JSON column (0 when absent)."""

    type = Integer()
    inherit_cache = True
    name = "json_array_length_of"

    def __init__(self, column: ColumnElement[Any], key: str) -> None:
        self.key = key
        super().__init__(column)


@compiles(json_array_length, "sqlite")
def _json_len_sqlite(element: json_array_length, compiler: Any, **kw: Any) -> str:
    (column,) = list(element.clauses)
    path = "$." + element.key
    return f"coalesce(json_array_length({compiler.process(column, **kw)}, '{path}'), 0)"


@compiles(json_array_length)
def _json_len_default(element: json_array_length, compiler: Any, **kw: Any) -> str:
    (column,) = list(element.clauses)
    return (
        f"coalesce(json_array_length(CAST({compiler.process(column, **kw)} AS JSON) "
        f"-> '{element.key}'), 0)"
    )


class year_month(FunctionElement[str]):
    """'YYYY-MM' of a UTC timestamp column, for monthly trends."""

    type = String()
    inherit_cache = True
    name = "year_month"


@compiles(year_month, "sqlite")
def _year_month_sqlite(element: year_month, compiler: Any, **kw: Any) -> str:
    (column,) = list(element.clauses)
    return f"substr({compiler.process(column, **kw)}, 1, 7)"


@compiles(year_month)
def _year_month_default(element: year_month, compiler: Any, **kw: Any) -> str:
    (column,) = list(element.clauses)
    return f"to_char({compiler.process(column, **kw)} AT TIME ZONE 'UTC', 'YYYY-MM')"


class local_day(FunctionElement[str]):
    """'YYYY-MM-DD' of a UTC timestamp column in Asia/Shanghai, for daily and weekly trends."""

    type = String()
    inherit_cache = True
    name = "local_day"


@compiles(local_day, "sqlite")
def _local_day_sqlite(element: local_day, compiler: Any, **kw: Any) -> str:
    (column,) = list(element.clauses)
    return f"date({compiler.process(column, **kw)}, '+8 hours')"


@compiles(local_day)
def _local_day_default(element: local_day, compiler: Any, **kw: Any) -> str:
    (column,) = list(element.clauses)
    return f"to_char({compiler.process(column, **kw)} AT TIME ZONE 'Asia/Shanghai', 'YYYY-MM-DD')"
