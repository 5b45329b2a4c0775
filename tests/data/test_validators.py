"""Identifier checks: known-good and known-bad values, and SQL macros that agree with Python."""

from __future__ import annotations

import random
from datetime import date, timedelta

import duckdb
import pytest

from hutong.core.identifiers import (
    CITIZEN_CHECK,
    CITIZEN_WEIGHTS,
    PROVINCES,
    SCHOOL_CATEGORIES,
    is_citizen_id,
    is_school_code,
    is_student_no,
    is_uscc,
    uscc_with_check,
)
from hutong.data.validators import install


def citizen(region: str, born: date, seq: int) -> str:
    body = f"{region}{born:%Y%m%d}{seq:03d}"
    return (
        body
        + CITIZEN_CHECK[sum(int(d) * w for d, w in zip(body, CITIZEN_WEIGHTS, strict=True)) % 11]
    )


@pytest.fixture(scope="module")
def sql():
    connection = duckdb.connect()
    install(connection)

    def check(macro: str, value: str | None) -> bool:
        return connection.execute(f"SELECT {macro}(?)", [value]).fetchone()[0] is True

    return check


KNOWN = [
    ("citizen_id", "11010519491231002X", True),  # the GB 11643 example
    ("citizen_id", "110105194912310021", False),  # wrong check digit
    ("citizen_id", citizen("110105", date(1985, 6, 15), 123), True),
    (
        "citizen_id",
        citizen("359999", date(1983, 2, 1), 7),
        True,
    ),  # region code not in any table: still valid
    ("citizen_id", citizen("990105", date(1985, 6, 15), 123), False),  # no province 99
    ("citizen_id", "11010519850230123" + "X", False),  # 30 February
    (
        "citizen_id",
        citizen("110105", date.today() + timedelta(days=30), 1),
        False,
    ),  # born in the future
    ("citizen_id", "1101051985061512", False),  # too short
    ("uscc", "91110000600037341L", True),
    ("uscc", "91110000600037341M", False),
    ("uscc", uscc_with_check("12100000400000001"), True),
    ("uscc", "91110000600037341I", False),  # I is not in the alphabet
    ("school_code", "4111010001", True),  # 北京大学
    ("school_code", "4199010001", False),  # province 99
    ("school_code", "9911010001", False),  # unknown category
    ("school_code", "411101000", False),
    ("student_no", "G11010519491231002X", True),
    ("student_no", "G110105194912310021", False),
    ("student_no", "J123456789012345678", True),
    ("student_no", "L110105201209301234", True),
    ("student_no", "L110105201202301234", False),  # 30 February
    ("student_no", "X123456789012345678", False),
]
PYTHON = {
    "citizen_id": is_citizen_id,
    "uscc": is_uscc,
    "school_code": is_school_code,
    "student_no": is_student_no,
}


@pytest.mark.parametrize(("kind", "value", "valid"), KNOWN)
def test_known_values(sql, kind, value, valid):
    assert PYTHON[kind](value) is valid
    assert sql(f"hutong_{kind}_ok", value) is valid


def test_sql_agrees_with_python_on_random_values(sql):
    rng = random.Random(2026)
    provinces = list(PROVINCES)
    values = []
    for _ in range(300):
        good = citizen(
            rng.choice(provinces) + f"{rng.randrange(10000):04d}",
            date(1950, 1, 1) + timedelta(days=rng.randrange(25000)),
            rng.randrange(1000),
        )
        bad = good[:17] + rng.choice("0123456789X")
        values += [
            ("citizen_id", good),
            ("citizen_id", bad),
            ("student_no", "G" + good),
            ("student_no", "G" + bad),
        ]
        body = f"{rng.choice(['11', '12', '51', '91', '93'])}{rng.choice(provinces)}0000{rng.randrange(10**9):09d}"
        values += [
            ("uscc", uscc_with_check(body)),
            ("uscc", body + rng.choice("0123456789ABCDEFGHJKLMNPQRTUWXY")),
        ]
    connection = duckdb.connect()
    install(connection)
    connection.execute("CREATE TABLE v (kind TEXT, value TEXT)")
    connection.executemany("INSERT INTO v VALUES (?, ?)", values)
    got = connection.execute(
        "SELECT kind, value, CASE kind WHEN 'citizen_id' THEN hutong_citizen_id_ok(value) "
        "WHEN 'student_no' THEN hutong_student_no_ok(value) ELSE hutong_uscc_ok(value) END FROM v"
    ).fetchall()
    assert len(got) == len(values) == 1800
    mismatches = [(kind, value) for kind, value, ok in got if ok is not PYTHON[kind](value)]
    assert not mismatches


@pytest.mark.parametrize(
    ("macro", "value", "valid"),
    [
        ("hutong_mobile_ok", "13812345678", True),
        ("hutong_mobile_ok", "12812345678", False),
        ("hutong_email_ok", "li.si@moe.edu.cn", True),
        ("hutong_email_ok", "li.si@", False),
        ("hutong_ethnicity_ok", "01", True),
        ("hutong_ethnicity_ok", "57", False),
        ("hutong_sex_ok", "2", True),
        ("hutong_sex_ok", "3", False),
        ("hutong_date_ok", "20260229", False),
        ("hutong_citizen_id_ok", None, False),
    ],
)
def test_code_lists_and_formats(sql, macro, value, valid):
    assert sql(macro, value) is valid


#: 《学校(机构)代码管理办法》(2011): every category of school or institution it defines.
SCHOOL_CATEGORY_CODES = [
    "11", "21", "22", "31", "32", "33", "34", "35", "36", "37", "41", "42", "51", "91", "92", "93",
]  # fmt: skip


@pytest.mark.parametrize("category", SCHOOL_CATEGORY_CODES)
def test_every_school_category_of_the_measures_is_accepted(sql, category):
    code = f"{category}44000123"
    assert is_school_code(code)
    assert sql("hutong_school_code_ok", code)


@pytest.mark.parametrize("category", ["12", "99", "00", "23", "43"])
def test_school_category_outside_the_measures_is_refused(sql, category):
    code = f"{category}44000123"
    assert not is_school_code(code)
    assert not sql("hutong_school_code_ok", code)


def test_school_categories_carry_their_chinese_names():
    assert sorted(SCHOOL_CATEGORIES) == SCHOOL_CATEGORY_CODES
    assert SCHOOL_CATEGORIES["36"] == "中等职业学校"
    assert SCHOOL_CATEGORIES["91"] == "培养研究生的科研机构"
