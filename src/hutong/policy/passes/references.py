"""Refuse any reference the policy view does not expose: an item outside the grant is an
error naming the item, never silently dropped (issue 6).

sqlglot's ``qualify`` resolves every column and expands ``*``, but its validation is lenient
where SQL lets a name mean something else: an unqualified name in HAVING or QUALIFY may be a
select alias, so it is not checked; and an unresolved name inside a LATERAL subquery is
assigned to the LATERAL's own alias, which it cannot see (issue 12). So each column is then
checked again by our own rule: qualified by a source its query can see that has the column,
or the name of one of its query's select items. Whole-row (``d``) and positional (``#1``)
references are refused as well: they read items that the audit event could not name."""

from __future__ import annotations

import re
from functools import lru_cache

from sqlglot import exp
from sqlglot.errors import OptimizeError
from sqlglot.optimizer.qualify import qualify
from sqlglot.optimizer.resolver import Resolver
from sqlglot.optimizer.scope import Scope, traverse_scope
from sqlglot.schema import Schema, ensure_schema

from hutong.policy.errors import ForbiddenConstruct, ItemNotGranted, QuerySyntax
from hutong.policy.request import Request
from hutong.policy.view import DATASET, READ_DIALECT

#: sqlglot's messages for a column that resolves to nothing (optionally, in a named table).
UNRESOLVED = (
    re.compile(r"Column '(?P<item>.+?)' could not be resolved(?: for table: '(?P<table>.+?)')?"),
    re.compile(r"Unknown column: (?P<item>.+)$"),
    re.compile(r"Cannot automatically join: (?P<item>.+)$"),  # USING (<item>)
)


def _unresolved(message: str) -> str | None:
    for pattern in UNRESOLVED:
        found = pattern.search(message)
        if found:
            table = found.groupdict().get("table")
            return f"{table}.{found['item']}" if table else found["item"]
    return None


@lru_cache(maxsize=256)
def _schema(exposed: tuple[str, ...]) -> Schema:
    """The dataset as the policy view exposes it, built once per set of items (building it
    normalizes every name, which cost as much as the rest of the pass)."""
    return ensure_schema({DATASET: dict.fromkeys(exposed, "VARCHAR")}, dialect=READ_DIALECT)


def refuse_unexposed_references(tree: exp.Expression, request: Request) -> exp.Expression:
    """Resolve every column with sqlglot's ``qualify``, the dataset having exactly the columns
    the policy view will expose (the granted items; ``*`` expands to them), then check each
    column again (``_refuse_unresolved_columns``). Runs on the consumer's tree just before
    the views replace the dataset."""
    schema = _schema(request.grant.exposed)
    try:
        tree = qualify(tree, schema=schema, dialect=READ_DIALECT, validate_qualify_columns=True)
    except OptimizeError as error:
        item = _unresolved(str(error))
        if item is not None:
            raise ItemNotGranted(item) from None
        raise QuerySyntax() from None
    _refuse_unresolved_columns(tree, schema, request.grant.exposed)
    return tree


def _refuse_unresolved_columns(
    tree: exp.Expression, schema: Schema, exposed: tuple[str, ...]
) -> None:
    for scope in traverse_scope(tree):
        for node in scope.walk():
            if isinstance(node, exp.PositionalColumn):
                raise ForbiddenConstruct(node.sql(dialect=READ_DIALECT))
            if isinstance(node, exp.TableColumn):
                raise ItemNotGranted(node.name)
            if isinstance(node, exp.Column) and not _resolves(node, scope, schema):
                raise ItemNotGranted(_offending(node, exposed))


def _resolves(column: exp.Column, scope: Scope, schema: Schema) -> bool:
    """A qualified column names a visible source that has it; an unqualified one (left so by
    ``qualify`` only in ORDER BY, HAVING or QUALIFY) names a select item of its query."""
    if not column.table:
        names = scope.expression.named_selects if isinstance(scope.expression, exp.Query) else []
        return _folded(column.name) in {_folded(name) for name in names}
    if column.args.get("db") or column.args.get("catalog"):
        return False
    owner = _scope_seeing(scope, column.table)
    if owner is None:
        return False
    columns = Resolver(owner, schema).get_source_columns(column.table)
    return _folded(column.name) in {_folded(name) for name in columns}


def _scope_seeing(scope: Scope, table: str) -> Scope | None:
    """The innermost scope, from ``scope`` outwards, with a source named ``table`` that the
    column can see. A subquery sees its outer queries' sources (correlation, LATERAL), but
    never itself: a LATERAL's alias names the LATERAL only outside it."""
    inner: Scope | None = None
    current: Scope | None = scope
    while current is not None:
        source = current.sources.get(table)
        if source is not None and source is not inner:
            return current
        inner, current = current, current.parent
    return None


def _offending(column: exp.Column, exposed: tuple[str, ...]) -> str:
    """The item when it is not granted, else the qualifier and item (a source that does not
    have it, or that the column cannot see)."""
    granted = _folded(column.name) in {_folded(name) for name in exposed}
    return f"{column.table}.{column.name}" if granted and column.table else column.name


def _folded(name: str) -> str:
    """Identifiers are case-insensitive in DuckDB and Spark."""
    return name.casefold()
