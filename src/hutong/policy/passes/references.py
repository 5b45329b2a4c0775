"""Refuse any reference the policy view does not expose: an item outside the grant is an
error naming the item, never silently dropped (issue 6)."""

from __future__ import annotations

import re

from sqlglot import exp
from sqlglot.errors import OptimizeError
from sqlglot.optimizer.qualify import qualify

from hutong.policy.errors import ItemNotGranted, QuerySyntax
from hutong.policy.request import Request
from hutong.policy.view import DATASET, READ_DIALECT

#: sqlglot's messages for a column that resolves to nothing (optionally, in a named table).
UNRESOLVED = (
    re.compile(r"Column '(?P<item>.+?)' could not be resolved(?: for table: '(?P<table>.+?)')?"),
    re.compile(r"Unknown column: (?P<item>.+)$"),
)


def _unresolved(message: str) -> str | None:
    for pattern in UNRESOLVED:
        found = pattern.search(message)
        if found:
            table = found.groupdict().get("table")
            return f"{table}.{found['item']}" if table else found["item"]
    return None


def refuse_unexposed_references(tree: exp.Expression, request: Request) -> exp.Expression:
    """Resolve every column with sqlglot's ``qualify``, the dataset having exactly the columns
    the policy view will expose (the granted items; ``*`` expands to them). Runs on the
    consumer's tree just before the views replace the dataset."""
    schema = {DATASET: dict.fromkeys(request.grant.exposed, "VARCHAR")}
    try:
        return qualify(tree, schema=schema, dialect=READ_DIALECT, validate_qualify_columns=True)
    except OptimizeError as error:
        item = _unresolved(str(error))
        if item is not None:
            raise ItemNotGranted(item) from None
        raise QuerySyntax() from None
