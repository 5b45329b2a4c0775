"""``hutong compliance``: run with progress, rules, findings, systems, escalation."""

from __future__ import annotations

import json

from sqlalchemy import select

from hutong.compliance.models import ComplianceRun
from tests.cli.support import hutong


def test_compliance_commands(settings, db, org, tmp_path):
    listed = hutong(settings, "compliance", "rules")
    assert listed.exit_code == 0 and "system.million.pi_officer" in listed.output
    spec = tmp_path / "system.json"
    spec.write_text(
        json.dumps(
            {
                "name": "全国学生资助管理信息系统",
                "kind": "admin_system",
                "owner_unit_code": org.dept_a,
                "operator_unit_code": org.dept_a,
                "profile": {"persons_pi": 5_000_000},
            }
        ),
        encoding="utf-8",
    )
    registered = hutong(
        settings, "compliance", "register-system", str(spec), "--as", "data.steward"
    )
    assert registered.exit_code == 0, registered.output
    ran = hutong(settings, "compliance", "run")
    assert ran.exit_code == 0, ran.output
    assert "已运行" in ran.output
    with db.sessions() as session:
        assert session.scalar(select(ComplianceRun.trigger).order_by(ComplianceRun.id.desc())) == (
            "manual"
        )
    shown = hutong(settings, "compliance", "findings", "--as", "security.reviewer")
    assert shown.exit_code == 0 and "N2021 task 9" in shown.output
    systems = hutong(settings, "compliance", "systems", "--as", "security.reviewer")
    assert systems.exit_code == 0 and "5,000,000" in systems.output
    refused = hutong(settings, "compliance", "findings", "--as", "system.admin")
    assert refused.exit_code == 2
    assert hutong(settings, "compliance", "escalate").exit_code == 0
    assert hutong(settings, "compliance", "notices", "--as", "security.reviewer").exit_code == 0
    bad_rule = hutong(settings, "compliance", "run", "--rule", "no.such.rule")
    assert bad_rule.exit_code == 2


def test_a_system_file_that_is_not_one_json_object_is_refused(settings, db, org, tmp_path):
    spec = tmp_path / "system.json"
    for text, message in [
        ('{"name": "学生资助系统",', "文件 system.json 不是有效的 JSON（第 1 行）"),
        ('["学生资助系统"]', "文件 system.json 须为一个 JSON 对象"),
        ('{"name": "学生资助系统"}', "必填"),
    ]:
        spec.write_text(text, encoding="utf-8")
        result = hutong(
            settings, "compliance", "register-system", str(spec), "--as", "data.steward"
        )
        assert result.exit_code == 2 and isinstance(result.exception, SystemExit)
        assert message in result.output.replace("\n", "")
