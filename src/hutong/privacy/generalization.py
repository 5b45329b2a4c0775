"""Generalizations that make a relation k-anonymous (去标识化, N2021 task 8; decision 0011):
the search over the lattice of hierarchy levels with residual row suppression, the proposal in
words for reviewers, and the SELECT that applies it. Measuring is ``privacy/anonymity.py``.

Like measuring, everything is vectorized SQL in the caller's DuckDB connection; proposals
carry column names and counts only, never quasi-identifier values.
"""

from __future__ import annotations

import itertools
import math
from collections.abc import Iterator, Mapping, Sequence
from contextlib import contextmanager
from dataclasses import dataclass

from sqlglot import exp

from hutong.core.errors import InvalidInput
from hutong.data.engine import Connection
from hutong.privacy.anonymity import (
    SUPPRESSION_BUDGET,
    Hierarchy,
    checked_input,
    columns_of,
    detect_hierarchies,
    quoted,
    source_sql,
    temp_table,
)
from hutong.privacy.masks import MaskSpec


@dataclass(frozen=True)
class Proposal:
    """One step towards k: generalize ``column`` to ``spec`` (level ``level`` of its
    hierarchy), or — when ``column`` is None — suppress the ``rows`` left in classes below k.
    ``zh`` / ``en`` say it in words for reviewers."""

    column: str | None
    spec: MaskSpec | None
    level: int
    rows: int
    zh: str
    en: str

    @property
    def suppression(self) -> bool:
        return self.column is None


_WORDS = {
    "date": (
        {1: ("出生日期等日期精确到年月", "date to year-month"), 2: ("日期精确到年", "date to year")}
    ),
    "region": (
        {
            1: ("行政区划码截至地市（4 位）", "region code to 4 digits (city)"),
            2: ("行政区划码截至省（2 位）", "region code to 2 digits (province)"),
        }
    ),
    "age": (
        {
            1: ("年龄按 5 岁分组", "age in 5-year bands"),
            2: ("年龄按 10 岁分组", "age in 10-year bands"),
            3: ("年龄按 20 岁分组", "age in 20-year bands"),
        }
    ),
}


def _words(column: str, hierarchy: Hierarchy, level: int) -> tuple[str, str]:
    if level == hierarchy.height:
        return f"列 {column} 整列隐去", f"suppress column {column}"
    zh, en = _WORDS[hierarchy.kind][level]
    return f"列 {column}：{zh}", f"column {column}: {en}"


@dataclass(frozen=True)
class _Node:
    levels: tuple[int, ...]
    suppressed: int
    discernibility: int


def propose_generalizations(
    connection: Connection,
    relation: str,
    quasi: list[str],
    k: int,
    *,
    budget: float = SUPPRESSION_BUDGET,
    hierarchies: Mapping[str, Hierarchy] | None = None,
) -> list[Proposal]:
    """The generalizations (global recoding, one hierarchy level per column) and the residual
    row suppression, within ``budget`` (a share of rows), that make ``relation`` k-anonymous
    over ``quasi``. Empty when it already is.

    Search (decision 0011): the lattice of level combinations is monotone — generalizing
    never puts a row into a smaller class — so the lowest total height with a solution is
    found by binary search over heights (Samarati); at each height the nodes with the fewest
    possible classes are evaluated first, a few per query over integer-coded classes, until
    one is a solution; among the solutions found at the lowest height, the one with the
    smallest discernibility (Σ|class|² + suppressed × rows) wins."""
    checked_input(connection, relation, quasi, k)
    if not 0 <= budget < 1:
        raise InvalidInput(
            "隐匿预算须在 0 与 1 之间", "the suppression budget must be in [0, 1)", field="budget"
        )
    found = detect_hierarchies(connection, relation, quasi)
    found.update({name: h for name, h in (hierarchies or {}).items() if name in found})
    chosen = _search(connection, relation, quasi, k, budget, found)
    proposals = []
    for name, level in zip(quasi, chosen.levels, strict=True):
        if level:
            hierarchy = found[name]
            zh, en = _words(name, hierarchy, level)
            proposals.append(Proposal(name, hierarchy.levels[level], level, 0, zh, en))
    if chosen.suppressed:
        proposals.append(
            Proposal(
                None,
                None,
                0,
                chosen.suppressed,
                f"隐匿仍处于不足 {k} 人等价类中的 {chosen.suppressed} 行",
                f"suppress the {chosen.suppressed} rows still in classes below {k}",
            )
        )
    return proposals


