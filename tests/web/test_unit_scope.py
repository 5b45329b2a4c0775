"""Sealed and personal records stay inside the unit tree (issue 12): a complaint, consents, a
disclosure applicant, a research extract and a document scan of unit A (北京市教委) cannot be
read by any role of unit B (上海市教委), which has no supervisory scope over A — neither one by
one (404, the answer for a record that does not exist, audited as denied) nor in a list —
while A's own staff and the security roles above A still read them."""

from __future__ import annotations

import re

import pytest
from sqlalchemy import func, select

from hutong.audit.models import AuditEvent
from hutong.audit.service import Category, record
from hutong.core.clock import today_local
from hutong.core.identifiers import uscc_with_check
from hutong.data.ingest import ingest_file
from hutong.exchange.models import Application
from hutong.identity.models import UnitKind
from hutong.identity.roles import Role
from hutong.identity.schemas import UnitCreate, UserCreate
from hutong.identity.service import create_unit, create_user, user_by_name
from tests.cli.support import hutong
from tests.compliance import builders
from tests.exchange.conftest import granted, people, students  # noqa: F401  (fixtures)
from tests.privacy.conftest import citizen, notice_in
from tests.support import enrol_totp, entry, published

SHANGHAI = uscc_with_check("11310000" + "000054321")
OFFICERS = {r.value for r in (Role.SYSTEM_ADMIN, Role.SECURITY_ADMIN, Role.AUDITOR)}


def b_user(role: Role) -> str:
    return f"b.{role.value}"


@pytest.fixture
def unit_b(db, org, system):
    """上海市教委 beside 北京市教委 under the Ministry, one account per role; and a PI officer,
    a security administrator, a publisher and a data steward of 北京市教委 (unit A)."""
    with db.transaction() as session:
        create_unit(
            session,
            system,
            UnitCreate(
                code=SHANGHAI,
                name="上海市教育委员会",
                kind=UnitKind.PROVINCIAL_DEPARTMENT,
                parent_code="MOE",
            ),
        )
        accounts = [(b_user(role), SHANGHAI, role) for role in Role]
        accounts += [("a.pi_officer", org.province, Role.PI_OFFICER)]
        accounts += [("a.security_admin", org.province, Role.SECURITY_ADMIN)]
        accounts += [("a.publisher", org.province, Role.PUBLISHER)]
        accounts += [("a.data_steward", org.province, Role.DATA_STEWARD)]
        for username, unit, role in accounts:
            create_user(
                session,
                system,
                UserCreate(
                    username=username,
                    display_name=username,
                    unit_code=unit,
                    roles=[role],
                    password=org.password,
                ),
            )
    return SHANGHAI


@pytest.fixture
def token(client, db, org):
    """Bearer headers by username (the 三员 enrol their second factor first), one sign-in each."""
    issued: dict[str, dict[str, str]] = {}

    def headers(username: str) -> dict[str, str]:
        if username not in issued:
            form = {"grant_type": "password", "username": username, "password": org.password}
            with db.sessions() as session:
                roles = user_by_name(session, username).roles
            if roles & OFFICERS:
                form["totp"] = enrol_totp(db, username).now()
            response = client.post("/api/v1/auth/token", data=form)
            assert response.status_code == 200, response.text
            issued[username] = {"Authorization": f"Bearer {response.json()['access_token']}"}
        return issued[username]

    return headers


def denied(db, username: str, event: str) -> int:
    with db.sessions() as session:
        return session.scalar(
            select(func.count())
            .select_from(AuditEvent)
            .where(
                AuditEvent.actor_name == username,
                AuditEvent.event == event,
                AuditEvent.outcome == "denied",
            )
        )


def refused_everywhere(token, db, event: str, may: set[Role], single, listing=None) -> None:
    """Every role of unit B: ``single(headers)`` answers 404 to the roles that ``may`` take
    the action (not on unit A's record: as if it did not exist) and 403 to the others, each
    audited as denied; ``listing(headers)`` gives (status, whether A's record is in it)."""
    for role in Role:
        username = b_user(role)
        answer = single(token(username))
        assert answer.status_code == (404 if role in may else 403), (role, answer.text)
        assert denied(db, username, event) == 1, role
        if listing is not None:
            status, found = listing(token(username))
            assert status == 403 or not found, (role, status)


def system_of(db, system, unit_code: str) -> int:
    with db.transaction() as session:
        row = builders.system(session, unit_code)
        record(session, system, "test.arrange", category=Category.INSERT)
        return row.id


