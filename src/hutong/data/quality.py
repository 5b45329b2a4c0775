"""Validation and the quality report of a dataset version (M2018 §10, §12: 真实、准确、完整、及时).

Everything is one or two vectorized DuckDB queries over the staged rows: completeness and
validity per column, how many rows fail each check (the reasons a steward reads after the
ingest), duplicate rows, key uniqueness, and a per-row verdict used to reject the file or to
quarantine the bad rows. A column may have several checks (``rules.checks_for``)."""

from __future__ import annotations

from dataclasses import asdict, dataclass, field
from datetime import datetime
from pathlib import Path

import duckdb

from hutong.data.rules import Check
from hutong.data.sql import ident, literal

CYCLE_DAYS = {
    "realtime": 1,
    "daily": 1,
    "weekly": 7,
    "monthly": 31,
    "quarterly": 92,
    "semiannual": 183,
    "annual": 366,
}
WEIGHTS = {"completeness": 0.3, "validity": 0.4, "uniqueness": 0.15, "timeliness": 0.15}
ROW = "__row"


Checks = dict[str, list[Check]]  # item → the checks its non-empty values must pass


@dataclass
class ColumnQuality:
    name: str
    filled: int
    completeness: float
    checks: list[str]
    invalid: int  # values failing at least one check
    validity: float


@dataclass
class Reason:
    """Why values were refused: one check of one item, and how many rows it failed."""

    item: str
    check: str
    zh: str
    rows: int


@dataclass
class QualityReport:
    rows: int
    columns: list[ColumnQuality]
    duplicates: int
    key: list[str] = field(default_factory=list)
    key_duplicates: int = 0
    timeliness: float = 1.0
    score: float = 0.0
    failing_rows: int = 0  # rows with at least one failing value
    reasons: list[Reason] = field(default_factory=list)  # most frequent first

    def as_json(self) -> dict[str, object]:
        return asdict(self)


def _value(column: str) -> str:
    """Staged values are already trimmed, with empty cells as NULL (``ingest._stage_rows``)."""
    return ident(column)


def _bad(column: str, check: Check) -> str:
    return f"({_value(column)} IS NOT NULL AND NOT coalesce({check.sql(_value(column))}, false))"


def _bad_row(checks: Checks) -> str:
    return " OR ".join(_bad(n, c) for n, column in checks.items() for c in column) or "false"


def _failing(checks: Checks) -> list[tuple[str, Check]]:
    """Every (item, check) pair, in the order the report lists them."""
    return [(name, check) for name, column in checks.items() for check in column]


def measure(
    connection: duckdb.DuckDBPyConnection,
    table: str,
    checks: Checks,
    key: list[str],
    previous_at: datetime | None,
    now: datetime,
    cycle: str,
) -> QualityReport:
    """Compute the report over ``table`` (which has the ``__row`` column and item columns)."""
    columns = list(checks)
    failing = _failing(checks)
    stats = connection.execute(_stats_sql(table, checks)).fetchone()
    rows, failing_rows, per_column = stats[0], stats[1], stats[2 : 2 + 2 * len(columns)]
    reasons = [
        Reason(name, check.name, check.zh, count)
        for (name, check), count in zip(failing, stats[2 + 2 * len(columns) :], strict=True)
        if count
    ]
    # Duplicate rows by 64-bit row hashes: one pass, no sort of the wide rows. Two different
    # rows collide with probability ~n²/2⁶⁵ (about 3 in 10,000 at 100 million rows).
    listing = ", ".join(ident(c) for c in columns)
    distinct = connection.execute(
        f"SELECT count(DISTINCT hash({listing})) FROM {table}"
    ).fetchone()[0]
    key_duplicates = 0
    if key:
        keys = ", ".join(ident(k) for k in key)
        not_null = " AND ".join(f"{_value(k)} IS NOT NULL" for k in key)
        key_duplicates = connection.execute(
            f"SELECT count(*) - count(DISTINCT ({keys})) FROM {table} WHERE {not_null}"
        ).fetchone()[0]
    report_columns = []
    for index, name in enumerate(columns):
        filled, invalid = per_column[2 * index], per_column[2 * index + 1]
        report_columns.append(
            ColumnQuality(
                name=name,
                filled=filled,
                completeness=round(filled / rows, 4) if rows else 0.0,
                checks=[check.name for check in checks[name]],
                invalid=invalid,
                validity=round(1 - invalid / filled, 4) if filled else 1.0,
            )
        )
    report = QualityReport(
        rows=rows,
        columns=report_columns,
        duplicates=rows - distinct,
        key=key,
        key_duplicates=key_duplicates,
        timeliness=_timeliness(previous_at, now, cycle),
        failing_rows=failing_rows,
        reasons=sorted(reasons, key=lambda r: -r.rows),
    )
    report.score = _score(report)
    return report


