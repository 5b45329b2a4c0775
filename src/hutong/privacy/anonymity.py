"""k-anonymity of a relation over its quasi-identifiers, and generalizations that reach k
(N2021 task 8: personal information made public is de-identified).

A minimal real implementation of the interface the privacy helper builds (issue 8); the
open portal's release gate (issue 7) codes against exactly these two functions. Everything
is one vectorized GROUP BY in DuckDB (DESIGN rule 8); reports carry counts and column
names, never the quasi-identifier values of a class (they could single a person out).
"""

from __future__ import annotations

from dataclasses import dataclass, field

import duckdb
from sqlglot import exp

from hutong.data.sql import ident
from hutong.privacy.operators import age_band, generalize_date, generalize_region

#: Share of rows that may be suppressed to reach k once generalization has done its part.
SUPPRESSION_BUDGET = 0.01


@dataclass(frozen=True)
class ClassSize:
    """How many equivalence classes have this size, and the rows in them."""

    size: int
    classes: int
    rows: int


@dataclass(frozen=True)
class AnonymityReport:
    """Field names as in the privacy helper's interface (issue 8), so either implementation
    serves the release gate."""

    quasi: list[str]
    k_target: int
    rows: int
    classes: int
    k_achieved: int  # the smallest equivalence class (0 for an empty relation)
    classes_below_k: int
    rows_below_k: int
    max_risk: float  # 1 / smallest class
    average_risk: float  # classes / rows: the mean over rows of 1 / class size
    smallest: list[ClassSize] = field(default_factory=list)  # sizes below k, smallest first
    sensitive: str | None = None
    l_diversity: int | None = None  # fewest distinct sensitive values in a class
    t_closeness: float | None = None  # largest total-variation distance to the whole table

    @property
    def satisfied(self) -> bool:
        return self.rows > 0 and self.k_achieved >= self.k_target

    def as_dict(self) -> dict[str, object]:
        from dataclasses import asdict

        return asdict(self)


@dataclass(frozen=True)
class Proposal:
    """One step towards k: generalize ``column`` (to level ``level`` of its hierarchy), or —
    when ``column`` is None — suppress the ``rows`` left in classes below k."""

    column: str | None
    spec: str | None
    level: int
    rows: int
    zh: str
    en: str

    @property
    def suppression(self) -> bool:
        return self.column is None


def _classes_sql(relation: str, columns: dict[str, str]) -> str:
    keys = ", ".join(f"{expr} AS {ident(name)}" for name, expr in columns.items())
    group = ", ".join(ident(name) for name in columns)
    return f"SELECT count(*) AS n FROM (SELECT {keys} FROM {relation}) GROUP BY {group}"


def _summary(
    connection: duckdb.DuckDBPyConnection, relation: str, columns: dict[str, str], k: int
) -> tuple[int, int, int, int, int, list[ClassSize]]:
    classes = _classes_sql(relation, columns)
    row = connection.execute(
        f"SELECT coalesce(min(n), 0), count(*), coalesce(sum(n), 0), "
        f"count(*) FILTER (WHERE n < {int(k)}), coalesce(sum(n) FILTER (WHERE n < {int(k)}), 0) "
        f"FROM ({classes})"
    ).fetchone()
    worst = connection.execute(
        f"SELECT n, count(*), sum(n) FROM ({classes}) WHERE n < {int(k)} GROUP BY n ORDER BY n LIMIT 5"
    ).fetchall()
    smallest, count, rows, below, rows_below = (int(v) for v in row)
    return (
        smallest,
        count,
        rows,
        below,
        rows_below,
        [ClassSize(int(a), int(b), int(c)) for a, b, c in worst],
    )


