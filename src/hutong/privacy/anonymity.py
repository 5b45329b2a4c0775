"""Privacy models over quasi-identifiers: measure k-anonymity, l-diversity, t-closeness and
re-identification risk, and propose the generalizations that reach a target k (去标识化,
N2021 task 8; decision 0011).

Everything is vectorized SQL in the caller's DuckDB connection over ``relation`` (a table or
view name, or a parenthesised subquery / table function, e.g. the view ``dataset`` of
``DuckDBEngine.connect``): equivalence classes are one ``GROUP BY`` of the quasi-identifiers,
never a Python loop over rows (DESIGN rule 8). A NULL quasi-identifier (a suppressed value)
is a value of its own, so suppressed rows form one class.

Reports carry counts and column names only, never quasi-identifier values: a class of one
row *is* a person, and the report travels to reviewers and into audit targets.
"""

from __future__ import annotations

import itertools
import math
import re
import uuid
from collections.abc import Iterator, Mapping, Sequence
from contextlib import contextmanager
from dataclasses import asdict, dataclass, field

from sqlglot import exp

from hutong.core.errors import InvalidInput
from hutong.data.engine import Connection
from hutong.privacy import masks
from hutong.privacy.masks import MaskSpec

#: Default share of rows that may be suppressed (removed) to reach k (decision 0011).
SUPPRESSION_BUDGET = 0.05
#: Rows read to recognise a column's hierarchy (dates, region codes, ages).
SAMPLE_ROWS = 20_000
_IDENTIFIER = re.compile(r"^[A-Za-z_][A-Za-z0-9_]*$")


# ----------------------------------------------------------------------------------- reports
@dataclass(frozen=True)
class ClassSize:
    """Equivalence classes of one size below the target k: how many, and how many rows."""

    size: int
    classes: int
    rows: int


@dataclass(frozen=True)
class ColumnRisk:
    """What one quasi-identifier contributes: its distinct values, and the rows that would
    still be in classes below k if it were removed (lower = this column matters more)."""

    column: str
    distinct: int
    rows_below_k_without: int


@dataclass(frozen=True)
class AnonymityReport:
    """k-anonymity, l-diversity, t-closeness and re-identification risk of one relation."""

    quasi: list[str]
    k_target: int
    rows: int
    classes: int
    #: The smallest equivalence class (0 for an empty relation).
    k_achieved: int
    classes_below_k: int
    rows_below_k: int
    #: Prosecutor risk: the largest 1/|class|, and its average over rows (= classes / rows).
    max_risk: float
    average_risk: float
    #: Class sizes below k, smallest first (counts only; no values).
    smallest: list[ClassSize] = field(default_factory=list)
    columns: list[ColumnRisk] = field(default_factory=list)
    sensitive: str | None = None
    #: Distinct l-diversity: fewest distinct sensitive values in a class.
    l_diversity: int | None = None
    #: Entropy l-diversity: exp(the smallest class entropy of the sensitive values).
    entropy_l: float | None = None
    #: t-closeness: largest Earth Mover's distance (equal ground distance, i.e. half the L1
    #: distance) between a class's and the whole relation's sensitive distribution.
    t_closeness: float | None = None

    @property
    def satisfied(self) -> bool:
        return self.rows > 0 and self.k_achieved >= self.k_target

    def as_dict(self) -> dict[str, object]:
        return asdict(self)


# ------------------------------------------------------------------------------ hierarchies
@dataclass(frozen=True)
class Hierarchy:
    """A generalization hierarchy: level 0 is the value as stored, each next level coarser,
    the last level suppresses the column (NULL). Levels are the operators' mask specs, so a
    proposal is applied by the same code as any grant or release mask."""

    kind: str
    levels: tuple[MaskSpec, ...]

    @property
    def height(self) -> int:
        return len(self.levels) - 1


HIERARCHIES: dict[str, Hierarchy] = {
    "date": Hierarchy(
        "date", (masks.Clear(), masks.DateTo(to="month"), masks.DateTo(to="year"), masks.Null())
    ),
    "region": Hierarchy(
        "region",
        (masks.Clear(), masks.RegionTo(digits=4), masks.RegionTo(digits=2), masks.Null()),
    ),
    "age": Hierarchy(
        "age",
        (
            masks.Clear(),
            masks.AgeBand(width=5),
            masks.AgeBand(width=10),
            masks.AgeBand(width=20),
            masks.Null(),
        ),
    ),
    "category": Hierarchy("category", (masks.Clear(), masks.Null())),
}


