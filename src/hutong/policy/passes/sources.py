"""Refuse every source but the dataset: other tables, schema-qualified names, system catalogs
(``duckdb_*``, ``information_schema``, ``pg_catalog``), file paths, table functions, and CTEs
that take the name ``dataset`` so a later reference would mean something else; and a PIVOT or
UNPIVOT, which rides on the dataset's table node that the policy view replaces."""

from __future__ import annotations

from sqlglot import exp
from sqlglot.errors import SqlglotError
from sqlglot.optimizer.scope import traverse_scope

from hutong.policy.errors import ForbiddenConstruct, ForbiddenSource, QuerySyntax
from hutong.policy.request import Request
from hutong.policy.view import DATASET

#: A query may read the dataset this many times (a join of the dataset with itself, a
#: subquery) — enough for analysis, not enough for a cross-join explosion.
MAX_DATASET_READS = 4


def is_dataset(table: exp.Table) -> bool:
    """The bare name ``dataset`` (identifiers are case-insensitive in DuckDB and Spark)."""
    return (
        isinstance(table.this, exp.Identifier)
        and not table.args.get("db")
        and not table.args.get("catalog")
        and table.name.casefold() == DATASET
    )


def _refuse_shadowing(tree: exp.Expression) -> None:
    for cte in tree.find_all(exp.CTE):
        if cte.alias_or_name.casefold() == DATASET:
            raise ForbiddenSource(f"WITH {cte.alias_or_name}")


def _refuse_pivots(tree: exp.Expression) -> None:
    if tree.find(exp.Pivot) is not None:
        raise ForbiddenConstruct("PIVOT/UNPIVOT")


def _table_reads(tree: exp.Expression) -> tuple[list[exp.Table], set[int]]:
    """The reads of real tables (refused unless the dataset) and every Table node a scope
    resolved, CTE references included."""
    reads, resolved = [], set()
    try:
        for scope in traverse_scope(tree):
            for node, source in scope.selected_sources.values():
                resolved.add(id(node))
                if isinstance(source, exp.Table):
                    if not is_dataset(source):
                        raise ForbiddenSource(source.sql(comments=False))
                    reads.append(source)
    except SqlglotError:  # e.g. one alias for two tables
        raise QuerySyntax() from None
    return reads, resolved


def refuse_other_sources(tree: exp.Expression, request: Request) -> exp.Expression:
    _refuse_shadowing(tree)
    _refuse_pivots(tree)
    reads, resolved = _table_reads(tree)
    # A table that no scope resolved (e.g. in an unusual clause) is refused too.
    for table in tree.find_all(exp.Table):
        if id(table) not in resolved:
            raise ForbiddenSource(table.sql(comments=False))
    if len(reads) > MAX_DATASET_READS:
        raise ForbiddenSource(f"{len(reads)} × {DATASET}")
    return tree