def _search(
    connection: Connection,
    relation: str,
    quasi: Sequence[str],
    k: int,
    budget: float,
    found: Mapping[str, Hierarchy],
) -> _Node:
    heights = [found[name].height for name in quasi]
    lattice = list(itertools.product(*(range(h + 1) for h in heights)))
    with _coded_classes(connection, relation, quasi, found) as (table, bits, distinct):
        total = connection.execute(f"SELECT COALESCE(SUM(n), 0) FROM {table}").fetchone()[0]
        allowed = math.floor(budget * total)
        failed: list[tuple[int, ...]] = []

        def estimate(levels: tuple[int, ...]) -> float:
            """Classes a node can have at most: the product of its levels' distinct values."""
            return math.prod(
                distinct[i][level] for i, level in enumerate(levels) if level < len(distinct[i])
            )

        def solutions_at(height: int) -> list[_Node]:
            """Solutions at ``height``, evaluating the likeliest (fewest classes) first and
            stopping at the first batch with one; nodes below a failed node fail without a
            query (monotonicity)."""
            nodes = sorted((levels for levels in lattice if sum(levels) == height), key=estimate)
            nodes = [n for n in nodes if not any(_below(n, f) for f in failed)]
            for start in range(0, len(nodes), BATCH):
                evaluated = _evaluate(
                    connection, table, bits, nodes[start : start + BATCH], k, total
                )
                good = [node for node in evaluated if node.suppressed <= allowed]
                failed.extend(node.levels for node in evaluated if node.suppressed > allowed)
                if good:
                    return good
            return []

        low, high = 0, sum(heights)
        best = solutions_at(high) or [_Node(tuple(heights), int(total), int(total) ** 2)]
        while low < high:  # the lowest height with a solution (monotone in the height)
            middle = (low + high) // 2
            solutions = solutions_at(middle)
            if solutions:
                best, high = solutions, middle
            else:
                low = middle + 1
    return min(best, key=lambda node: (node.discernibility, node.levels))


#: Lattice nodes evaluated per query while looking for a solution at one height.
BATCH = 4


def _below(node: tuple[int, ...], other: tuple[int, ...]) -> bool:
    """``node`` is at or below ``other`` in every column (so it fails when ``other`` does)."""
    return all(a <= b for a, b in zip(node, other, strict=True))


@contextmanager
def _coded_classes(
    connection: Connection,
    relation: str,
    quasi: Sequence[str],
    found: Mapping[str, Hierarchy],
) -> Iterator[tuple[str, list[list[int]], list[list[int]]]]:
    """The relation's classes with each column's every level as a small integer code
    (``c{i}_{level}``, dense ranks of the generalized values), so a lattice node groups by
    integers; ``bits[i][level]`` is the width of that code, ``distinct[i][level]`` the number
    of its values."""
    source = source_sql(relation)
    q = ", ".join(quoted(name) for name in quasi)
    select, bits, distinct = ["n"], [], []
    with temp_table(connection, f"SELECT {q}, COUNT(*) AS n FROM {source} GROUP BY ALL") as raw:
        for i, name in enumerate(quasi):
            levels = found[name].levels[:-1]  # the last level (NULL) is one class: no code
            exprs = [spec.apply(exp.column("v")).sql("duckdb") for spec in levels]
            ranks = ", ".join(
                f"dense_rank() OVER (ORDER BY {e} NULLS FIRST) - 1 AS l{j}"
                for j, e in enumerate(exprs)
            )
            connection.execute(
                f"CREATE TEMP TABLE {raw}_d{i} AS SELECT v, {ranks} "
                f"FROM (SELECT DISTINCT {quoted(name)} AS v FROM {raw})"
            )
            widths = connection.execute(
                f"SELECT {', '.join(f'MAX(l{j})' for j in range(len(exprs)))} FROM {raw}_d{i}"
            ).fetchone()
            bits.append([max(1, int(w or 0).bit_length()) for w in widths])
            distinct.append([int(w or 0) + 1 for w in widths])
        joins = " ".join(
            f"JOIN {raw}_d{i} ON {raw}_d{i}.v IS NOT DISTINCT FROM {raw}.{quoted(name)}"
            for i, name in enumerate(quasi)
        )
        for i in range(len(quasi)):
            select += [f"{raw}_d{i}.l{j}::UBIGINT AS c{i}_{j}" for j in range(len(bits[i]))]
        try:
            with temp_table(connection, f"SELECT {', '.join(select)} FROM {raw} {joins}") as coded:
                yield coded, bits, distinct
        finally:
            for i in range(len(quasi)):
                connection.execute(f"DROP TABLE IF EXISTS {raw}_d{i}")


