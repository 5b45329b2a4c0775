"""Grants whose legal basis is consent (N2021 task 8): online queries and file deliveries
return only rows of subjects holding a valid consent for the grant's purpose — a semi-join
against the consent ledger inside the policy view — and a withdrawal counts from the next
query. Also: a grant restricted to named users or API clients refuses everyone else."""

from __future__ import annotations

import io
import json

import pyarrow.csv as pacsv
import pytest
from sqlalchemy import select

from hutong.audit.models import AuditEvent
from hutong.core.errors import InvalidInput
from hutong.exchange import applications
from hutong.exchange.models import Grant
from hutong.exchange.schemas import ApprovalIn
from hutong.privacy import consent, notices
from hutong.privacy.schemas import ConsentIn
from tests.exchange.conftest import ROWS, apply, granted
from tests.privacy.conftest import make_system, notice_in

URL = "/api/v1/data/{}/{}"
ZHANG, LI, LIU = (r[0] for r in ROWS)  # consented / withdrawn / never asked


@pytest.fixture
def consents(db, people, system):
    """A system of the provider with a notice; 张伟 consents to 学籍管理, 李娜 consents and
    withdraws, 刘洋 never consents (and 李娜 consents to another purpose only)."""
    system_id = make_system(db, system)
    officer = people["pi_officer"]
    with db.transaction() as session:
        notices.publish(session, officer, notice_in(system_id))
    ids = {}
    for subject, purpose in ((ZHANG, "enrolment"), (LI, "enrolment"), (LI, "aid")):
        data = ConsentIn(system_id=system_id, notice_version=1, subject_id=subject, purpose=purpose)
        with db.transaction() as session:
            ids[(subject, purpose)] = consent.give(session, officer, data)[0].id
    with db.transaction() as session:
        consent.withdraw(session, officer, ids[(LI, "enrolment")])
    return {"system_id": system_id, "ids": ids}


def basis(consents, purpose="enrolment"):
    return {"system_id": consents["system_id"], "purpose": purpose, "subject_item": "身份证号"}


def consent_grant(db, people, students, tmp_path, consents, **approval):
    return granted(
        db,
        people,
        students,
        tmp_path,
        approval={"consent": basis(consents), "rows_per_day": None, **approval},
        row_filter=[],
        access_mode="file_delivery",
    )


def names(client, headers, code):
    body = {"items": ["姓名", "出生日期"], "sort": [{"item": "出生日期"}]}
    response = client.post(URL.format(code, "query"), json=body, headers=headers)
    assert response.status_code == 200, response.text
    return [row[0] for row in response.json()["rows"]]


def test_only_consented_subjects_rows_are_returned_online_and_in_files(
    client, consumer_headers, db, people, students, tmp_path, consents
):
    code = consent_grant(db, people, students, tmp_path, consents)
    # 李娜 withdrew, 刘洋 never consented: only 张伟's row, masked as granted
    assert names(client, consumer_headers, students) == ["张*"]
    response = client.post(
        URL.format(students, "sql"),
        json={"sql": "SELECT COUNT(*) AS n FROM dataset", "format": "csv"},
        headers=consumer_headers,
    )
    assert response.status_code == 200, response.text
    assert pacsv.read_csv(io.BytesIO(response.content)).column("n").to_pylist() == [1]
    with db.sessions() as session:
        grant = session.scalar(select(Grant).where(Grant.code == code))
        assert grant.consent_purpose == "enrolment" and grant.consent_subject_item == "身份证号"
        details = session.scalars(
            select(AuditEvent.details).where(AuditEvent.event == "data.query")
        ).all()
    assert all(json.loads(d)["consent"] == "enrolment" for d in details)
    shown = client.get(f"/api/v1/grants/{code}", headers=consumer_headers).json()
    assert shown["consent"]["purpose"] == "enrolment"


