"""Test helpers shared across folders: an in-process HTTP client and signed-in headers."""

from __future__ import annotations

import pyotp
import pytest
from fastapi.testclient import TestClient

from hutong.identity import auth
from hutong.identity.service import user_by_name
from hutong.web.app import create_app


@pytest.fixture
def client(settings, db):
    with TestClient(create_app(settings, db)) as test_client:
        yield test_client


def enrol_totp(db, username: str) -> pyotp.TOTP:
    with db.transaction() as session:
        uri = auth.begin_totp_enrolment(session, user_by_name(session, username))
    totp = pyotp.TOTP(pyotp.parse_uri(uri).secret)
    with db.transaction() as session:
        auth.confirm_totp_enrolment(session, user_by_name(session, username), totp.now())
    return totp


def bearer(client, db, username: str, password: str) -> dict[str, str]:
    form = {"grant_type": "password", "username": username, "password": password}
    if username in ("system.admin", "security.admin", "auditor"):
        form["totp"] = enrol_totp(db, username).now()
    response = client.post("/api/v1/auth/token", data=form)
    assert response.status_code == 200, response.text
    return {"Authorization": f"Bearer {response.json()['access_token']}"}