def test_a_complaint_is_read_by_its_units_pi_officer_and_the_security_roles_above(
    client, db, org, system, settings, unit_b, token
):
    system_id = system_of(db, system, org.province)
    filed = client.post(
        "/privacy/complaints",
        data={
            "system_id": str(system_id),
            "category": "use",
            "contact": "李先生 13900001111",
            "text": "学校在公告栏公布了学生的家庭住址。",
        },
    )
    number = re.search(r"受理编号：<strong>(\w+)</strong>", filed.text).group(1)
    read = f"/api/v1/complaints/{number}"
    for reader in ("a.pi_officer", "a.security_admin", "security.admin"):
        opened = client.get(read, headers=token(reader))
        assert opened.status_code == 200 and opened.json()["contact"] == "李先生 13900001111"
    # the PI officer of 教师工作司 is no officer of 北京市教委's system
    elsewhere = client.get(read, headers=token("pi.officer"))
    assert elsewhere.status_code == 404

    def complaints(headers):
        listed = client.get("/api/v1/complaints", headers=headers)
        return listed.status_code, listed.is_success and number in listed.text

    refused_everywhere(
        token,
        db,
        "complaint.handle",
        {Role.PI_OFFICER, Role.SECURITY_ADMIN},
        lambda headers: client.get(read, headers=headers),
        complaints,
    )
    answer = client.post(
        f"{read}/answer",
        json={"answer": "已要求学校撤下公告并整改。"},
        headers=token(b_user(Role.PI_OFFICER)),
    )
    assert answer.status_code == 404 and "13900001111" not in answer.text
    # the console pages and the command line read through the same door
    officer_b = console(client, org, b_user(Role.PI_OFFICER))
    assert number not in officer_b.get("/console/privacy/complaints").text
    assert officer_b.get(f"/console/privacy/complaints/{number}").status_code == 404
    officer_a = console(client, org, "a.pi_officer")
    assert "13900001111" in officer_a.get(f"/console/privacy/complaints/{number}").text
    assert number not in hutong(settings, "privacy", "complaints", "--as", "b.pi_officer").output
    assert number in hutong(settings, "privacy", "complaints", "--as", "a.pi_officer").output


def test_a_systems_consents_are_read_and_checked_by_its_own_unit_only(
    client, db, org, system, unit_b, token
):
    system_id = system_of(db, system, org.province)
    officer = token("a.pi_officer")
    notice = notice_in(system_id).model_dump(mode="json")
    assert client.post("/api/v1/collection-notices", json=notice, headers=officer).is_success
    person = citizen(today_local().replace(year=today_local().year - 30))
    given = client.post(
        "/api/v1/consents",
        json={"system_id": system_id, "notice_version": 1, "subject_id": person,
              "purpose": "enrolment"},
        headers=officer,
    )  # fmt: skip
    consent_id = given.json()["consent"]["id"]
    listing = f"/api/v1/consents?system_id={system_id}"
    assert [c["id"] for c in client.get(listing, headers=officer).json()] == [consent_id]
    check = {"system_id": system_id, "purpose": "enrolment", "subject_ids": [person]}
    refused_everywhere(
        token,
        db,
        "consent.read",
        {Role.DATA_STEWARD, Role.PI_OFFICER},
        lambda headers: client.get(listing, headers=headers),
    )
    refused_everywhere(
        token,
        db,
        "consent.check",
        {Role.DATA_STEWARD, Role.DATA_CONSUMER, Role.PI_OFFICER},
        lambda headers: client.post("/api/v1/consents/check", json=check, headers=headers),
    )
    refused_everywhere(
        token,
        db,
        "consent.record",
        {Role.DATA_STEWARD, Role.PI_OFFICER},
        lambda headers: client.post(f"/api/v1/consents/{consent_id}/withdraw", headers=headers),
    )
    assert client.get(listing, headers=officer).json()[0]["status"] == "valid"


