"""Privacy models over quasi-identifiers: measure k-anonymity, l-diversity, t-closeness and
re-identification risk (去标识化, N2021 task 8; decision 0011), and the hierarchies by which a
column can be generalized (``privacy/generalization.py`` proposes and applies them).

Everything is vectorized SQL in the caller's DuckDB connection over ``relation`` (a table or
view name, or a parenthesised subquery / table function, e.g. the view ``dataset`` of
``DuckDBEngine.connect``): equivalence classes are one ``GROUP BY`` of the quasi-identifiers,
never a Python loop over rows (DESIGN rule 8). A NULL quasi-identifier (a suppressed value)
is a value of its own, so suppressed rows form one class.

Reports carry counts and column names only, never quasi-identifier values: a class of one
row *is* a person, and the report travels to reviewers and into audit targets.
"""

from __future__ import annotations

import math
import re
import uuid
from collections.abc import Iterator, Sequence
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
    source = source_sql(relation)
    parts = []
    for i, name in enumerate(quasi):
        text = f"CAST({quoted(name)} AS VARCHAR)"
        number = f"TRY_CAST({text} AS DOUBLE)"
        parts.append(
            f"avg(CASE WHEN regexp_full_match({text}, '{_DATE}') THEN 1 ELSE 0 END) AS d{i}, "
            f"avg(CASE WHEN regexp_full_match({text}, '[1-9][0-9]{{5}}') THEN 1 ELSE 0 END) AS r{i}, "
            f"avg(CASE WHEN regexp_full_match({text}, '0|[1-9][0-9]{{0,2}}') "
            f"AND {number} <= 150 THEN 1 ELSE 0 END) AS a{i}, "
            f"COUNT(DISTINCT {text}) AS n{i}"
        )
    columns = ", ".join(quoted(name) for name in quasi)
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
def quoted(name: str) -> str:
    return exp.to_identifier(name, quoted=True).sql("duckdb")


def source_sql(relation: str) -> str:
    """A plain name is quoted; a subquery or table function is used as written (callers pass
    our own SQL here, never a user's)."""
    return quoted(relation) if _IDENTIFIER.match(relation) else relation


def columns_of(connection: Connection, relation: str) -> dict[str, str]:
    rows = connection.execute(f"DESCRIBE SELECT * FROM {source_sql(relation)}").fetchall()
    return {row[0]: row[1] for row in rows}


def checked_input(
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
    known = columns_of(connection, relation)
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
def temp_table(connection: Connection, sql: str) -> Iterator[str]:
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
    checked_input(connection, relation, quasi, k, sensitive)
    source = source_sql(relation)
    q = ", ".join(quoted(name) for name in quasi)
    extra = {}
    if sensitive is None:
        sql = f"SELECT {q}, COUNT(*) AS n FROM {source} GROUP BY ALL"
        with temp_table(connection, sql) as classes:
            report = _class_figures(connection, classes, quasi, k)
    else:
        s = quoted(sensitive)
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
        with temp_table(connection, sql) as classes:
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
    names = [quoted(name) for name in quasi]
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
