"""Test helpers shared across folders: an in-process HTTP client and signed-in headers."""

from __future__ import annotations

import time

import pyotp
import pytest
from fastapi.testclient import TestClient

from hutong.catalog.schemas import ItemIn, ResourceIn
from hutong.identity import auth
from hutong.identity.service import user_by_name
from hutong.web.app import create_app


@pytest.fixture
def client(settings, db):
    with TestClient(create_app(settings, db)) as test_client:
        yield test_client


def enrol_totp(db, username: str) -> pyotp.TOTP:
    """Enrol with the previous time step's code (still within the window), so the current
    step's ``totp.now()`` is free for the sign-in that follows: a code is accepted once."""
    with db.transaction() as session:
        uri = auth.begin_totp_enrolment(session, user_by_name(session, username))
    totp = pyotp.TOTP(pyotp.parse_uri(uri).secret)
    with db.transaction() as session:
        auth.confirm_totp_enrolment(session, user_by_name(session, username), previous(totp))
    return totp


def previous(totp: pyotp.TOTP) -> str:
    """The code of the time step before the current one."""
    return totp.at(time.time(), counter_offset=-1)


def bearer(client, db, username: str, password: str) -> dict[str, str]:
    form = {"grant_type": "password", "username": username, "password": password}
    if username in ("system.admin", "security.admin", "auditor"):
        form["totp"] = enrol_totp(db, username).now()
    response = client.post("/api/v1/auth/token", data=form)
    assert response.status_code == 200, response.text
    return {"Authorization": f"Bearer {response.json()['access_token']}"}


def entry(org, **changes) -> ResourceIn:
    """A valid conditional-share teacher entry of the steward's unit (教师工作司)."""
    base = dict(
        classification_code="30101",
        attribute="department",
        name="全国教师基本信息",
        provider_unit_code=org.dept_a,
        summary="全国中小学教师的基本信息，含姓名、性别、出生日期、学历与任教学科。",
        format="database",
        share_type="conditional",
        share_conditions="用于教师队伍建设管理",
        share_method="共享平台接口",
        open_type="not_open",
        update_cycle="monthly",
        data_kind="administrative",
        grade="important",
        has_pi=True,
        approx_persons=18_000_000,
        items=[
            ItemIn(
                name="姓名",
                data_type="字符型",
                length=50,
                pi_category="identity",
                default_mask="partial",
            ),
            ItemIn(name="性别", data_type="代码型", length=1),
            ItemIn(
                name="出生日期",
                data_type="日期型",
                pi_category="identity",
                default_mask="generalize",
            ),
            ItemIn(name="任教学科", data_type="字符型", length=20),
        ],
    )
    base.update(changes)
    return ResourceIn.model_validate(base)


def version_rows(db, version, sql: str = "SELECT * FROM dataset") -> list[tuple]:
    """Rows of a published version read the way queries read them (decrypted in memory)."""
    from hutong.data.access import open_version
    from hutong.data.engine import DuckDBEngine

    with db.sessions() as session:
        files = open_version(session, version)
    return [tuple(r.values()) for b in DuckDBEngine().stream(files, sql) for r in b.to_pylist()]


def created(db, actor, org, **changes) -> str:
    """Create an entry (``entry`` with ``changes``) as ``actor``; returns its code."""
    from hutong.catalog import service

    with db.transaction() as session:
        return service.create(session, actor, entry(org, **changes)).code


def published(db, actors, data: ResourceIn) -> str:
    """Create an entry as ``actors["data_steward"]`` and take it through review to published."""
    from hutong.catalog import service

    with db.transaction() as session:
        code = service.create(session, actors["data_steward"], data).code
    publish(db, actors, code)
    return code


def publish(db, actors, code: str) -> None:
    """Take a draft of ``actors["data_steward"]``'s unit through review to published."""
    from hutong.catalog import workflow

    for who, step in (
        ("data_steward", "submit"),
        ("catalog_reviewer", "approve"),
        ("data_steward", "publish"),
    ):
        with db.transaction() as session:
            workflow.transition(session, actors[who], code, step)
