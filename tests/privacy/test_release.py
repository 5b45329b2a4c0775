"""Statistical release: primary and complementary suppression leave no cell that subtraction
from published totals reveals; OpenDP noise comes with its accuracy; bad input is refused."""

from __future__ import annotations

import random

import duckdb
import pyarrow as pa
import pytest

from hutong.core.errors import InvalidInput
from hutong.privacy import release


def enrolment(seed: int = 3, n: int = 600) -> duckdb.DuckDBPyConnection:
    rng = random.Random(seed)
    regions = ["110101", "110102", "110105", "110106", "110108"]
    grades = ["一年级", "二年级", "三年级", "四年级"]
    rows = {"region": [], "grade": [], "sex": [], "score": []}
    for _ in range(n):
        # Skewed so that some cells are small.
        rows["region"].append(rng.choices(regions, weights=[200, 150, 100, 3, 1])[0])
        rows["grade"].append(rng.choices(grades, weights=[30, 30, 30, 3])[0])
        rows["sex"].append(rng.choice("12"))
        rows["score"].append(str(rng.randint(40, 100)))
    connection = duckdb.connect()
    connection.register("t", pa.table(rows))
    return connection


def assert_nothing_derivable(table: release.ReleaseTable) -> None:
    """Independently: for every published line total, the withheld cells of that line are
    none or at least two; the same for the grand total; no published count is small."""
    width = len(table.by)
    for d in range(width):
        lines: dict = {}
        for cell in table.cells:
            lines.setdefault(cell.key[:d] + cell.key[d + 1 :], []).append(cell)
        for key, members in lines.items():
            withheld = [c for c in members if c.suppressed]
            if table.margins[(d, key)] is not None:
                assert len(withheld) != 1, (d, key)
                assert table.margins[(d, key)] == sum(c.count for c in members)
    if table.total is not None:
        assert sum(c.suppressed for c in table.cells) != 1
    for cell in table.cells:
        if not cell.suppressed:
            assert cell.count == 0 or cell.count >= table.threshold


@pytest.mark.parametrize("by", [["region"], ["region", "grade"], ["region", "grade", "sex"]])
def test_small_cells_are_suppressed_and_none_can_be_derived_by_subtraction(by):
    table = release.aggregate(enrolment(), "t", by, threshold=5)
    assert any(c.primary for c in table.cells)
    assert_nothing_derivable(table)
    rows = table.rows()
    assert all(r["count"] is None for r in rows if r["suppressed"])


def test_a_lone_small_cell_takes_a_complementary_one_with_it():
    connection = duckdb.connect()
    connection.register(
        "t", pa.table({"school": ["甲"] * 50 + ["乙"] * 30 + ["丙"] * 2 + ["丁"] * 20})
    )
    table = release.aggregate(connection, "t", ["school"], threshold=5)
    by_key = {c.key[0]: c for c in table.cells}
    assert by_key["丙"].primary
    assert by_key["丁"].complementary  # the smallest other cell
    assert not by_key["甲"].suppressed and table.total == 102
    assert_nothing_derivable(table)


def test_differentially_private_counts_and_sums_carry_their_accuracy():
    table = release.aggregate(
        enrolment(n=5000),
        "t",
        ["region"],
        sum_column="score",
        epsilon=1.0,
        sum_bounds=(0, 100),
        threshold=5,
    )
    # ε split evenly: count scale 2 → ±6.4 at 95 %, sum scale 200 → ±599 at 95 %.
    assert table.count_accuracy == pytest.approx(6.43, abs=0.01)
    assert table.sum_accuracy == pytest.approx(599.1, abs=0.5)
    exact = release.aggregate(enrolment(n=5000), "t", ["region"], threshold=5)
    for noisy, true in zip(table.cells, exact.cells, strict=True):
        assert abs(noisy.count - true.count) <= 40  # far beyond ±6.4, never flaky
    row = table.rows()[0]
    assert row["count_accuracy"] == 6.43 and "sum_accuracy" in row
    assert_nothing_derivable(table)


@pytest.mark.parametrize(
    ("kwargs", "field"),
    [
        ({"by": ["nope"]}, "by"),
        ({"by": ["region"], "epsilon": 0}, "epsilon"),
        ({"by": ["region"], "epsilon": -1.0}, "epsilon"),
        ({"by": ["region"], "threshold": 1}, "threshold"),
        ({"by": ["region"], "epsilon": 1.0, "sum_column": "score"}, "sum_bounds"),
    ],
)
def test_bad_release_requests_are_refused(kwargs, field):
    with pytest.raises(InvalidInput) as error:
        release.aggregate(enrolment(), "t", **kwargs)
    assert error.value.field == field


def test_an_aggregated_table_gets_the_partners_its_withheld_cells_need():
    """A table submitted already aggregated, with the provider's own gaps (NULL, "*"): small
    cells and every withheld cell alone in its row, column or layer get partners."""
    rng = random.Random(7)
    rows = {"region": [], "grade": [], "sex": [], "n": []}
    for region in ["110101", "110102", "110105", "110106"]:
        for grade in ["一年级", "二年级", "三年级"]:
            for sex in "12":
                rows["region"].append(region)
                rows["grade"].append(grade)
                rows["sex"].append(sex)
                rows["n"].append(
                    rng.choice(["*", None, "0", "2", "4"] + [str(rng.randint(5, 90))] * 6)
                )
    connection = duckdb.connect()
    connection.register("t", pa.table(rows))
    cells = release.protect_table(connection, "t", ["region", "grade", "sex"], "n", 5)
    assert [c.row for c in cells] == list(range(1, 25))
    withheld_before = sum(v in ("*", None) for v in rows["n"])
    assert sum(c.primary for c in cells) >= withheld_before + sum(
        v in ("2", "4") for v in rows["n"]
    )
    for d in range(3):
        lines: dict = {}
        for cell in cells:
            lines.setdefault(cell.key[:d] + cell.key[d + 1 :], []).append(cell)
        for members in lines.values():
            assert sum(c.suppressed for c in members) != 1
    assert all(c.count == 0 or c.count >= 5 for c in cells if not c.suppressed)
    published = connection.execute(release.withheld_sql("t", "n", cells)).fetchall()
    assert [r[3] for r in published] == [
        None if c.suppressed else rows["n"][i] for i, c in enumerate(cells)
    ]
