"""Statistical release (N2021 tasks 6 and 8: desensitization before statistics): an aggregate
table of counts (and optionally sums) by one to four items, with small cells suppressed and,
on request, differentially private figures from OpenDP with the accuracy next to each.

Aggregation is one ``GROUP BY`` in DuckDB; the rest works on cells, not rows.

**Primary suppression**: a count below ``threshold`` (but not zero) is withheld.
**Complementary suppression**: the table also publishes every marginal total (each *line* —
all cells that agree on every dimension but one — has a total), so a line with exactly one
withheld cell would give it away by subtraction; the smallest other published non-zero cell
of such a line is withheld too (a zero cell only when nothing else is left), repeated until
every line of two cells or more has none or at least two withheld cells. Marginal totals
below the threshold, or over a line that still has one withheld cell, are withheld as well,
and then the grand total too.

This is the classic "at least two per line" heuristic, not an optimal (linear-programming)
pattern such as Tau-Argus computes: it is small, deterministic and fast on the tables the
platform releases, and it never publishes a cell that one line total gives away
(decision 0013 says why no library was taken). ``protect_table`` applies the same suppression
to a table that is already aggregated (one row per cell), such as a file submitted for
public release, where a count the provider already withheld (NULL or not a number) counts
as withheld.

**Differential privacy** (optional, ``epsilon`` > 0): counts get discrete Laplace noise of
scale 1/ε₁ (one person changes one cell by one), sums Laplace noise of scale
max(|low|, |high|)/ε₂ over values clamped to ``sum_bounds``; with both, ε is split evenly.
Noise is added before suppression (post-processing keeps the guarantee). Each figure carries
its accuracy: with probability ``confidence`` the noise is within ± that amount. The set of
cells is taken as public (the items' code lists), as is usual for released tables.
"""

from __future__ import annotations

from collections import defaultdict, deque
from dataclasses import dataclass, field

from hutong.core.errors import InvalidInput
from hutong.data.engine import Connection
from hutong.data.sql import ident

SUPPRESSED = None
#: The row-number column ``withheld_sql`` adds and drops again (no dataset column starts so).
ROW = "__hutong_row"


@dataclass
class Cell:
    key: tuple[object, ...]
    count: int | None
    sum: float | None = None
    primary: bool = False
    complementary: bool = False
    #: row number in file order, for cells read from an aggregated table
    row: int | None = None

    @property
    def suppressed(self) -> bool:
        return self.primary or self.complementary


@dataclass
class ReleaseTable:
    by: list[str]
    threshold: int
    cells: list[Cell]
    #: (dimension index, key without that dimension) → published total or None (withheld)
    margins: dict[tuple[int, tuple[object, ...]], int | None]
    total: int | None
    epsilon: float | None = None
    count_accuracy: float | None = None
    sum_accuracy: float | None = None
    confidence: float = 0.95
    notes: list[str] = field(default_factory=list)

    def rows(self) -> list[dict[str, object]]:
        """Cells as published: withheld figures are None, with the reason."""
        out = []
        for cell in self.cells:
            row: dict[str, object] = dict(zip(self.by, cell.key, strict=True))
            row["count"] = None if cell.suppressed else cell.count
            if self.count_accuracy is not None:
                row["count_accuracy"] = round(self.count_accuracy, 2)
            if cell.sum is not None or self.sum_accuracy is not None:
                row["sum"] = None if cell.suppressed else cell.sum
                if self.sum_accuracy is not None:
                    row["sum_accuracy"] = round(self.sum_accuracy, 2)
            row["suppressed"] = (
                "primary" if cell.primary else "complementary" if cell.complementary else ""
            )
            out.append(row)
        return out

    def as_dict(self) -> dict[str, object]:
        return {
            "by": self.by,
            "threshold": self.threshold,
            "rows": self.rows(),
            "margins": [
                {"dimension": self.by[d], "key": list(k), "total": v}
                for (d, k), v in sorted(self.margins.items(), key=lambda i: (i[0][0], str(i[0][1])))
            ],
            "total": self.total,
            "epsilon": self.epsilon,
            "confidence": self.confidence,
            "count_accuracy": self.count_accuracy,
            "sum_accuracy": self.sum_accuracy,
            "primary_suppressed": sum(c.primary for c in self.cells),
            "complementary_suppressed": sum(c.complementary for c in self.cells),
        }


