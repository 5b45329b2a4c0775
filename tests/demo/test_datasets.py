"""Demo datasets: valid identifiers that agree with each other and with the demo schools,
children and a sensitive column, a few broken rows quarantined, ingested idempotently."""

from __future__ import annotations

from datetime import date

import duckdb
import pytest
from rich.console import Console
from sqlalchemy import func, select

from hutong.catalog.models import MaintenanceTask, Resource
from hutong.core.identifiers import PROVINCES, is_citizen_id, is_student_no
from hutong.data.models import DatasetVersion
from hutong.data.validators import install
from hutong.demo import dataset_data
from hutong.demo.datasets import (
    demo_schools,
    schools_sql,
    students_sql,
    teacher_count,
    teachers_sql,
    write,
    yearbook_sql,
)
from hutong.demo.seed import seed

TODAY = date(2026, 11, 20)  # school year 2026/27
SCHOOLS = demo_schools(60)


@pytest.fixture(scope="module")
def files(tmp_path_factory):
    folder = tmp_path_factory.mktemp("demo-files")
    queries = {
        "students": students_sql(4000, TODAY, len(SCHOOLS)),
        "teachers": teachers_sql(teacher_count(4000), len(SCHOOLS)),
        "schools": schools_sql(),
        "yearbook": yearbook_sql(),
    }
    for name, query in queries.items():
        write(query, SCHOOLS, folder / f"{name}.parquet")
    connection = duckdb.connect()
    install(connection)
    for name in queries:
        connection.execute(
            f"CREATE VIEW {name} AS SELECT * FROM read_parquet('{folder / name}.parquet')"
        )
    yield connection
    connection.close()


def test_pupils_have_valid_unique_ids_matching_their_student_numbers_and_schools(files):
    rows = files.execute("SELECT 全国学籍号, 身份证件号, 学校标识码, 性别 FROM students").fetchall()
    assert len(rows) == 4000
    valid = [r for r in rows if is_citizen_id(r[1])]
    assert len(rows) - len(valid) == 2  # two of the ten broken rows have a wrong check digit
    assert all(is_student_no(number) and number == "G" + cid for number, cid, _s, _x in valid)
    assert len({r[0] for r in rows}) == len(rows)
    assert all(cid[:2] in PROVINCES for _n, cid, _s, _x in rows)
    # GB 11643: the 17th digit is odd for men, as 性别 1 says
    assert all(int(cid[16]) % 2 == (sex == "1") for _n, cid, _s, sex in valid)
    codes = {s.code for s in SCHOOLS}
    assert sum(r[2] not in codes for r in rows) == 2  # the broken school codes, no others
    listed = {r[0] for r in files.execute("SELECT 学校标识码 FROM schools").fetchall()}
    assert listed == codes


def test_birth_dates_fit_the_grade_and_children_under_14_are_there(files):
    grades = {code: n for n, code in enumerate(dataset_data.GRADE_CODES, start=1)}
    rows = files.execute(
        "SELECT 年级, try_strptime(出生日期, '%Y-%m-%d')::DATE, substr(身份证件号, 7, 8) "
        "FROM students"
    ).fetchall()
    fitting = 0
    for grade, born, id_birth in rows:
        if born is None:  # the impossible dates among the broken rows
            continue
        assert born.strftime("%Y%m%d") == id_birth
        age = 2026 - born.year - ((born.month, born.day) > (9, 1))  # on 1 September 2026
        assert grades[grade] + 5 <= age <= grades[grade] + 7
        fitting += 1
    assert fitting == len(rows) - 2
    children = files.execute(
        "SELECT count(*) FROM students WHERE try_strptime(出生日期, '%Y-%m-%d') > DATE '2012-11-20'"
    ).fetchone()[0]
    assert 0.3 * len(rows) < children < 0.9 * len(rows)


def test_sensitive_ethnicity_codes_and_mobiles_follow_their_standards(files):
    counts = dict(files.execute("SELECT 民族, count(*) FROM students GROUP BY 1").fetchall())
    assert counts.pop("99") == 2  # broken on purpose
    assert set(counts) <= {f"{n:02d}" for n in range(1, 57)}
    assert counts["01"] > 0.7 * sum(counts.values()) and len(counts) > 5
    bad_mobiles = files.execute(
        "SELECT count(*) FILTER (WHERE NOT hutong_mobile_ok(监护人手机号)) FROM students"
    ).fetchone()[0]
    assert bad_mobiles == 2
    teachers = files.execute(
        "SELECT count(*), count(*) FILTER (WHERE NOT hutong_citizen_id_ok(身份证件号)), "
        "count(*) FILTER (WHERE NOT hutong_mobile_ok(手机号码)), "
        "count(*) FILTER (WHERE 所在学校标识码 NOT IN (SELECT 学校标识码 FROM schools)), "
        "min(出生日期), max(出生日期) FROM teachers"
    ).fetchone()
    assert teachers[:4] == (teacher_count(4000), 3, 2, 0)
    assert teachers[4] >= "1965-01-01" and teachers[5] <= "2001-12-31"


def test_yearbook_adds_up_to_the_national_totals(files):
    rows, provinces = files.execute(
        "SELECT count(*), count(DISTINCT 行政区划) FROM yearbook"
    ).fetchone()
    assert (rows, provinces) == (31 * 6 * 10, 31)
    primary_2024 = files.execute(
        "SELECT sum(在校生数) FROM yearbook WHERE 统计年度 = '2024' AND 学段 = '20'"
    ).fetchone()[0]
    assert primary_2024 == pytest.approx(dataset_data.STAGES["20"][2], rel=0.02)


def test_demo_ingests_each_file_once_with_broken_rows_set_aside(db):
    seed(db, schools=40, students=500, console=Console(quiet=True))
    with db.sessions() as session:
        versions = {
            name: (rows, rejected, detection)
            for name, rows, rejected, detection in session.execute(
                select(
                    Resource.name,
                    DatasetVersion.rows,
                    DatasetVersion.rejected,
                    DatasetVersion.detection,
                ).join(Resource, Resource.id == DatasetVersion.resource_id)
            )
        }
        tasks = session.scalar(select(func.count()).select_from(MaintenanceTask))
    assert set(versions) == {
        "全国中小学生学籍信息",
        "全国教师基本信息",
        "义务教育学校名录",
        "全国教育事业统计年鉴分省学校数",
        # the open portal's own (demo/portal.py)
        "各校分年级分性别在校生人数",
        "高校学生体质健康监测数据（去标识化）",
    }
    rows, rejected, detection = versions["全国中小学生学籍信息"]
    assert (rows, rejected) == (490, 10)
    assert detection["children"] > 0 and detection["columns"]["民族"]["sensitive"]
    assert versions["全国教师基本信息"][1] == 5
    assert versions["义务教育学校名录"][2]["columns"] == {}  # school addresses are not PI
    assert all(not v[2]["mismatches"] for v in versions.values())  # catalog and data agree
    assert tasks == 0
    seed(db, schools=40, students=500, console=Console(quiet=True))
    with db.sessions() as session:
        assert session.scalar(select(func.count()).select_from(DatasetVersion)) == 6