def test_a_disclosure_applicant_is_read_by_the_office_applied_to_only(
    client, db, org, unit_b, token
):
    filed = client.post(
        "/api/v1/disclosure-requests",
        json={"name": "张三", "id_type": "citizen_id", "id_number": "11010519491231002X",
              "contact": "a@b.cn", "description": "某校 2025 年招生计划",
              "office_code": org.province},
    )  # fmt: skip
    number = filed.json()["tracking_no"]
    applicant = f"/api/v1/disclosure-requests/{number}/applicant"
    who = client.get(applicant, headers=token("a.publisher"))
    assert who.status_code == 200 and who.json()["id_number"] == "11010519491231002X"
    # the Ministry's publisher handles what is addressed to the Ministry, not to 北京市教委
    assert client.get(applicant, headers=token("publisher")).status_code == 404

    def requests(headers):
        listed = client.get("/api/v1/disclosure-requests", headers=headers)
        return listed.status_code, listed.is_success and number in listed.text

    assert requests(token("a.publisher")) == (200, True)
    refused_everywhere(
        token,
        db,
        "disclosure.handle",
        {Role.PUBLISHER},
        lambda headers: client.get(applicant, headers=headers),
        requests,
    )
    unknown = client.post(
        "/api/v1/disclosure-requests",
        json={"name": "张三", "id_type": "citizen_id", "id_number": "11010519491231002X",
              "contact": "a@b.cn", "description": "某校招生计划", "office_code": "NOPE"},
    )  # fmt: skip
    assert unknown.status_code == 422 and unknown.json()["field"] == "office_code"


def console(client, org, username: str):
    """A separate console client signed in as ``username`` (cookies are per client)."""
    from fastapi.testclient import TestClient

    browser = TestClient(client.app)
    form = browser.get("/console/login")
    token = re.search(r'name="csrf_token" value="([^"]+)"', form.text).group(1)
    signed = browser.post(
        "/console/login",
        data={"username": username, "password": org.password, "csrf_token": token},
        follow_redirects=False,
    )
    assert signed.status_code == 303, signed.text
    return browser


def test_a_research_extract_is_read_by_the_requesting_and_the_owner_unit_only(
    client, db, org, actors, classes, unit_b, token, tmp_path
):
    code = published(db, actors, entry(org))
    data = tmp_path / "teachers.csv"
    data.write_text(
        "姓名,性别,出生日期,任教学科\n"
        + "\n".join(f"教师{i},{1 + i % 2},1980-01-{1 + i % 28:02d},数学" for i in range(30)),
        encoding="utf-8",
    )
    ingest_file(db, actors["data_steward"], code, data)
    asked = client.post(
        "/api/v1/extracts",
        json={"resource_code": code, "requester_unit_code": org.province,
              "purpose": "研究教师队伍的性别结构与学科分布", "items": ["姓名", "性别"]},
        headers=token("a.data_steward"),
    )  # fmt: skip
    number = asked.json()["number"]
    decided = client.post(
        f"/api/v1/extracts/{number}/decision",
        json={"approve": True},
        headers=token("data.steward"),
    )
    assert decided.json()["state"] == "produced", decided.text
    read, file = f"/api/v1/extracts/{number}", f"/api/v1/extracts/{number}/file"
    assert client.get(read, headers=token("data.steward")).status_code == 200
    assert client.get(file, headers=token("a.data_steward")).status_code == 200
    listed = console(client, org, "a.data_steward").get("/console/privacy/extracts")
    assert number in listed.text

    may = {Role.DATA_STEWARD, Role.DATA_CONSUMER}
    refused_everywhere(
        token, db, "extract.read", may, lambda headers: client.get(read, headers=headers)
    )
    for role in Role:
        assert client.get(file, headers=token(b_user(role))).status_code == (
            404 if role in may else 403
        )
        if role in may:
            page = console(client, org, b_user(role)).get("/console/privacy/extracts")
            assert page.status_code == 200 and number not in page.text


def test_a_share_applications_document_scans_are_read_by_its_parties_and_reviewers_above(
    client, db, org, unit_b, token, tmp_path, request
):
    """北京市教委 (A) applies for 教师工作司's students and records the agreement and the
    provincial approval with their scans; 上海市教委's reviewers oversee neither unit."""
    sides = request.getfixturevalue("people")
    granted(db, sides, request.getfixturevalue("students"), tmp_path)
    with db.sessions() as session:
        app_id = session.scalar(select(Application.id))
    read = f"/api/v1/share-applications/{app_id}"
    for party in ("data.consumer", "data.steward", "security.reviewer"):
        shown = client.get(read, headers=token(party))
        assert shown.status_code == 200 and len(shown.json()["documents"]) == 2, party

    def applications(headers):
        listed = client.get("/api/v1/share-applications?view=all", headers=headers)
        return listed.status_code, listed.is_success and bool(listed.json())

    may = {
        Role.DATA_CONSUMER,
        Role.DATA_STEWARD,
        Role.SECURITY_REVIEWER,
        Role.CATALOG_REVIEWER,
        Role.PI_OFFICER,
    }
    refused_everywhere(
        token,
        db,
        "share.read",
        may,
        lambda headers: client.get(read, headers=headers),
        applications,
    )