def _evaluate(
    connection: Connection,
    table: str,
    bits: list[list[int]],
    nodes: list[tuple[int, ...]],
    k: int,
    total: int,
) -> list[_Node]:
    """Suppressed rows and discernibility of each node, one query for all of them: each
    node's key packs its columns' codes into one integer."""
    keys = []
    for levels in nodes:
        parts, shift = [], 0
        for i, level in enumerate(levels):
            if level < len(bits[i]):  # the top level (NULL) adds nothing to the key
                parts.append(f"(c{i}_{level} << {shift})" if shift else f"c{i}_{level}")
                shift += bits[i][level]
        if shift > 63:
            raise InvalidInput(
                "准标识符组合过多，请减少准标识符",
                "too many quasi-identifier combinations; use fewer quasi-identifiers",
                field="quasi",
            )
        keys.append(" | ".join(parts) if parts else "0::UBIGINT")
    unions = " UNION ALL ".join(
        f"SELECT {i} AS node, SUM(n) AS c FROM {table} GROUP BY {key}" for i, key in enumerate(keys)
    )
    rows = connection.execute(
        f"""SELECT node, COALESCE(SUM(c) FILTER (WHERE c < {k}), 0),
                   COALESCE(SUM(c * c) FILTER (WHERE c >= {k}), 0)
            FROM ({unions}) GROUP BY node"""
    ).fetchall()
    return [
        _Node(nodes[i], int(suppressed), int(dm) + int(suppressed) * int(total))
        for i, suppressed, dm in rows
    ]


# ------------------------------------------------------------------------------------ apply
def generalized_sql(
    connection: Connection,
    relation: str,
    quasi: list[str],
    proposals: Sequence[Proposal],
    k: int,
) -> str:
    """A SELECT over ``relation`` with the proposals applied: each generalized column through
    its operator, then — when a proposal suppresses rows — the rows still in classes below
    ``k`` removed. Other columns pass unchanged. Keyed specs are not generalizations and are
    refused."""
    checked_input(connection, relation, quasi, k)
    specs = {p.column: p.spec for p in proposals if p.column is not None}
    for spec in specs.values():
        if spec is not None and spec.keyed:
            raise InvalidInput(
                "泛化不能使用带密钥的算子",
                "a generalization cannot be a keyed operator",
                field="spec",
            )
    columns = list(columns_of(connection, relation))
    select = []
    for name in columns:
        spec = specs.get(name)
        column = exp.column(name, quoted=True)
        select.append(
            f"{spec.apply(column).sql('duckdb')} AS {quoted(name)}" if spec else quoted(name)
        )
    sql = f"SELECT {', '.join(select)} FROM {source_sql(relation)}"
    if any(p.suppression for p in proposals):
        q = ", ".join(quoted(name) for name in quasi)
        sql = (
            f"SELECT * EXCLUDE (hutong_class_size) FROM (SELECT *, COUNT(*) OVER "
            f"(PARTITION BY {q}) AS hutong_class_size FROM ({sql})) "
            f"WHERE hutong_class_size >= {k}"
        )
    return sql
