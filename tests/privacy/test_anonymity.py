"""k-anonymity, l-diversity, t-closeness and the generalization search, on real DuckDB data,
each figure checked against an independent count in Python."""

from __future__ import annotations

import math
import random
from collections import Counter

import duckdb
import pyarrow as pa
import pytest

from hutong.core.errors import InvalidInput
from hutong.privacy import anonymity, generalization, masks

QUASI = ["birth_date", "sex", "region"]


def students(n: int = 3000, seed: int = 7) -> pa.Table:
    """Students with a birth date, sex, county code, 民族 and a health note (sensitive)."""
    rng = random.Random(seed)
    rows = {"birth_date": [], "sex": [], "region": [], "ethnicity": [], "health": []}
    for _ in range(n):
        rows["birth_date"].append(
            f"{rng.randint(2006, 2012)}-{rng.randint(1, 12):02d}-{rng.randint(1, 28):02d}"
        )
        rows["sex"].append(rng.choice("12"))
        rows["region"].append(
            f"{rng.choice([11, 31, 44])}{rng.randint(1, 9):02d}{rng.randint(1, 9):02d}"
        )
        rows["ethnicity"].append("01" if rng.random() < 0.9 else f"{rng.randint(2, 56):02d}")
        rows["health"].append(rng.choice(["A", "A", "A", "B", "C"]))
    return pa.table(rows)


@pytest.fixture
def connection():
    connection = duckdb.connect(config={"threads": 1})
    connection.register("students", students())
    yield connection
    connection.close()


def independent_classes(connection, sql: str, quasi: list[str]) -> Counter:
    rows = connection.execute(f"SELECT {', '.join(quasi)} FROM ({sql})").fetchall()
    return Counter(rows)


def test_measure_matches_an_independent_count(connection):
    report = anonymity.measure(connection, "students", QUASI, k=5)
    classes = independent_classes(connection, "SELECT * FROM students", QUASI)
    sizes = list(classes.values())
    assert report.rows == 3000 == sum(sizes)
    assert report.classes == len(classes)
    assert report.k_achieved == min(sizes)
    assert report.classes_below_k == sum(1 for s in sizes if s < 5)
    assert report.rows_below_k == sum(s for s in sizes if s < 5)
    assert report.max_risk == pytest.approx(1 / min(sizes))
    assert report.average_risk == pytest.approx(len(classes) / 3000)
    histogram = Counter(s for s in sizes if s < 5)
    assert [(c.size, c.classes, c.rows) for c in report.smallest] == [
        (size, histogram[size], size * histogram[size]) for size in sorted(histogram)
    ]
    assert not report.satisfied


def test_column_risks_say_what_each_quasi_identifier_contributes(connection):
    report = anonymity.measure(connection, "students", QUASI, k=5)
    by_name = {c.column: c for c in report.columns}
    for dropped in QUASI:
        rest = [q for q in QUASI if q != dropped]
        sizes = independent_classes(connection, "SELECT * FROM students", rest).values()
        assert by_name[dropped].rows_below_k_without == sum(s for s in sizes if s < 5)
    assert by_name["sex"].distinct == 2


def test_reports_carry_counts_and_names_never_values(connection):
    report = anonymity.measure(connection, "students", QUASI, sensitive="health", k=5)
    text = repr(report) + repr(report.as_dict())
    values = connection.execute("SELECT birth_date, region FROM students LIMIT 50").fetchall()
    assert not any(v in text for row in values for v in row)


def test_l_diversity_and_t_closeness_on_a_known_table():
    connection = duckdb.connect()
    connection.register(
        "t",
        pa.table(
            {
                "q": ["a", "a", "a", "a", "b", "b", "b", "b"],
                "s": ["x", "x", "y", "z", "x", "x", "x", "x"],
            }
        ),
    )
    report = anonymity.measure(connection, "t", ["q"], sensitive="s", k=4)
    assert report.k_achieved == 4 and report.satisfied
    assert report.l_diversity == 1  # class b holds only "x"
    assert report.entropy_l == pytest.approx(1.0)
    # overall x 6/8, y 1/8, z 1/8; class b is all x: ½(|1-¾| + ⅛ + ⅛) = 0.25
    assert report.t_closeness == pytest.approx(0.25)
    # class a alone: x ½, y ¼, z ¼ → entropy, l-diversity 3 and distance ½(¼+⅛+⅛) = 0.25
    only_a = anonymity.measure(connection, "(SELECT * FROM t WHERE q = 'a')", ["q"], "s", k=2)
    assert only_a.l_diversity == 3
    assert only_a.entropy_l == pytest.approx(
        math.exp(-(0.5 * math.log(0.5) + 0.5 * math.log(0.25)))
    )
    assert only_a.t_closeness == pytest.approx(0.0)


