"""Quoting for SQL that the data plane writes for DuckDB (file paths, column names, messages)."""

from __future__ import annotations


def literal(text: str) -> str:
    """A string literal: single quotes doubled."""
    return "'" + text.replace("'", "''") + "'"


def ident(name: str) -> str:
    """A quoted identifier: double quotes doubled (column names are Chinese and free-form)."""
    return '"' + name.replace('"', '""') + '"'
