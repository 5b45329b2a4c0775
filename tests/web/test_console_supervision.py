"""Console pages of supervision and of the systems registry: who sees them, Chinese messages
for refused forms (nothing saved), and the notice cycle through the forms."""

from __future__ import annotations

import pytest
from sqlalchemy import func, select

from hutong.audit.service import Category, record
from hutong.compliance import runner
from hutong.compliance.models import Assessment, Finding, Notice, NoticeAttachment
from hutong.web.console.supervision import findings as findings_page
from tests.compliance import builders as b
from tests.support import enrol_totp
from tests.web.test_console import csrf, sign_in


@pytest.fixture
def failing_system(db, org, classes, system):
    """A system of 教师工作司 whose emergency plan leaves out data incidents."""
    with db.transaction() as session:
        row = b.system(session, org.dept_a, emergency_plan_covers_data=False)
        record(session, system, "test.arrange", category=Category.INSERT)
        runner.run(session, system)
        finding = session.scalar(
            select(Finding.id).where(Finding.rule_id == "system.emergency_plan")
        )
        return row.id, finding


def test_navigation_only_for_roles_that_may_use_it(client, db, org):
    sign_in(client, "data.consumer", org.password)
    home = client.get("/console").text
    assert "信息系统" in home and "监督检查" not in home  # consumers read the registry only
    assert client.get("/console/supervision").status_code == 403
    client.cookies.clear()
    sign_in(client, "system.admin", org.password, enrol_totp(db, "system.admin").now())
    home = client.get("/console").text
    assert "信息系统" not in home and "监督检查" not in home  # 三员: no business data
    assert client.get("/console/systems").status_code == 403
    client.cookies.clear()
    sign_in(client, "security.reviewer", org.password)
    page = client.get("/console/supervision")
    assert page.status_code == 200 and "监督检查" in page.text
    assert 'id="chart-trend"' in page.text and "立即运行全部规则" in page.text
    english = client.get("/console/supervision/rules?lang=en").text
    assert "Run all rules now" not in english and "Open findings" in english


def test_system_form_refuses_in_chinese_and_keeps_what_was_typed(client, db, org):
    sign_in(client, "data.steward", org.password)
    form = client.get("/console/systems/new")
    assert form.status_code == 200
    data = {
        "csrf_token": csrf(form.text),
        "name": "全国教师培训管理系统",
        "kind": "admin_system",
        "owner_unit_code": org.dept_a,
        "operator_unit_code": org.dept_a,
        "persons_pi": "2000000",
        "mlps_level": "7",
    }
    refused = client.post("/console/systems/new", data=data)
    assert refused.status_code == 422
    assert "“网络安全等级保护级别”不能大于 5" in refused.text
    assert 'value="全国教师培训管理系统"' in refused.text and 'aria-invalid="true"' in refused.text
    refused = client.post(
        "/console/systems/new", data={**data, "mlps_level": "3", "owner_unit_code": "NOPE"}
    )
    assert refused.status_code == 404 and "单位" in refused.text
    saved = client.post(
        "/console/systems/new", data={**data, "mlps_level": "3"}, follow_redirects=False
    )
    assert saved.status_code == 303
    detail = client.get(saved.headers["location"])
    assert "全国教师培训管理系统" in detail.text and "2,000,000" in detail.text
    assert "未关闭问题" in detail.text  # the system rules ran at once: no PI officer, no audit


def test_questionnaire_out_of_range_is_refused_and_nothing_saved(client, db, org, failing_system):
    system_id, _ = failing_system
    sign_in(client, "data.steward", org.password)
    form = client.get(f"/console/supervision/assessments/new?system_id={system_id}")
    answers = {f"answer_{q}": "0" for q in ("necessity", "scale", "sensitivity", "impact", "third_party", "access_control", "protection", "incidents")}  # fmt: skip
    data = {
        "csrf_token": csrf(form.text),
        "system_id": str(system_id),
        **answers,
        "answer_scale": "9",
    }
    refused = client.post("/console/supervision/assessments/new", data=data)
    assert refused.status_code == 422 and "的答案须在 0–4 之间" in refused.text
    with db.sessions() as session:
        assert session.scalar(select(func.count()).select_from(Assessment)) == 0
    saved = client.post("/console/supervision/assessments/new", data={**data, "answer_scale": "1"})
    assert saved.status_code == 200 and "低风险" in saved.text and "报送上级主管部门" in saved.text


def test_notice_without_deadline_is_refused_then_issued_answered_with_a_file_and_accepted(
    client, db, org, failing_system
):
    system_id, finding = failing_system
    sign_in(client, "security.reviewer", org.password)
    page = client.get("/console/supervision/findings?rule=system.emergency_plan")
    assert f'name="finding_ids" value="{finding}"' in page.text
    issue = {"csrf_token": csrf(page.text), "finding_ids": str(finding), "working_days": ""}
    refused = client.post("/console/supervision/notices", data=issue)
    assert "整改通知单必须规定整改期限" in refused.text
    with db.sessions() as session:
        assert session.scalar(select(func.count()).select_from(Notice)) == 0
    issued = client.post(
        "/console/supervision/notices", data={**issue, "working_days": "5"}, follow_redirects=False
    )
    notice_url = issued.headers["location"].split("?")[0]  # without the confirmation shown
    client.cookies.clear()

    sign_in(client, "data.steward", org.password)
    page = client.get(notice_url)
    assert "提交整改反馈" in page.text
    edit = client.get(f"/console/systems/{system_id}/edit")
    profile = dict(b.GOOD_PROFILE, pi_officer_username="pi.officer")
    fields = {k: str(v) for k, v in profile.items() if not isinstance(v, bool)}
    fields |= {k: "on" for k, v in profile.items() if v is True}
    client.post(
        f"/console/systems/{system_id}/edit", data={"csrf_token": csrf(edit.text), **fields}
    )
    answered = client.post(
        f"{notice_url}/answer",
        data={"csrf_token": csrf(page.text), f"evidence_{finding}": "已修订应急预案"},
        files={f"files_{finding}": ("应急预案（修订）.pdf", b"%PDF-1.7 plan", "application/pdf")},
    )
    assert "已反馈" in answered.text and "应急预案（修订）.pdf" in answered.text
    with db.sessions() as session:
        assert session.scalar(select(func.count()).select_from(NoticeAttachment)) == 1
    client.cookies.clear()

    sign_in(client, "security.reviewer", org.password)
    page = client.get(notice_url)
    accepted = client.post(
        f"{notice_url}/step", data={"csrf_token": csrf(page.text), "transition": "accept"}
    )
    assert "已办结" in accepted.text


def test_findings_are_paged_with_numbered_links_and_a_finding_lists_its_notices(
    client, db, org, failing_system, monkeypatch
):
    with db.sessions() as session:
        total = session.scalar(select(func.count()).select_from(Finding))
    assert total >= 2
    monkeypatch.setattr(findings_page, "PAGE_SIZE", 1)
    sign_in(client, "security.reviewer", org.password)
    first = client.get("/console/supervision/findings?status=all").text.replace("&amp;", "&")
    assert "status=all&page=2" in first and "上一页" not in first
    last = client.get(f"/console/supervision/findings?status=all&page={total}").text
    assert "上一页" in last and "下一页" not in last
    assert client.get("/console/supervision/findings?page=abc").status_code == 200
    _system_id, finding = failing_system
    detail = client.get(f"/console/supervision/findings/{finding}").text
    assert "教师工作司" in detail  # the responsible unit by name
