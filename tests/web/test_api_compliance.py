"""Supervision over HTTP: registry, runs, findings, a notice's life, assessments."""

from __future__ import annotations

from tests.support import bearer


def test_supervision_over_http(client, db, org, classes):
    steward = bearer(client, db, "data.steward", org.password)
    reviewer = bearer(client, db, "security.reviewer", org.password)
    admin = bearer(client, db, "system.admin", org.password)
    system = {
        "name": "全国教师管理信息系统",
        "kind": "admin_system",
        "owner_unit_code": org.dept_a,
        "operator_unit_code": org.dept_a,
        "profile": {"persons_pi": 18_000_000, "mlps_level": 7},
    }
    bad = client.post("/api/v1/systems", headers=steward, json=system)
    assert bad.status_code == 422 and bad.json()["field"] == "profile.mlps_level"
    system["profile"]["mlps_level"] = 3
    created = client.post("/api/v1/systems", headers=steward, json=system)
    assert created.status_code == 201, created.text
    body = created.json()
    assert body["registered"] and body["open_findings"] >= 3  # officer, filing, audit …
    assert client.get("/api/v1/systems", headers=admin).status_code == 403  # 三员
    rules = client.get("/api/v1/compliance/rules", headers=reviewer).json()
    assert len(rules) >= 40 and all(r["article"] for r in rules)
    run = client.post("/api/v1/compliance/runs", headers=reviewer, json={})
    assert run.status_code == 201 and run.json()["rules"] == len(rules)
    open_findings = client.get(
        "/api/v1/findings", headers=reviewer, params={"unit": org.dept_a}
    ).json()
    ids = [f["id"] for f in open_findings if f["subject_kind"] == "system"]
    assert client.get("/api/v1/findings", headers=admin).status_code == 403
    one = client.get(f"/api/v1/findings/{ids[0]}", headers=steward).json()
    assert one["history"][0]["change"] == "opened" and one["article"].startswith("N2021")
    no_deadline = client.post("/api/v1/notices", headers=reviewer, json={"finding_ids": ids})
    assert no_deadline.status_code == 422 and no_deadline.json()["field"] == "working_days"
    issued = client.post(
        "/api/v1/notices", headers=reviewer, json={"finding_ids": ids, "working_days": 10}
    )
    assert issued.status_code == 201, issued.text
    notice = issued.json()
    others = [f["id"] for f in client.get("/api/v1/findings", headers=reviewer).json()]
    foreign = [i for i in others if i not in ids]
    evidence = [{"finding_id": i, "text": "已整改"} for i in ids]
    if foreign:
        refused = client.post(
            f"/api/v1/notices/{notice['id']}/transitions/answer",
            headers=steward,
            json={"evidence": [*evidence, {"finding_id": foreign[0], "text": "顺带"}]},
        )
        assert refused.status_code == 422
    answered = client.post(
        f"/api/v1/notices/{notice['id']}/transitions/answer",
        headers=steward,
        json={"evidence": evidence},
    )
    assert answered.status_code == 200 and answered.json()["state"] == "answered"
    refused = client.post(
        f"/api/v1/notices/{notice['id']}/transitions/accept", headers=reviewer, json={}
    )
    assert refused.status_code == 409  # the findings still fail
    document = client.get(f"/api/v1/notices/{notice['id']}", headers=steward).json()
    assert document["unit"]["name"] == "教师工作司" and len(document["evidence"]) == len(ids)
    questions = client.get("/api/v1/assessments/questions", headers=steward).json()
    answers = {q["id"]: q["high"] + 1 for q in questions}
    out_of_range = client.post(
        "/api/v1/assessments",
        headers=steward,
        json={"system_id": body["id"], "answers": answers},
    )
    assert out_of_range.status_code == 422
    answers = {q["id"]: 1 for q in questions}
    made = client.post(
        "/api/v1/assessments", headers=steward, json={"system_id": body["id"], "answers": answers}
    )
    assert made.status_code == 201, made.text
    reported = client.post(f"/api/v1/assessments/{made.json()['id']}/report", headers=steward)
    assert (
        reported.json()["status"] == "reported"
        and reported.json()["reported_to_unit_code"] == "MOE"
    )
    report = client.get(f"/api/v1/assessments/{made.json()['id']}", headers=reviewer).json()
    assert report["system"]["name"] == "全国教师管理信息系统"
    summary = client.get(f"/api/v1/units/{org.dept_a}/compliance", headers=reviewer).json()
    assert summary["approval_blocked"] and summary["unit"]["name"] == "教师工作司"


def test_report_downloads_are_authorized_and_audited_as_exports(client, db, org, classes, system):
    from sqlalchemy import select

    from hutong.audit.models import AuditEvent
    from hutong.audit.service import Category, record
    from hutong.compliance import notices, runner
    from hutong.compliance.models import Finding
    from hutong.identity.auth import actor_for
    from hutong.identity.service import user_by_name
    from tests.compliance import builders as b

    with db.transaction() as session:
        b.system(session, org.dept_a, emergency_plan_covers_data=False)
        record(session, system, "test.arrange", category=Category.INSERT)
        runner.run(session, system)
        ids = session.scalars(
            select(Finding.id).where(
                Finding.status == "open", Finding.unit_id == b.unit_id(session, org.dept_a)
            )
        ).all()
        reviewer = actor_for(user_by_name(session, "security.reviewer"))
        notice_id = notices.issue(session, reviewer, ids, 5).id
    steward = bearer(client, db, "data.steward", org.password)
    pdf = client.get(f"/api/v1/notices/{notice_id}/report.pdf", headers=steward)
    assert pdf.status_code == 200 and pdf.headers["content-type"] == "application/pdf"
    assert pdf.content.startswith(b"%PDF") and "attachment" in pdf.headers["content-disposition"]
    assert "filename*=UTF-8''%E6%95%B4%E6%94%B9" in pdf.headers["content-disposition"]  # 整改
    html = client.get(f"/api/v1/notices/{notice_id}/report.html", headers=steward)
    assert html.headers["content-type"].startswith("text/html") and "教师工作司：" in html.text
    unit = client.get(f"/api/v1/units/{org.dept_a}/compliance/report.html", headers=steward)
    assert unit.status_code == 200 and "教师工作司数据合规报告" in unit.text
    bad_year = client.get(
        f"/api/v1/units/{org.dept_a}/compliance/report.pdf", headers=steward, params={"year": 1990}
    )
    assert bad_year.status_code == 422 and bad_year.json()["field"] == "year"
    other = client.get(f"/api/v1/notices/{notice_id}/report.docx", headers=steward)
    assert other.status_code == 422  # only pdf and html
    admin = bearer(client, db, "system.admin", org.password)  # 三员: no business data
    assert client.get(f"/api/v1/notices/{notice_id}/report.pdf", headers=admin).status_code == 403
    with db.sessions() as session:
        exports = session.scalars(
            select(AuditEvent.event).where(AuditEvent.category == "export")
        ).all()
    assert sorted(exports) == ["compliance.export", "notice.export", "notice.export"]