def aggregate(
    connection: Connection,
    relation: str,
    by: list[str],
    *,
    sum_column: str | None = None,
    threshold: int = 5,
    epsilon: float | None = None,
    sum_bounds: tuple[float, float] | None = None,
    confidence: float = 0.95,
) -> ReleaseTable:
    """The release table of ``relation`` grouped by ``by`` (see the module docstring)."""
    columns = {r[0] for r in connection.execute(f"DESCRIBE SELECT * FROM {relation}").fetchall()}
    for name in [*by, *([sum_column] if sum_column else [])]:
        if name not in columns:
            raise InvalidInput(f"{name} 不是数据的列", f"{name} is not a column", field="by")
    if threshold < 2:
        raise InvalidInput(
            "隐匿阈值至少为 2", "the threshold must be at least 2", field="threshold"
        )
    if epsilon is not None and not epsilon > 0:
        raise InvalidInput("差分隐私预算须为正数", "epsilon must be positive", field="epsilon")
    if epsilon is not None and sum_column and not sum_bounds:
        raise InvalidInput(
            "差分隐私求和须给出取值范围", "a DP sum needs sum_bounds", field="sum_bounds"
        )
    keys = ", ".join(ident(b) for b in by)
    value = f"TRY_CAST({ident(sum_column)} AS DOUBLE)" if sum_column else "NULL"
    if sum_column and sum_bounds:
        value = f"LEAST(GREATEST({value}, {float(sum_bounds[0])}), {float(sum_bounds[1])})"
    rows = connection.execute(
        f"SELECT {keys}, COUNT(*) AS n, SUM({value}) AS s FROM {relation} GROUP BY ALL ORDER BY ALL"
    ).fetchall()
    width = len(by)
    cells = [
        Cell(
            tuple(r[:width]),
            int(r[width]),
            float(r[width + 1]) if sum_column and r[width + 1] is not None else None,
        )
        for r in rows
    ]
    table = ReleaseTable(list(by), threshold, cells, {}, None, confidence=confidence)
    if epsilon is not None:
        _add_noise(table, epsilon, sum_column is not None, sum_bounds, confidence)
    _suppress(table)
    return table


def _add_noise(
    table: ReleaseTable,
    epsilon: float,
    with_sum: bool,
    bounds: tuple[float, float] | None,
    confidence: float,
) -> None:
    import opendp.prelude as dp  # loaded on first use: ~0.4 s that only noisy releases need

    dp.enable_features("contrib")
    share = epsilon / 2 if with_sum else epsilon
    alpha = 1 - confidence
    scale = 1.0 / share
    counts = dp.m.make_laplace(
        dp.vector_domain(dp.atom_domain(T=int)), dp.l1_distance(T=int), scale=scale
    )
    noisy = counts([c.count or 0 for c in table.cells]) if table.cells else []
    for cell, n in zip(table.cells, noisy, strict=True):
        cell.count = max(0, int(n))
    table.epsilon = epsilon
    table.count_accuracy = dp.discrete_laplacian_scale_to_accuracy(scale, alpha)
    if with_sum and bounds is not None:
        sensitivity = max(abs(bounds[0]), abs(bounds[1]))
        sum_scale = sensitivity / share
        sums = dp.m.make_laplace(
            dp.vector_domain(dp.atom_domain(T=float, nan=False)),
            dp.l1_distance(T=float),
            scale=sum_scale,
        )
        noisy_sums = sums([c.sum or 0.0 for c in table.cells]) if table.cells else []
        for cell, s in zip(table.cells, noisy_sums, strict=True):
            cell.sum = round(float(s), 2)
        table.sum_accuracy = dp.laplacian_scale_to_accuracy(sum_scale, alpha)


