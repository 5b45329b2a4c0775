"""Parse the consumer's SQL into exactly one statement."""

from __future__ import annotations

import sqlglot
from sqlglot import exp
from sqlglot.errors import SqlglotError

from hutong.policy.errors import NotOneSelect, QuerySyntax
from hutong.policy.passes.text import MAX_SQL


def parse_one_statement(sql: str, dialect: str) -> exp.Expression:
    """One statement or a refusal: several statements (``SELECT 1; DROP …``, also when a
    comment hides the separator) are refused before anything is looked at."""
    if len(sql) > MAX_SQL:
        raise NotOneSelect(f"{len(sql)} characters")
    try:
        statements = [s for s in sqlglot.parse(sql, read=dialect) if s is not None]
    except SqlglotError:
        raise QuerySyntax() from None
    if len(statements) != 1:
        raise NotOneSelect(f"{len(statements)} statements")
    return statements[0]