def _stats_sql(table: str, checks: Checks) -> str:
    """One pass that judges each value once: the inner query computes every check's verdict
    as a column, the outer one counts rows, filled cells and failures per column and check."""
    verdicts, by_column, k = [], [], 0
    for name, column in checks.items():
        verdicts.append(f"{_value(name)} IS NOT NULL AS __filled{len(by_column)}")
        mine = []
        for check in column:
            verdicts.append(f"{_bad(name, check)} AS __bad{k}")
            mine.append(f"__bad{k}")
            k += 1
        by_column.append(" OR ".join(mine) or "false")
    every = [f"__bad{n}" for n in range(k)]
    parts = ["count(*)", f"count(*) FILTER (WHERE {' OR '.join(every) or 'false'})"]
    for index, bad in enumerate(by_column):
        parts += [f"count(*) FILTER (WHERE __filled{index})", f"count(*) FILTER (WHERE {bad})"]
    parts += [f"count(*) FILTER (WHERE {bad})" for bad in every]
    return f"SELECT {', '.join(parts)} FROM (SELECT {', '.join(verdicts)} FROM {table})"


def _timeliness(previous_at: datetime | None, now: datetime, cycle: str) -> float:
    """1.0 when this version came within its declared update cycle (or there is no cycle)."""
    days = CYCLE_DAYS.get(cycle)
    if previous_at is None or days is None:
        return 1.0
    late = (now - previous_at).total_seconds() / 86400 - days
    return 1.0 if late <= 0 else round(max(0.0, 1 - late / days), 4)


def _score(report: QualityReport) -> float:
    columns = report.columns or []
    completeness = sum(c.completeness for c in columns) / len(columns) if columns else 1.0
    checked = [c for c in columns if c.checks]
    validity = sum(c.validity for c in checked) / len(checked) if checked else 1.0
    uniqueness = (
        1 - (report.duplicates + report.key_duplicates) / report.rows if report.rows else 1.0
    )
    parts = {
        "completeness": completeness,
        "validity": validity,
        "uniqueness": uniqueness,
        "timeliness": report.timeliness,
    }
    return round(100 * sum(WEIGHTS[k] * v for k, v in parts.items()), 1)


def invalid_rows(
    connection: duckdb.DuckDBPyConnection,
    table: str,
    checks: Checks,
    limit: int | None = None,
) -> list[tuple[int, str, str]]:
    """(row number, column, Chinese message) for failing cells — never the value itself."""
    selects = [
        f"SELECT {ROW}, {literal(name)} AS col, {literal(check.zh)} AS msg FROM {table} "
        f"WHERE {_bad(name, check)}"
        for name, check in _failing(checks)
    ]
    if not selects:
        return []
    sql = (
        " UNION ALL ".join(selects)
        + f" ORDER BY {ROW}, col"
        + (f" LIMIT {int(limit)}" if limit else "")
    )
    return [(int(r), c, m) for r, c, m in connection.execute(sql).fetchall()]


def split(
    connection: duckdb.DuckDBPyConnection,
    table: str,
    checks: Checks,
    good: Path,
    rejects: Path,
) -> int:
    """Write valid rows to ``good`` (Parquet) and failing rows with reasons to ``rejects``
    (CSV the steward can fix and re-submit); returns how many rows were rejected."""
    bad_any = _bad_row(checks)
    reasons = ", ".join(
        f"CASE WHEN {_bad(n, c)} THEN {literal(n + '：' + c.zh)} END" for n, c in _failing(checks)
    )
    listing = ", ".join(ident(c) for c in checks)
    connection.execute(
        f"COPY (SELECT {listing} FROM {table} WHERE NOT ({bad_any})) "
        f"TO {literal(str(good))} (FORMAT parquet)"
    )
    reason_sql = f"concat_ws('；', {reasons})" if reasons else "''"
    return connection.execute(
        f"COPY (SELECT {ROW} AS 行号, {reason_sql} AS 错误, {listing} FROM {table} "
        f"WHERE {bad_any} ORDER BY {ROW}) TO {literal(str(rejects))} (HEADER, DELIMITER ',')"
    ).fetchone()[0]


def reasons_zh(reasons: list[dict[str, object]], limit: int = 5) -> str:
    """The most frequent reasons as one Chinese line: “在校生数”不是整数（2 行）；…"""
    shown = [f"“{r['item']}”{r['zh']}（{r['rows']:,} 行）" for r in reasons[:limit]]
    more = len(reasons) - limit
    return "；".join(shown) + (f"；另有 {more} 种原因" if more > 0 else "")