def detect_hierarchies(
    connection: Connection, relation: str, quasi: Sequence[str]
) -> dict[str, Hierarchy]:
    """Recognise each column's hierarchy from a sample of its values: dates (birth date →
    year-month → year), 6-digit division codes (6 → 4 → 2 digits), ages 0–150 written
    without leading zeros (so 民族 codes 01–56 are not ages; bands of 5, 10, 20), anything
    else a category (kept or suppressed)."""
    source = _source(relation)
    parts = []
    for i, name in enumerate(quasi):
        text = f"CAST({_quote(name)} AS VARCHAR)"
        number = f"TRY_CAST({text} AS DOUBLE)"
        parts.append(
            f"avg(CASE WHEN regexp_full_match({text}, '{_DATE}') THEN 1 ELSE 0 END) AS d{i}, "
            f"avg(CASE WHEN regexp_full_match({text}, '[1-9][0-9]{{5}}') THEN 1 ELSE 0 END) AS r{i}, "
            f"avg(CASE WHEN regexp_full_match({text}, '0|[1-9][0-9]{{0,2}}') "
            f"AND {number} <= 150 THEN 1 ELSE 0 END) AS a{i}, "
            f"COUNT(DISTINCT {text}) AS n{i}"
        )
    columns = ", ".join(_quote(name) for name in quasi)
    row = connection.execute(
        f"SELECT {', '.join(parts)} FROM (SELECT {columns} FROM {source} LIMIT {SAMPLE_ROWS})"
    ).fetchone()
    found = {}
    for i, name in enumerate(quasi):
        date, region, age, values = (row[4 * i + j] or 0 for j in range(4))
        kind = "category"
        if date >= 0.95:
            kind = "date"
        elif region >= 0.95:
            kind = "region"
        elif age >= 0.95 and values > 2:  # codes like sex 1/2 are not ages
            kind = "age"
        found[name] = HIERARCHIES[kind]
    return found


_MONTH, _DAY = "(0?[1-9]|1[0-2])", "(0?[1-9]|[12][0-9]|3[01])"
_DATE = (
    f"(19|20)[0-9]{{2}}(0[1-9]|1[0-2])(0[1-9]|[12][0-9]|3[01])"
    f"|(19|20)[0-9]{{2}}[-/]{_MONTH}[-/]{_DAY}"
)


# ---------------------------------------------------------------------------------- helpers
def _quote(name: str) -> str:
    return exp.to_identifier(name, quoted=True).sql("duckdb")


def _source(relation: str) -> str:
    """A plain name is quoted; a subquery or table function is used as written (callers pass
    our own SQL here, never a user's)."""
    return _quote(relation) if _IDENTIFIER.match(relation) else relation


def _columns(connection: Connection, relation: str) -> dict[str, str]:
    rows = connection.execute(f"DESCRIBE SELECT * FROM {_source(relation)}").fetchall()
    return {row[0]: row[1] for row in rows}


def _check(
    connection: Connection,
    relation: str,
    quasi: Sequence[str],
    k: int,
    sensitive: str | None = None,
) -> None:
    """Bad input is refused before any work: k < 2, no quasi-identifier, an unknown column."""
    if not isinstance(k, int) or k < 2:
        raise InvalidInput("k 至少为 2", "k must be at least 2", field="k")
    if not quasi:
        raise InvalidInput(
            "至少需要一个准标识符", "at least one quasi-identifier is needed", field="quasi"
        )
    if len(set(quasi)) != len(quasi):
        raise InvalidInput("准标识符重复", "a quasi-identifier is listed twice", field="quasi")
    known = _columns(connection, relation)
    for name in quasi:
        if name not in known:
            raise InvalidInput(
                f"准标识符 {name} 不是数据的列",
                f"quasi-identifier {name} is not a column",
                field="quasi",
            )
    if sensitive is not None:
        if sensitive not in known:
            raise InvalidInput(
                f"敏感属性 {sensitive} 不是数据的列",
                f"sensitive attribute {sensitive} is not a column",
                field="sensitive",
            )
        if sensitive in quasi:
            raise InvalidInput(
                "敏感属性不能同时是准标识符",
                "the sensitive attribute cannot also be a quasi-identifier",
                field="sensitive",
            )