def measure(
    connection: duckdb.DuckDBPyConnection,
    relation: str,
    quasi: list[str],
    sensitive: str | None = None,
    k: int = 5,
) -> AnonymityReport:
    """k achieved by ``relation`` (a table, view or parenthesised subquery) over ``quasi``."""
    columns = {name: ident(name) for name in quasi}
    if not columns:
        raise ValueError("at least one quasi-identifier is required")
    smallest, count, rows, below, rows_below, worst = _summary(connection, relation, columns, k)
    l_div = t_close = None
    if sensitive is not None and rows:
        group = ", ".join(ident(q) for q in quasi)
        s = ident(sensitive)
        l_div = int(
            connection.execute(
                f"SELECT min(d) FROM (SELECT count(DISTINCT {s}) AS d FROM {relation} "
                f"GROUP BY {group})"
            ).fetchone()[0]
        )
        t_close = float(
            connection.execute(
                f"WITH c AS (SELECT {group}, {s} AS v, count(*) AS n FROM {relation} "
                f"GROUP BY ALL), t AS (SELECT {group}, sum(n) AS total FROM c GROUP BY ALL), "
                f"g AS (SELECT v, count(*) / {rows}::DOUBLE AS p FROM {relation} "
                f"GROUP BY v), "
                f"d AS (SELECT {', '.join('c.' + ident(q) for q in quasi)}, "
                f"abs(c.n / t.total - g.p) AS gap FROM c JOIN t USING ({group}) "
                f"JOIN g USING (v)) "
                f"SELECT coalesce(max(s) / 2, 0) FROM (SELECT sum(gap) AS s FROM d GROUP BY ALL)"
            ).fetchone()[0]
        )
    return AnonymityReport(
        quasi=list(quasi),
        k_target=k,
        rows=rows,
        classes=count,
        k_achieved=smallest,
        classes_below_k=below,
        rows_below_k=rows_below,
        max_risk=1 / smallest if smallest else 0.0,
        average_risk=count / rows if rows else 0.0,
        smallest=worst,
        sensitive=sensitive,
        l_diversity=l_div,
        t_closeness=t_close,
    )


def _hierarchy(column: str) -> list[tuple[str, str, str, exp.Expression]]:
    """Generalization steps of a quasi-identifier, mildest first, chosen by its name."""
    value = exp.column(column, quoted=True)
    lowered = column.lower()
    if any(w in lowered for w in ("出生", "生日", "birth")):
        return [
            ("month", "出生日期泛化到年月", "birth date to year-month", generalize_date(value, "month")),
            ("year", "出生日期泛化到年", "birth date to year", generalize_date(value, "year")),
        ]  # fmt: skip
    if any(w in lowered for w in ("区划", "地区", "籍贯", "户籍", "region", "area")):
        return [
            ("region4", "行政区划泛化到地市（前 4 位）", "region to city (4 digits)",
             generalize_region(value, 4)),
            ("region2", "行政区划泛化到省（前 2 位）", "region to province (2 digits)",
             generalize_region(value, 2)),
        ]  # fmt: skip
    if any(w in lowered for w in ("年龄", "age")):
        return [
            ("age5", "年龄分为 5 岁一段", "age in 5-year bands", age_band(value, 5)),
            ("age10", "年龄分为 10 岁一段", "age in 10-year bands", age_band(value, 10)),
        ]
    return [("drop", f"删除“{column}”列", f"drop the column {column}", exp.Literal.string("*"))]


def propose_generalizations(
    connection: duckdb.DuckDBPyConnection, relation: str, quasi: list[str], k: int
) -> list[Proposal]:
    """Greedy global recoding: at each step the one-level generalization with the highest k,
    until k is reached; then, if few rows remain below k, their suppression."""
    current = {name: ident(name) for name in quasi}
    levels = dict.fromkeys(quasi, 0)
    steps: list[Proposal] = []
    smallest, _c, rows, _b, rows_below, _w = _summary(connection, relation, current, k)
    while smallest < k and rows:
        best = None
        for name in quasi:
            ladder = _hierarchy(name)
            if levels[name] >= len(ladder):
                continue
            method, zh, en, expr = ladder[levels[name]]
            trial = {**current, name: expr.sql(dialect="duckdb")}
            result = _summary(connection, relation, trial, k)
            if best is None or (result[0], -result[4]) > (best[0][0], -best[0][4]):
                best = (result, name, method, zh, en, trial)
        if best is None:
            break
        result, name, method, zh, en, trial = best
        current, levels[name] = trial, levels[name] + 1
        smallest, rows_below = result[0], result[4]
        steps.append(
            Proposal(name, method, levels[name], 0, f"列 {name}：{zh}", f"column {name}: {en}")
        )
        if rows_below <= rows * SUPPRESSION_BUDGET:
            break
    if smallest < k and rows_below and rows_below <= rows * SUPPRESSION_BUDGET:
        steps.append(
            Proposal(
                None,
                None,
                0,
                rows_below,
                f"隐匿仍不足 {k} 人的 {rows_below} 行",
                f"suppress the {rows_below} rows still in classes below {k}",
            )
        )
    return steps
