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
