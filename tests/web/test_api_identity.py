"""The identity API over HTTP: tokens, units, users, clients, and problem+json errors."""

from __future__ import annotations

from datetime import UTC, datetime

from sqlalchemy import select

from hutong.audit.models import AuditEvent
from hutong.core.identifiers import uscc_with_check
from tests.support import bearer

PROBLEM = "application/problem+json"


def test_health_metrics_openapi(client):
    assert client.get("/healthz").json()["status"] == "ok"
    client.get("/healthz")
    metrics = client.get("/metrics")
    assert metrics.status_code == 200
    assert 'hutong_http_requests_total{method="GET",route="/healthz",status="200"}' in metrics.text
    spec = client.get("/api/v1/openapi.json").json()
    assert "/api/v1/auth/token" in spec["paths"] and "/api/v1/audit/events" in spec["paths"]


def test_wrong_password_is_a_401_problem_and_audited(client, db, org):
    response = client.post(
        "/api/v1/auth/token",
        data={"grant_type": "password", "username": "data.steward", "password": "nope"},
    )
    assert response.status_code == 401
    assert response.headers["content-type"] == PROBLEM
    body = response.json()
    assert (
        body["detail_zh"] == "用户名或密码错误"
        and body["detail_en"] == "wrong username or password"
    )
    with db.sessions() as session:
        assert session.scalar(select(AuditEvent).where(AuditEvent.outcome == "failed")) is not None


def test_forged_and_missing_tokens_are_refused(client, org):
    assert client.get("/api/v1/units").status_code == 401
    forged = client.get("/api/v1/units", headers={"Authorization": "Bearer htk_forged"})
    assert forged.status_code == 401 and forged.headers["content-type"] == PROBLEM


def test_expired_token_is_refused(client, db, org):
    headers = bearer(client, db, "data.steward", org.password)
    assert client.get("/api/v1/units", headers=headers).status_code == 200
    from hutong.identity.models import ApiToken

    with db.engine.begin() as connection:
        connection.execute(
            ApiToken.__table__.update().values(expires_at=datetime(2000, 1, 1, tzinfo=UTC))
        )
    assert client.get("/api/v1/units", headers=headers).status_code == 401


def test_system_admin_creates_unit_and_user(client, db, org):
    headers = bearer(client, db, "system.admin", org.password)
    code = uscc_with_check("12100000" + "MA0012345")
    response = client.post(
        "/api/v1/units",
        headers=headers,
        json={
            "code": code,
            "name": "教育部考试中心",
            "kind": "affiliated_unit",
            "parent_code": "MOE",
        },
    )
    assert response.status_code == 201, response.text
    response = client.post(
        "/api/v1/users",
        headers=headers,
        json={
            "username": "new.steward",
            "display_name": "李四",
            "unit_code": code,
            "roles": ["data_steward"],
        },
    )
    assert response.status_code == 201
    assert response.json()["must_change_password"] is True
    assert len(response.json()["one_time_password"]) >= 10


def test_malformed_unit_code_is_named_and_changes_nothing(client, db, org):
    headers = bearer(client, db, "system.admin", org.password)
    for kind, code in (
        ("provincial_department", "111100000000123450"),  # wrong check char
        ("school", "4199010001"),  # province 99 does not exist
        ("ministry_department", "moe lower"),
    ):
        response = client.post(
            "/api/v1/units",
            headers=headers,
            json={"code": code, "name": "x", "kind": kind, "parent_code": "MOE"},
        )
        assert response.status_code == 422, (kind, response.text)
        assert response.json()["field"] == "code"
    units = client.get(
        "/api/v1/units", headers=bearer(client, db, "data.steward", org.password)
    ).json()
    assert len(units) == 5


def test_separation_of_duties_over_http(client, db, org):
    headers = bearer(client, db, "system.admin", org.password)
    response = client.post(
        "/api/v1/users",
        headers=headers,
        json={
            "username": "two.hats",
            "display_name": "x",
            "unit_code": org.dept_a,
            "roles": ["system_admin", "auditor"],
        },
    )
    assert response.status_code == 409
    assert response.json()["field"] == "roles"
    assert "三员" in response.json()["detail_zh"]


def test_denied_action_is_audited(client, db, org):
    headers = bearer(client, db, "data.steward", org.password)
    response = client.post(
        "/api/v1/units",
        headers=headers,
        json={"code": "MOE-X", "name": "x", "kind": "ministry_department"},
    )
    assert response.status_code == 403
    with db.sessions() as session:
        denied = session.scalars(select(AuditEvent).where(AuditEvent.outcome == "denied")).all()
    assert [(e.actor_name, e.event) for e in denied] == [("data.steward", "unit.manage")]


def test_client_credentials_with_scopes(client, db, org):
    admin = bearer(client, db, "system.admin", org.password)
    created = client.post(
        "/api/v1/clients",
        headers=admin,
        json={
            "client_id": "bj-jyw-sys",
            "name": "北京市教委学籍系统",
            "unit_code": org.province,
            "roles": ["data_consumer"],
            "scopes": ["unit.read", "catalog.read"],
        },
    ).json()
    form = {
        "grant_type": "client_credentials",
        "client_id": "bj-jyw-sys",
        "client_secret": created["client_secret"],
        "scope": "unit.read",
    }
    token = client.post("/api/v1/auth/token", data=form).json()
    assert token["scope"] == "unit.read"
    assert (
        client.get(
            "/api/v1/units", headers={"Authorization": f"Bearer {token['access_token']}"}
        ).status_code
        == 200
    )
    too_wide = client.post("/api/v1/auth/token", data={**form, "scope": "user.manage"})
    assert too_wide.status_code == 422 and too_wide.json()["field"] == "scope"
    wrong = client.post("/api/v1/auth/token", data={**form, "client_secret": "guess"})
    assert wrong.status_code == 401


def test_one_time_password_must_be_changed_before_a_token(client, db, org):
    admin = bearer(client, db, "system.admin", org.password)
    otp = client.post(
        "/api/v1/users",
        headers=admin,
        json={
            "username": "fresh.user",
            "display_name": "王五",
            "unit_code": org.dept_b,
            "roles": ["data_consumer"],
        },
    ).json()["one_time_password"]
    form = {"grant_type": "password", "username": "fresh.user", "password": otp}
    assert client.post("/api/v1/auth/token", data=form).status_code == 403
    weak = client.post(
        "/api/v1/auth/password",
        json={"username": "fresh.user", "current_password": otp, "new_password": "short"},
    )
    assert weak.status_code == 422 and weak.json()["field"] == "new_password"
    assert (
        client.post(
            "/api/v1/auth/password",
            json={
                "username": "fresh.user",
                "current_password": otp,
                "new_password": "New-Secret-2026",
            },
        ).status_code
        == 204
    )
    form["password"] = "New-Secret-2026"
    assert client.post("/api/v1/auth/token", data=form).status_code == 200


def test_english_problem_detail_on_request(client, org):
    response = client.post(
        "/api/v1/auth/token",
        headers={"Accept-Language": "en"},
        data={"grant_type": "password", "username": "x", "password": "y"},
    )
    assert response.json()["detail"] == "wrong username or password"