@contextmanager
def _temp_table(connection: Connection, sql: str) -> Iterator[str]:
    name = f"hutong_anon_{uuid.uuid4().hex[:12]}"
    connection.execute(f"CREATE TEMP TABLE {name} AS {sql}")
    try:
        yield name
    finally:
        connection.execute(f"DROP TABLE IF EXISTS {name}")


# ---------------------------------------------------------------------------------- measure
def measure(
    connection: Connection,
    relation: str,
    quasi: list[str],
    sensitive: str | None = None,
    k: int = 5,
) -> AnonymityReport:
    """k achieved, classes and rows below ``k``, class sizes below ``k``, each column's
    contribution, re-identification risk and, with ``sensitive``, l-diversity and
    t-closeness of ``relation`` over ``quasi``."""
    _check(connection, relation, quasi, k, sensitive)
    source = _source(relation)
    q = ", ".join(_quote(name) for name in quasi)
    extra = {}
    if sensitive is None:
        sql = f"SELECT {q}, COUNT(*) AS n FROM {source} GROUP BY ALL"
        with _temp_table(connection, sql) as classes:
            report = _class_figures(connection, classes, quasi, k)
    else:
        s = _quote(sensitive)
        # One pass: (class, sensitive value) counts; class sizes and diversity by window.
        sql = f"""
            WITH cs AS (SELECT {q}, {s} AS s, COUNT(*) AS c FROM {source} GROUP BY ALL),
            total AS (SELECT SUM(c) AS total FROM cs),
            overall AS (SELECT s, SUM(c) / ANY_VALUE(total) AS p FROM cs, total GROUP BY s),
            w AS (SELECT cs.*, SUM(c) OVER (PARTITION BY {q}) AS n FROM cs)
            SELECT {q}, ANY_VALUE(n) AS n, COUNT(*) AS l,
                   -SUM((c / n) * ln(c / n)) AS entropy,
                   0.5 * (SUM(abs(c / n - p) - p) + 1) AS t
            FROM w JOIN overall ON w.s IS NOT DISTINCT FROM overall.s
            GROUP BY {q}"""
        with _temp_table(connection, sql) as classes:
            report = _class_figures(connection, classes, quasi, k)
            l_min, entropy_min, t_max = connection.execute(
                f"SELECT MIN(l), MIN(entropy), MAX(t) FROM {classes}"
            ).fetchone()
        extra = {
            "sensitive": sensitive,
            "l_diversity": int(l_min) if l_min is not None else None,
            "entropy_l": round(math.exp(entropy_min), 6) if entropy_min is not None else None,
            "t_closeness": round(max(0.0, float(t_max)), 6) if t_max is not None else None,
        }
    return AnonymityReport(**report, **extra)


def _class_figures(
    connection: Connection, classes: str, quasi: Sequence[str], k: int
) -> dict[str, object]:
    """The k-anonymity figures from a table of classes (quasi columns + ``n``)."""
    rows, count, smallest, below, below_rows, max_risk, sizes = connection.execute(
        f"""SELECT COALESCE(SUM(n), 0), COUNT(*), MIN(n),
                   COUNT(*) FILTER (WHERE n < {k}), COALESCE(SUM(n) FILTER (WHERE n < {k}), 0),
                   MAX(1.0 / n), histogram(n) FILTER (WHERE n < {k})
            FROM {classes}"""
    ).fetchone()
    sizes = sizes or {}
    return {
        "quasi": list(quasi),
        "k_target": k,
        "rows": int(rows),
        "classes": int(count),
        "k_achieved": int(smallest or 0),
        "classes_below_k": int(below),
        "rows_below_k": int(below_rows),
        "max_risk": float(max_risk or 0.0),
        "average_risk": float(count / rows) if rows else 0.0,
        "smallest": [
            ClassSize(int(size), int(n), int(size) * int(n)) for size, n in sorted(sizes.items())
        ],
        "columns": _column_risks(connection, classes, quasi, k),
    }