def test_a_withdrawal_or_a_new_consent_counts_from_the_next_query(
    client, consumer_headers, db, people, students, tmp_path, consents
):
    consent_grant(db, people, students, tmp_path, consents)
    assert names(client, consumer_headers, students) == ["张*"]
    officer = people["pi_officer"]
    with db.transaction() as session:
        consent.withdraw(session, officer, consents["ids"][(ZHANG, "enrolment")])
    assert names(client, consumer_headers, students) == []
    data = ConsentIn(
        system_id=consents["system_id"], notice_version=1, subject_id=LIU, purpose="enrolment"
    )
    with db.transaction() as session:
        consent.give(session, officer, data)
    assert names(client, consumer_headers, students) == ["刘*"]


def test_consent_to_another_purpose_does_not_count(
    client, consumer_headers, db, people, students, tmp_path, consents
):
    granted(
        db,
        people,
        students,
        tmp_path,
        approval={"consent": basis(consents, "aid")},
        row_filter=[],
    )
    # only 李娜 consented to 学生资助 (and never withdrew that one)
    assert names(client, consumer_headers, students) == ["李*"]


def test_a_grant_without_a_consent_basis_returns_every_row(
    client, consumer_headers, db, people, students, tmp_path, consents
):
    granted(db, people, students, tmp_path, row_filter=[])
    assert len(names(client, consumer_headers, students)) == 3


@pytest.mark.parametrize(
    ("change", "field"),
    [
        ({"purpose": "marketing"}, "approval.consent.purpose"),
        ({"categories": ["biometric"]}, "approval.consent.categories"),
        ({"subject_item": "学号"}, "approval.consent.subject_item"),
    ],
)
def test_a_consent_basis_outside_the_notice_or_entry_is_refused(
    db, people, students, consents, change, field
):
    app_id = apply(db, people["consumer"], students)
    approval = ApprovalIn.model_validate({"consent": {**basis(consents), **change}})
    with pytest.raises(InvalidInput) as error, db.transaction() as session:
        applications.transition(session, people["steward"], app_id, "approve", "", approval)
    assert error.value.field == field
    with db.sessions() as session:
        assert session.scalar(select(Grant)) is None


# --- grants to named users or client systems -----------------------------------------------


def test_a_grant_to_named_users_refuses_everyone_else_of_the_unit(
    client, consumer_headers, db, people, students, tmp_path
):
    code = granted(db, people, students, tmp_path, approval={"users": ["steward.bj"]})
    refused = client.post(URL.format(students, "query"), json={}, headers=consumer_headers)
    assert refused.status_code == 403, refused.text
    assert refused.headers["content-type"].startswith("application/problem+json")
    assert refused.json()["type"].endswith("grant-unknown") and "rows" not in refused.json()
    with db.sessions() as session:
        outcomes = session.scalars(
            select(AuditEvent.outcome).where(AuditEvent.event == "data.query")
        ).all()
        assert session.scalar(select(Grant.users).where(Grant.code == code)) == ["steward.bj"]
    assert outcomes == ["denied"]


def test_a_grant_to_the_named_user_serves_them(
    client, consumer_headers, db, people, students, tmp_path
):
    granted(db, people, students, tmp_path, approval={"users": ["data.consumer"]})
    allowed = client.post(URL.format(students, "query"), json={}, headers=consumer_headers)
    assert allowed.status_code == 200, allowed.text


@pytest.mark.parametrize(
    ("named", "field"),
    [({"users": ["data.steward"]}, "users"), ({"clients": ["no-such-client"]}, "clients")],
)
def test_named_recipients_outside_the_consumer_unit_are_refused(db, people, students, named, field):
    app_id = apply(db, people["consumer"], students)
    approval = ApprovalIn.model_validate(named)
    with pytest.raises(InvalidInput) as error, db.transaction() as session:
        applications.transition(session, people["steward"], app_id, "approve", "", approval)
    assert error.value.field == field
