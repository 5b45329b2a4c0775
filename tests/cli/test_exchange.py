"""``hutong exchange``: apply, list, approve, grants, revoke and trace from the host's shell."""

from __future__ import annotations

import re

from sqlalchemy import select

from hutong.audit.models import AuditEvent
from hutong.exchange.models import Grant
from tests.cli.support import hutong
from tests.support import entry, published


def test_a_conditional_application_from_the_shell(settings, db, org, classes, actors, tmp_path):
    code = published(
        db,
        actors,
        entry(
            org,
            name="全国义务教育学校名录",
            grade="general",
            general_level=1,
            has_pi=False,
            approx_persons=None,
            items=[
                {"name": "学校标识码", "data_type": "字符型"},
                {"name": "学校名称", "data_type": "字符型"},
            ],
        ),
    )
    applied = hutong(
        settings, "exchange", "apply", code, "--as", "data.consumer",
        "--purpose", "核验本省学校名单", "--item", "学校名称", "--category", "verification",
    )  # fmt: skip
    assert applied.exit_code == 0, applied.output
    number = re.search(r"共享申请 (\d+)", applied.output).group(1)
    assert "submitted" in applied.output and "答复期限" in applied.output

    review = hutong(settings, "exchange", "list", "--as", "data.steward", "--view", "review")
    assert review.exit_code == 0 and "待提供方答复" in review.output

    refused = hutong(settings, "exchange", "step", number, "refuse", "--as", "data.steward")
    assert refused.exit_code != 0 and "理由" in refused.output  # a refusal needs its reason

    approved = hutong(settings, "exchange", "step", number, "approve", "--as", "data.steward")
    assert approved.exit_code == 0 and "granted" in approved.output, approved.output
    with db.sessions() as session:
        grant = session.scalar(select(Grant))
    listed = hutong(settings, "exchange", "grants", "--as", "data.consumer")
    assert grant.code in listed.output

    revoked = hutong(
        settings, "exchange", "revoke", grant.code, "--as", "data.steward", "--reason", "用途已完成"
    )
    assert revoked.exit_code == 0, revoked.output
    with db.sessions() as session:
        assert session.get(Grant, grant.id).status == "revoked"
        events = set(session.scalars(select(AuditEvent.event)))
    assert {"share.apply", "share.approve", "grant.revoke"} <= events

    stranger = tmp_path / "not-from-hutong.csv"
    stranger.write_text("学校名称\n某某学校\n", encoding="utf-8")
    traced = hutong(settings, "exchange", "trace", str(stranger), "--as", "security.admin")
    assert traced.exit_code != 0 and "交付" in traced.output


def test_an_application_with_a_bad_date_is_refused_before_the_database_is_opened(
    settings, tmp_path
):
    result = hutong(
        settings, "exchange", "apply", "JY-0001", "--as", "data.consumer",
        "--purpose", "核验", "--item", "学校名称", "--until", "2031-13-01",
    )  # fmt: skip
    assert result.exit_code == 2 and isinstance(result.exception, SystemExit)
    assert "错误（period_until）" in result.output and "日期" in result.output