def _column_risks(
    connection: Connection, classes: str, quasi: Sequence[str], k: int
) -> list[ColumnRisk]:
    """Per column: distinct values, and rows below k without it (one GROUPING SETS query)."""
    names = [_quote(name) for name in quasi]
    distinct = connection.execute(
        f"SELECT {', '.join(f'COUNT(DISTINCT {n})' for n in names)} FROM {classes}"
    ).fetchone()
    without = dict.fromkeys(range(len(quasi)), 0)
    if len(quasi) > 1:
        sets = ", ".join(
            "(" + ", ".join(n for j, n in enumerate(names) if j != i) + ")"
            for i in range(len(quasi))
        )
        rows = connection.execute(
            f"""SELECT g, COALESCE(SUM(c) FILTER (WHERE c < {k}), 0) FROM (
                    SELECT GROUPING({", ".join(names)}) AS g, SUM(n) AS c FROM {classes}
                    GROUP BY GROUPING SETS ({sets})) GROUP BY g"""
        ).fetchall()
        width = len(quasi)
        for g, c in rows:
            # GROUPING sets bit (width-1-i) when column i is absent from the grouping set.
            dropped = next(i for i in range(width) if g >> (width - 1 - i) & 1)
            without[dropped] = int(c)
    return [ColumnRisk(name, int(distinct[i]), without[i]) for i, name in enumerate(quasi)]


# ---------------------------------------------------------------------------------- propose
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
    _check(connection, relation, quasi, k)
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
    source = _source(relation)
    q = ", ".join(_quote(name) for name in quasi)
    select, bits, distinct = ["n"], [], []
    with _temp_table(connection, f"SELECT {q}, COUNT(*) AS n FROM {source} GROUP BY ALL") as raw:
        for i, name in enumerate(quasi):
            levels = found[name].levels[:-1]  # the last level (NULL) is one class: no code
            exprs = [spec.apply(exp.column("v")).sql("duckdb") for spec in levels]
            ranks = ", ".join(
                f"dense_rank() OVER (ORDER BY {e} NULLS FIRST) - 1 AS l{j}"
                for j, e in enumerate(exprs)
            )
            connection.execute(
                f"CREATE TEMP TABLE {raw}_d{i} AS SELECT v, {ranks} "
                f"FROM (SELECT DISTINCT {_quote(name)} AS v FROM {raw})"
            )
            widths = connection.execute(
                f"SELECT {', '.join(f'MAX(l{j})' for j in range(len(exprs)))} FROM {raw}_d{i}"
            ).fetchone()
            bits.append([max(1, int(w or 0).bit_length()) for w in widths])
            distinct.append([int(w or 0) + 1 for w in widths])
        joins = " ".join(
            f"JOIN {raw}_d{i} ON {raw}_d{i}.v IS NOT DISTINCT FROM {raw}.{_quote(name)}"
            for i, name in enumerate(quasi)
        )
        for i in range(len(quasi)):
            select += [f"{raw}_d{i}.l{j}::UBIGINT AS c{i}_{j}" for j in range(len(bits[i]))]
        try:
            with _temp_table(connection, f"SELECT {', '.join(select)} FROM {raw} {joins}") as coded:
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
    _check(connection, relation, quasi, k)
    specs = {p.column: p.spec for p in proposals if p.column is not None}
    for spec in specs.values():
        if spec is not None and spec.keyed:
            raise InvalidInput(
                "泛化不能使用带密钥的算子",
                "a generalization cannot be a keyed operator",
                field="spec",
            )
    columns = list(_columns(connection, relation))
    select = []
    for name in columns:
        spec = specs.get(name)
        column = exp.column(name, quoted=True)
        select.append(
            f"{spec.apply(column).sql('duckdb')} AS {_quote(name)}" if spec else _quote(name)
        )
    sql = f"SELECT {', '.join(select)} FROM {_source(relation)}"
    if any(p.suppression for p in proposals):
        q = ", ".join(_quote(name) for name in quasi)
        sql = (
            f"SELECT * EXCLUDE (hutong_class_size) FROM (SELECT *, COUNT(*) OVER "
            f"(PARTITION BY {q}) AS hutong_class_size FROM ({sql})) "
            f"WHERE hutong_class_size >= {k}"
        )
    return sql
