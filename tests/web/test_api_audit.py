"""Audit API: auditor-only search and export; no route edits or deletes an event."""

from __future__ import annotations

import csv
import io
import json

from sqlalchemy import func, select

from hutong.audit.models import AuditEvent
from tests.support import bearer


def test_only_the_auditor_reads_the_audit_log(client, db, org):
    for username in ("system.admin", "security.admin", "data.steward", "catalog.reviewer"):
        headers = bearer(client, db, username, org.password)
        assert client.get("/api/v1/audit/events", headers=headers).status_code == 403, username
        assert client.get("/api/v1/audit/events/export", headers=headers).status_code == 403
    auditor = bearer(client, db, "auditor", org.password)
    page = client.get("/api/v1/audit/events", headers=auditor, params={"outcome": "denied"}).json()
    assert {e["actor_name"] for e in page["events"]} == {
        "system.admin",
        "security.admin",
        "data.steward",
        "catalog.reviewer",
    }


def test_search_filters_and_cursor(client, db, org):
    auditor = bearer(client, db, "auditor", org.password)
    first = client.get("/api/v1/audit/events", headers=auditor, params={"limit": 5}).json()
    assert len(first["events"]) == 5
    seqs = [e["seq"] for e in first["events"]]
    assert seqs == sorted(seqs, reverse=True)
    second = client.get(
        "/api/v1/audit/events",
        headers=auditor,
        params={"limit": 5, "before_seq": first["next_before_seq"]},
    ).json()
    assert max(e["seq"] for e in second["events"]) < min(seqs)
    by_actor = client.get(
        "/api/v1/audit/events", headers=auditor, params={"event": "user.", "actor": "system:test"}
    ).json()
    assert by_actor["events"] and all(e["event"] == "user.create" for e in by_actor["events"])
    bad = client.get("/api/v1/audit/events", headers=auditor, params={"outcome": "maybe"})
    assert bad.status_code == 422 and bad.json()["field"] == "outcome"


def test_export_csv_and_jsonl_is_itself_audited(client, db, org):
    auditor = bearer(client, db, "auditor", org.password)
    response = client.get(
        "/api/v1/audit/events/export",
        headers=auditor,
        params={"format": "csv", "event": "user.create"},
    )
    rows = list(csv.DictReader(io.StringIO(response.text)))
    assert len(rows) == 9 and {r["event"] for r in rows} == {"user.create"}
    lines = client.get(
        "/api/v1/audit/events/export",
        headers=auditor,
        params={"format": "jsonl", "event": "unit.create"},
    ).text.splitlines()
    assert len(lines) == 5 and json.loads(lines[0])["event"] == "unit.create"
    with db.sessions() as session:
        exports = session.scalars(
            select(AuditEvent).where(AuditEvent.event == "audit.export")
        ).all()
    assert [(e.actor_name, e.rows, e.category) for e in exports] == [
        ("auditor", 9, "export"),
        ("auditor", 5, "export"),
    ]


def test_no_route_can_edit_or_delete_audit_events(client, db, org):
    for route in client.app.routes:
        path = getattr(route, "path", "")
        if "audit" in path:
            assert set(getattr(route, "methods", set())) <= {"GET", "HEAD"}, path
    auditor = bearer(client, db, "auditor", org.password)
    with db.sessions() as session:
        before = session.scalar(select(func.count()).select_from(AuditEvent))
    for method in ("DELETE", "PUT", "PATCH", "POST"):
        assert client.request(method, "/api/v1/audit/events/1", headers=auditor).status_code in (
            404,
            405,
        )
        assert client.request(method, "/api/v1/audit/events", headers=auditor).status_code == 405
    with db.sessions() as session:
        assert session.scalar(select(func.count()).select_from(AuditEvent)) >= before