def test_hierarchies_are_recognised_from_values(connection):
    connection.register(
        "ages", pa.table({"age": [str(a % 19) for a in range(100)], "school": ["x"] * 100})
    )
    found = anonymity.detect_hierarchies(connection, "students", ["birth_date", "sex", "region"])
    assert [found[q].kind for q in QUASI] == ["date", "category", "region"]
    found = anonymity.detect_hierarchies(connection, "ages", ["age", "school"])
    assert found["age"].kind == "age" and found["school"].kind == "category"
    assert anonymity.HIERARCHIES["date"].levels[1] == masks.DateTo(to="month")


@pytest.mark.parametrize("k", [2, 5, 10])
def test_proposals_reach_k_verified_by_an_independent_count(connection, k):
    before = anonymity.measure(connection, "students", QUASI, k=k)
    proposals = generalization.propose_generalizations(connection, "students", QUASI, k)
    assert proposals
    sql = generalization.generalized_sql(connection, "students", QUASI, proposals, k)
    classes = independent_classes(connection, sql, QUASI)
    assert min(classes.values()) >= k
    kept = sum(classes.values())
    suppressed = [p.rows for p in proposals if p.suppression]
    assert 3000 - kept == (suppressed[0] if suppressed else 0)
    assert 3000 - kept <= 0.05 * 3000
    after = anonymity.measure(connection, f"({sql})", QUASI, k=k)
    assert after.satisfied and after.max_risk <= 1 / k < before.max_risk
    # Every generalization is a level of its column's hierarchy, shown in words.
    for p in proposals:
        if not p.suppression:
            assert (
                p.spec
                in anonymity.HIERARCHIES[
                    anonymity.detect_hierarchies(connection, "students", [p.column])[p.column].kind
                ].levels
            )
            assert p.column in p.zh and p.column in p.en


def test_the_search_finds_the_lowest_generalization():
    """Birth dates unique per day but k-anonymous per month: month, not year, is proposed."""
    connection = duckdb.connect()
    dates = [f"2010-{m:02d}-{d:02d}" for m in range(1, 13) for d in range(1, 29)]
    connection.register("t", pa.table({"birth_date": dates, "sex": ["1"] * len(dates)}))
    proposals = generalization.propose_generalizations(connection, "t", ["birth_date", "sex"], 5)
    assert proposals == [
        generalization.Proposal(
            "birth_date",
            masks.DateTo(to="month"),
            1,
            0,
            "列 birth_date：出生日期等日期精确到年月",
            "column birth_date: date to year-month",
        )
    ]
    # Already k-anonymous: nothing to propose.
    assert generalization.propose_generalizations(connection, "t", ["sex"], 5) == []


def test_the_suppression_budget_is_respected(connection):
    strict = generalization.propose_generalizations(connection, "students", QUASI, 5, budget=0.0)
    assert not any(p.suppression for p in strict)
    sql = generalization.generalized_sql(connection, "students", QUASI, strict, 5)
    assert min(independent_classes(connection, sql, QUASI).values()) >= 5


@pytest.mark.parametrize(
    ("call", "field"),
    [
        (lambda c: anonymity.measure(c, "students", ["birth_date", "nope"]), "quasi"),
        (lambda c: anonymity.measure(c, "students", QUASI, k=1), "k"),
        (lambda c: anonymity.measure(c, "students", []), "quasi"),
        (lambda c: anonymity.measure(c, "students", QUASI, sensitive="nope"), "sensitive"),
        (lambda c: anonymity.measure(c, "students", QUASI, sensitive="sex"), "sensitive"),
        (lambda c: generalization.propose_generalizations(c, "students", QUASI, 1), "k"),
        (lambda c: generalization.propose_generalizations(c, "students", QUASI, 5, budget=1), "budget"),
    ],
)
def test_bad_input_is_refused(connection, call, field):
    with pytest.raises(InvalidInput) as error:
        call(connection)
    assert error.value.field == field


def test_no_temporary_tables_are_left_behind(connection):
    generalization.propose_generalizations(connection, "students", QUASI, 5)
    anonymity.measure(connection, "students", QUASI, "health", 5)
    assert (
        connection.execute("SELECT count(*) FROM duckdb_tables() WHERE temporary").fetchone()[0]
        == 0
    )
