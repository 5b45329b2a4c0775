"""Risk assessments (N2021 task 13): questionnaire ranges, evidence from Hutong, score,
reporting upward; and the report data the renderers use."""

from __future__ import annotations

import pytest
from sqlalchemy import func, select

from hutong.audit.service import Category, record
from hutong.catalog.models import Resource
from hutong.compliance import assessment, notices, reports, runner
from hutong.compliance.models import Assessment, Finding
from hutong.core.errors import InvalidInput, PermissionDenied
from hutong.data.models import DataKey
from tests.compliance import builders as b

LOW = {q.id: 0 for q in assessment.QUESTIONS}
HIGH = {q.id: q.high for q in assessment.QUESTIONS}


@pytest.fixture
def important_system(db, org, classes, system):
    with db.transaction() as session:
        row = b.system(session, org.dept_a, encrypts_at_rest=False)
        b.resource(session, org.dept_a, source_system_id=row.id, grade="important", has_pi=True)
        record(session, system, "test.arrange", category=Category.INSERT)
        runner.run(session, system)
    return row.id


@pytest.mark.parametrize(
    ("answers", "field"),
    [
        ({**LOW, "scale": 5}, "answers.scale"),
        ({**LOW, "impact": -1}, "answers.impact"),
        ({k: v for k, v in LOW.items() if k != "necessity"}, "answers.necessity"),
        ({**LOW, "mood": 1}, "answers.mood"),
    ],
)
def test_out_of_range_answers_are_refused_and_nothing_saved(
    db, people, important_system, answers, field
):
    with pytest.raises(InvalidInput) as refused, db.transaction() as session:
        assessment.assess(session, people["data.steward"], important_system, answers)
    assert refused.value.field == field
    with db.sessions() as session:
        assert session.scalar(select(func.count()).select_from(Assessment)) == 0


def test_evidence_score_and_report_upward_close_the_periodic_finding(db, people, important_system):
    steward = people["data.steward"]
    with db.transaction() as session:
        low = assessment.assess(session, steward, important_system, LOW)
        high = assessment.assess(
            session, people["pi.officer"], important_system, HIGH, "学籍异动处理"
        )
        low_id, high_id = low.id, high.id
        assert low.evidence["grades"]["important"] == 1
        assert low.evidence["encrypts_at_rest"] is False
        assert low.evidence["open_findings"]["high"] >= 1  # system.pi.encryption
        assert low.level == "low" and high.level == "high" and high.subject_kind == "activity"
        assert 0 < low.score < high.score <= 100
    with db.sessions() as session:
        status = session.scalar(
            select(Finding.status).where(Finding.rule_id == "system.assessment.periodic")
        )
    assert status == "open"  # a draft is not a reported assessment
    with db.transaction() as session:
        reported = assessment.report(session, steward, low_id)
        assert reported.reported_to_unit_id is not None
    with db.sessions() as session:
        status = session.scalar(
            select(Finding.status).where(Finding.rule_id == "system.assessment.periodic")
        )
    assert status == "closed"
    with db.transaction() as session:
        data = reports.assessment_report_data(session, people["security.reviewer"], high_id)
    assert data["level_zh"] == "高风险" and data["questions"][0]["answer_zh"] == "明显超出必要"
    assert data["unit"]["name"] == "教师工作司"
    with pytest.raises(PermissionDenied), db.transaction() as session:
        assessment.assess(session, people["data.consumer"], important_system, LOW)


def test_unit_summary_and_notice_document(db, people, org, important_system):
    reviewer = people["security.reviewer"]
    with db.transaction() as session:
        unit = b.unit_id(session, org.dept_a)
        mine = session.scalars(
            select(Finding.id).where(Finding.status == "open", Finding.unit_id == unit)
        ).all()
        notice = notices.issue(session, reviewer, mine, 10, "请于期限内整改")
    with db.transaction() as session:
        summary = reports.unit_compliance_summary(session, reviewer, org.dept_a)
        document = reports.notice_document_data(session, reviewer, notice.id)
    assert summary["unit"]["name"] == "教师工作司" and summary["open_findings"] >= 1
    assert summary["approval_blocked"] is True and summary["notices"][0]["number"] == notice.number
    assert sum(summary["by_severity"].values()) == summary["open_findings"]
    assert summary["trend"] and summary["systems"][0]["assessment"] is None
    assert document["unit"]["name"] == "教师工作司" and document["issuer_unit"] == "发展规划司"
    assert len(document["findings"]) == len(mine) and document["findings"][0]["article"]
    with pytest.raises(PermissionDenied), db.transaction() as session:
        reports.notice_document_data(session, people["data.consumer"], notice.id)


def test_dataset_encryption_evidence_comes_from_the_versions(db, people, important_system, system):
    """The data plane records the data key of each version; the assessment reads it there."""
    with db.transaction() as session:
        entry = session.scalar(
            select(Resource).where(Resource.source_system_id == important_system)
        )
        key = DataKey(key_id="e1" * 16, resource_id=entry.id, cipher="sm4-gcm", wrapped="x")
        session.add(key)
        session.flush()
        b.version(session, entry.id, 1).data_key_id = key.id
        b.version(session, entry.id, 2)  # stored in clear although it holds PI
        record(session, system, "test.arrange", category=Category.INSERT)
    with db.transaction() as session:
        made = assessment.assess(session, people["data.steward"], important_system, LOW)
        found = made.evidence["dataset_encryption"]
    assert found == {"versions": 2, "sealed": 1, "unsealed_required": 1}
