"""The release gate: automatic check, publisher, security reviewer with a risk note, withdrawal."""

from __future__ import annotations

import pytest

from hutong.core.errors import Conflict, InvalidInput, PermissionDenied
from hutong.data.ingest import ingest_file
from hutong.openportal import public, release
from tests.openportal.builders import (
    enrolment_rows,
    open_entry,
    public_dataset,
    release_through_gate,
    write_csv,
)
from tests.support import published


def _names(db):
    with db.sessions() as session:
        return set(public.index(session).by_name)


def test_a_version_is_public_only_after_check_publisher_and_security_review(
    db, actors, open_org, tmp_path
):
    code = public_dataset(db, actors, open_org, tmp_path, go_public=False)
    name = public.dataset_name(code)
    with db.transaction() as session:
        rid = release.submit(session, actors["data_steward"], code).id
    assert name not in _names(db)
    with db.transaction() as session:
        release.transition(session, actors["publisher"], rid, "approve")
    assert name not in _names(db)
    with (
        pytest.raises(InvalidInput),
        db.transaction() as session,
    ):  # the policy-risk note is required
        release.transition(session, actors["security_reviewer"], rid, "clear", " ")
    with db.transaction() as session:
        row = release.transition(session, actors["security_reviewer"], rid, "clear", "政策风险低")
        assert row.state == "public" and row.risk_note == "政策风险低"
    assert name in _names(db)


def test_transitions_follow_the_state_machine_and_roles(db, actors, open_org, tmp_path):
    code = public_dataset(db, actors, open_org, tmp_path, go_public=False)
    with db.transaction() as session:
        rid = release.submit(session, actors["data_steward"], code).id
    with (
        pytest.raises(Conflict),
        db.transaction() as session,
    ):  # the security review comes after the publisher
        release.transition(session, actors["security_reviewer"], rid, "clear", "ok")
    with pytest.raises(PermissionDenied), db.transaction() as session:
        release.transition(session, actors["data_steward"], rid, "approve")
    with pytest.raises(Conflict), db.transaction() as session:  # one open request per version
        release.submit(session, actors["data_steward"], code)


def test_withdrawal_is_immediate(db, actors, open_org, tmp_path):
    code = public_dataset(db, actors, open_org, tmp_path)
    name = public.dataset_name(code)
    assert name in _names(db)
    with db.sessions() as session:
        rid = session.scalar(release.select(release.Release.id))
    with db.transaction() as session:
        release.transition(session, actors["publisher"], rid, "withdraw", "数据有误")
    assert name not in _names(db)


def test_small_cells_fail_the_check_with_columns_and_rows(db, actors, open_org, tmp_path):
    code = published(db, actors, open_entry(open_org))
    path = write_csv(
        tmp_path / "e.csv", ["学校名称", "年级", "性别", "学生人数"], enrolment_rows(small=True)
    )
    ingest_file(db, actors["data_steward"], code, path)
    with db.transaction() as session:
        row = release.submit(session, actors["data_steward"], code)
        assert row.state == "check_failed"
        problem = row.check_report["problems"][0]
    assert problem["kind"] == "small_cell" and problem["column"] == "学生人数"
    assert problem["rows"] == 4 and problem["sample_rows"] == [1, 11, 21, 31]
    assert any("抑制" in p["zh"] for p in problem["proposals"])


PERSON_HEADER = ["姓名", "出生日期", "性别", "民族", "学校名称"]


def _persons(n: int, unique: bool) -> list[list[str]]:
    return [
        [
            f"王{i}",
            f"2010-{i % 12 + 1:02d}-{i % 28 + 1:02d}" if unique else "2010-01-01",
            "1",
            "01",
            f"第{i % 3}中学",
        ]
        for i in range(n)
    ]


def test_direct_identifiers_and_k_anonymity_fail_with_proposals(db, actors, open_org, tmp_path):
    header = PERSON_HEADER
    code = published(
        db,
        actors,
        open_entry(open_org, name="学生名单", items=header, has_pi=True, deidentified=True),
    )
    path = write_csv(tmp_path / "p.csv", header, _persons(60, unique=True))
    ingest_file(db, actors["data_steward"], code, path)
    with db.transaction() as session:
        report = release.submit(session, actors["data_steward"], code).check_report
    kinds = {p["kind"]: p for p in report["problems"]}
    assert kinds["direct_identifier"]["column"] == "姓名"
    k_problem = kinds["k_anonymity"]
    assert set(k_problem["columns"]) == {"出生日期", "性别", "民族", "学校名称"}
    assert k_problem["k"] < 5 and k_problem["rows"] > 0 and k_problem["sample_rows"]
    assert any(p["column"] == "出生日期" for p in k_problem["proposals"])
    assert "王1" not in str(report)  # rows are named by number, never by value


