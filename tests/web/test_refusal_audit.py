"""Refusals at the door are audited like every other refusal (issue 12): a signed-in person's
failed CSRF check and a refused session cookie as that person's denied event; anonymous
refusals (no credentials, a forged token, an unknown cookie, a form without its CSRF cookie)
as one denied event per client address, operation and minute carrying the count, so a flood
cannot fill the log. No token, cookie or typed value reaches an event."""

from __future__ import annotations

import json
from datetime import UTC, datetime, timedelta

from fastapi.testclient import TestClient
from sqlalchemy import select

from hutong.audit.models import AuditEvent
from hutong.core import clock
from hutong.identity.authz import system_actor
from hutong.identity.models import ConsoleSession
from hutong.identity.service import set_enabled
from hutong.web.app import create_app
from tests.web.test_console import csrf, sign_in

MINUTE = datetime(2026, 12, 4, 8, 30, 5, tzinfo=UTC)


def refusals(db) -> list[AuditEvent]:
    with db.sessions() as session:
        return list(
            session.scalars(
                select(AuditEvent)
                .where(AuditEvent.event == "auth.refused")
                .order_by(AuditEvent.seq)
            )
        )


def windows(db) -> dict[tuple[str, str], dict]:
    """The anonymous windows written: (address, operation) → details."""
    return {
        (e.client_addr, e.target_id): json.loads(e.details)
        for e in refusals(db)
        if e.actor_name == "anonymous"
    }


def test_a_flood_of_anonymous_calls_is_one_event_per_address_operation_and_minute(
    settings, db, org, monkeypatch
):
    monkeypatch.setattr(clock, "utcnow", lambda: MINUTE)
    forged = {"Authorization": "Bearer htk_forged-token-value"}
    with TestClient(create_app(settings, db)) as client:
        for _ in range(200):
            assert client.get("/api/v1/complaints").status_code == 401
        for _ in range(20):
            assert client.get("/api/v1/units", headers=forged).status_code == 401
        assert client.get("/api/v1/units").status_code == 401
        assert refusals(db) == []  # the minute is not over
        monkeypatch.setattr(clock, "utcnow", lambda: MINUTE + timedelta(minutes=1))
        assert client.get("/api/v1/complaints").status_code == 401
        assert client.app.state.refusals.flush(db) == 2  # the first minute's two windows
        first = windows(db)
        assert first == {
            ("testclient", "GET /api/v1/complaints"): {
                "count": 200,
                "minute": "2026-12-04T08:30:00+00:00",
                "reasons": {"no_credentials": 200},
            },
            ("testclient", "GET /api/v1/units"): {
                "count": 21,
                "minute": "2026-12-04T08:30:00+00:00",
                "reasons": {"invalid_token": 20, "no_credentials": 1},
            },
        }
    # shutdown writes the window still open
    events = refusals(db)
    assert len(events) == 3 and all(e.outcome == "denied" for e in events)
    assert json.loads(events[-1].details)["count"] == 1
    assert "forged-token" not in repr([(e.details, e.target_id, e.actor_name) for e in events])


def test_a_refused_session_cookie_is_audited(client, db, org):
    client.cookies.set("hutong_session", "not-a-session")
    assert client.get("/console", follow_redirects=False).status_code == 303
    assert client.get("/api/v1/units").status_code == 401
    client.app.state.refusals.flush(db, everything=True)
    found = windows(db)
    assert set(found) == {("testclient", "GET /console"), ("testclient", "GET /api/v1/units")}
    assert [w["reasons"] for w in found.values()] == [{"unknown_session": 1}] * 2

    client.cookies.clear()
    sign_in(client, "data.steward", org.password)
    with db.engine.begin() as connection:
        connection.execute(
            ConsoleSession.__table__.update().values(
                last_seen_at=clock.utcnow() - timedelta(minutes=31)
            )
        )
    assert client.get("/console", follow_redirects=False).status_code == 303
    expired = refusals(db)[-1]
    assert (expired.actor_name, json.loads(expired.details)) == (
        "data.steward",
        {"reason": "session_expired"},
    )
    with db.sessions() as session:  # the session is ended: its next use is an unknown cookie
        assert session.scalars(select(ConsoleSession)).all() == []

    client.cookies.clear()
    sign_in(client, "data.consumer", org.password)
    with db.transaction() as session:
        set_enabled(session, system_actor("test"), "data.consumer", False)
    assert client.get("/api/v1/grants").status_code == 401
    disabled = refusals(db)[-1]
    assert (disabled.actor_name, json.loads(disabled.details)) == (
        "data.consumer",
        {"reason": "session_disabled"},
    )


def test_csrf_refusals_are_audited(client, db, org):
    sign_in(client, "data.steward", org.password)
    assert client.post("/console/logout", data={"csrf_token": "forged"}).status_code == 403
    unit = {"code": "MOE-X", "name": "x", "kind": "ministry_department"}
    assert client.post("/api/v1/units", json=unit).status_code == 403  # no CSRF header
    form, api = refusals(db)[-2:]
    assert (form.actor_name, form.target_id, json.loads(form.details)) == (
        "data.steward",
        "POST /console/logout",
        {"reason": "csrf"},
    )
    assert (api.actor_name, api.target_id, json.loads(api.details)) == (
        "data.steward",
        "POST /api/v1/units",
        {"reason": "csrf"},
    )
    assert "forged" not in form.details

    client.cookies.clear()  # before sign-in: the login form and the public forms
    page = client.get("/console/login")
    client.cookies.clear()
    login = {"username": "data.steward", "password": org.password, "csrf_token": csrf(page.text)}
    assert client.post("/console/login", data=login).status_code == 400
    assert client.post("/disclosure", data={"csrf_token": "forged"}).status_code == 403
    client.app.state.refusals.flush(db, everything=True)
    found = windows(db)
    assert found[("testclient", "POST /console/login")]["reasons"] == {"csrf": 1}
    assert found[("testclient", "POST /disclosure")]["reasons"] == {"csrf": 1}
    assert org.password not in repr([e.details for e in refusals(db)])