def _lines(cells: list[Cell], width: int) -> dict[tuple[int, tuple[object, ...]], list[Cell]]:
    lines: dict[tuple[int, tuple[object, ...]], list[Cell]] = defaultdict(list)
    for cell in cells:
        for d in range(width):
            lines[(d, cell.key[:d] + cell.key[d + 1 :])].append(cell)
    return lines


def _partner_cost(cell: Cell) -> tuple[bool, int, str]:
    """The cheapest cell to withhold beside another: the smallest non-zero one (a zero is
    often known to be zero, so it hides little), then a zero; ties by key, so the pattern
    is the same on every run."""
    return (not cell.count, cell.count or 0, str(cell.key))


def suppress_cells(cells: list[Cell], width: int, threshold: int) -> None:
    """Mark primary suppression (a count below ``threshold`` but not zero, or one already
    withheld: None) and complementary suppression (see the module docstring) on ``cells``,
    whose keys have ``width`` dimensions. Each line keeps its cells sorted by cost, a cursor
    to its cheapest published one and a count of withheld ones, so the whole pass costs a
    sort of every line, not a scan of a line per withheld cell."""
    for cell in cells:
        cell.primary = cell.primary or cell.count is None or 0 < cell.count < threshold
    lines = {
        key: sorted(members, key=_partner_cost)
        for key, members in _lines(cells, width).items()
        if len(members) > 1
    }
    through: dict[int, list[tuple[int, tuple[object, ...]]]] = defaultdict(list)
    for key, members in lines.items():
        for cell in members:
            through[id(cell)].append(key)
    withheld = {key: sum(c.suppressed for c in members) for key, members in lines.items()}
    cursor = dict.fromkeys(lines, 0)
    pending = deque(key for key, n in withheld.items() if n == 1)
    while pending:
        key = pending.popleft()
        if withheld[key] != 1:
            continue
        members = lines[key]
        while members[cursor[key]].suppressed:
            cursor[key] += 1
        partner = members[cursor[key]]
        partner.complementary = True
        for line in through[id(partner)]:
            withheld[line] += 1
            if withheld[line] == 1:
                pending.append(line)


def protect_table(
    connection: Connection,
    relation: str,
    dims: list[str],
    column: str,
    threshold: int,
) -> list[Cell]:
    """The cells of an aggregated table (one row per cell: ``dims`` and the count ``column``),
    read in file order, with the suppression it needs marked (``suppress_cells``)."""
    keys = "".join(f"{ident(d)}, " for d in dims)
    rows = connection.execute(
        f"SELECT row_number() OVER () AS n, {keys}TRY_CAST({ident(column)} AS BIGINT) "
        f"FROM {relation}"
    ).fetchall()
    cells = [Cell(tuple(r[1:-1]), r[-1], row=int(r[0])) for r in rows]
    suppress_cells(cells, len(dims), threshold)
    return cells


def withheld_sql(relation: str, column: str, cells: list[Cell]) -> str:
    """A SELECT over ``relation`` (rows in the order ``protect_table`` read them) with
    ``column`` withheld (NULL) in every suppressed cell."""
    rows = [c.row for c in cells if c.suppressed and c.row is not None]
    hidden = f"{ROW} IN ({', '.join(map(str, rows))})" if rows else "FALSE"
    return (
        f"SELECT * EXCLUDE ({ROW}) REPLACE (CASE WHEN {hidden} THEN NULL ELSE {ident(column)} "
        f"END AS {ident(column)}) FROM (SELECT row_number() OVER () AS {ROW}, * FROM {relation})"
    )


def _suppress(table: ReleaseTable) -> None:
    k = table.threshold
    suppress_cells(table.cells, len(table.by), k)
    lines = _lines(table.cells, len(table.by))
    for key, members in lines.items():
        total = sum(c.count or 0 for c in members)
        withheld = [c for c in members if c.suppressed]
        table.margins[key] = None if (0 < total < k or len(withheld) == 1) else total
    grand = sum(c.count or 0 for c in table.cells)
    lone = sum(c.suppressed for c in table.cells) == 1
    # The grand total minus the other published margins would give a withheld margin away.
    hidden_margin = any(v is None for v in table.margins.values())
    table.total = None if (0 < grand < k or lone or hidden_margin) else grand