def test_microdata_meeting_k_passes(db, actors, open_org, tmp_path):
    header = ["出生日期", "性别", "民族", "学校名称"]
    code = published(db, actors, open_entry(open_org, name="学生构成", items=header))
    rows = [r[1:] for r in _persons(60, unique=False)]
    path = write_csv(tmp_path / "q.csv", header, rows)
    ingest_file(db, actors["data_steward"], code, path)
    release_through_gate(db, actors, code)
    assert public.dataset_name(code) in _names(db)


TEACHERS_HEADER = ["地区", "最高学历", "教师人数"]
LEVELS = ["博士研究生", "硕士研究生", "本科", "专科", "高中及以下"]
#: Teachers by region and highest education: 北京市 高中及以下 2 (issue 12) among 0–4 counts.
TEACHERS = {
    "北京市": [310, 1520, 5230, 412, 2],
    "天津市": [96, 804, 3650, 530, 0],
    "河北省": [3, 655, 9120, 2310, 41],
    "山西省": [0, 402, 6034, 1877, 36],
}


def _teacher_rows(withheld: set[tuple[str, str]] = frozenset()) -> list[list[str]]:
    return [
        [region, level, "" if (region, level) in withheld else str(n)]
        for region, counts in TEACHERS.items()
        for level, n in zip(LEVELS, counts, strict=True)
    ]


def _submit_teachers(db, actors, code, tmp_path, rows) -> dict:
    path = write_csv(tmp_path / f"t{len(rows)}-{id(rows)}.csv", TEACHERS_HEADER, rows)
    ingest_file(db, actors["data_steward"], code, path)
    with db.transaction() as session:
        return release.submit(session, actors["data_steward"], code).check_report


def _alone_in_a_line(rows: list[list[str]]) -> list[tuple[int, str]]:
    """Independently of the check: withheld cells that are the only unknown of their row or
    column, so that the row or column total minus the published cells gives them away."""
    lines: dict = {}
    for number, (region, level, value) in enumerate(rows, start=1):
        for line in (("region", region), ("level", level)):
            lines.setdefault(line, []).append((number, value))
    return [
        (number, line[1])
        for line, members in lines.items()
        for number, value in members
        if value == "" and sum(v == "" for _n, v in members) == 1
    ]


def test_a_table_of_small_counts_by_a_personal_attribute_is_refused_with_every_cell_to_withhold(
    db, actors, open_org, tmp_path
):
    """Issue 12: 最高学历 is a personal attribute, but the rows are cells, not persons; the
    count column is checked cell by cell and the proposal leaves nothing derivable."""
    code = published(
        db, actors, open_entry(open_org, name="分地区分学历教师数", items=TEACHERS_HEADER)
    )
    rows = _teacher_rows()
    report = _submit_teachers(db, actors, code, tmp_path, rows)
    assert not report["passed"] and report["kind"] == "aggregate"
    problem = report["problems"][0]
    assert problem["kind"] == "small_cell" and problem["column"] == "教师人数"
    beijing = rows.index(["北京市", "高中及以下", "2"]) + 1
    small = [n for n, r in enumerate(rows, start=1) if r[2] in ("1", "2", "3", "4")]
    assert problem["rows"] == len(small) == 2 and beijing in problem["suppress_rows"]
    assert set(small) < set(problem["suppress_rows"]) and problem["complementary"] >= 2
    proposed = [
        [r[0], r[1], "" if n in problem["suppress_rows"] else r[2]]
        for n, r in enumerate(rows, start=1)
    ]
    assert _alone_in_a_line(proposed) == []


def test_withheld_cells_that_a_total_gives_away_fail_until_their_partners_are_withheld(
    db, actors, open_org, tmp_path
):
    code = published(
        db, actors, open_entry(open_org, name="分地区分学历教师数", items=TEACHERS_HEADER)
    )
    primary_only = _teacher_rows({("北京市", "高中及以下"), ("河北省", "博士研究生")})
    assert _alone_in_a_line(primary_only)  # the provider withheld the small cells only
    report = _submit_teachers(db, actors, code, tmp_path, primary_only)
    problem = report["problems"][0]
    assert problem["kind"] == "derivable_cell" and problem["rows"] == 0
    proposed = [
        [r[0], r[1], "" if n in problem["suppress_rows"] else r[2]]
        for n, r in enumerate(primary_only, start=1)
    ]
    assert _alone_in_a_line(proposed) == []
    assert _submit_teachers(db, actors, code, tmp_path, proposed)["passed"]
