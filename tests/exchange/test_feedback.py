"""The consumer's side (M2018 §22–23): external provision only with the provider's written
consent; correction reports the provider must answer, shown on the entry page while open."""

from __future__ import annotations

import pytest

from hutong.core.errors import Conflict, InvalidInput, PermissionDenied
from hutong.exchange import feedback
from hutong.exchange.schemas import AnswerIn, CorrectionIn, ProvisionIn
from tests.exchange.conftest import granted


def test_correction_reports_and_external_provisions_are_answered_in_writing(
    db, people, students, tmp_path, client, consumer_headers, steward_headers
):
    grant = granted(db, people, students, tmp_path)
    with db.transaction() as session:
        provision = feedback.request_provision(
            session,
            people["consumer"],
            ProvisionIn(
                grant=grant, recipient="某市教育局", purpose="联合核查", scope="核查结果汇总表"
            ),
        ).id
    with db.transaction() as session, pytest.raises(PermissionDenied):
        feedback.answer_provision(
            session, people["consumer"], provision, AnswerIn(approve=True, answer="同意")
        )
    with db.transaction() as session:
        row = feedback.answer_provision(
            session,
            people["steward"],
            provision,
            AnswerIn(approve=False, answer="不得对外提供个人信息"),
        )
        assert row.status == "refused" and row.answered_by == "data.steward"
    with db.transaction() as session, pytest.raises(Conflict):
        feedback.answer_provision(
            session, people["steward"], provision, AnswerIn(approve=True, answer="改为同意")
        )

    with db.transaction() as session, pytest.raises(InvalidInput):
        feedback.report_correction(
            session,
            people["consumer"],
            students,
            CorrectionIn(row_keys=["1"], item="不存在", description="信息项不存在"),
        )
    report = client.post(
        f"/api/v1/resources/{students}/corrections",
        json={
            "row_keys": ["110105********0018"],
            "item": "出生日期",
            "description": "出生日期与学籍不符",
        },
        headers=consumer_headers,
    )
    assert report.status_code == 201, report.text
    listed = client.get(
        f"/api/v1/corrections?resource={students}&open_only=true", headers=steward_headers
    )
    assert [c["description"] for c in listed.json()] == ["出生日期与学籍不符"]
    answered = client.post(
        f"/api/v1/corrections/{report.json()['id']}/answer",
        json={"answer": "已核校并更正"},
        headers=steward_headers,
    )
    assert answered.status_code == 200 and answered.json()["status"] == "answered"
    still_open = client.get(
        f"/api/v1/corrections?resource={students}&open_only=true", headers=steward_headers
    )
    assert still_open.json() == []


def test_open_correction_reports_show_in_the_quality_report(
    db, people, students, client, consumer_headers, steward_headers, org
):
    from tests.web.test_console import sign_in

    def versions():
        response = client.get(f"/api/v1/resources/{students}/datasets", headers=steward_headers)
        assert response.status_code == 200, response.text
        return [v["open_corrections"] for v in response.json()]

    assert versions() == [0]
    for description in ("出生日期与学籍不符", "姓名有误"):
        body = {"row_keys": ["1"], "item": "出生日期", "description": description}
        posted = client.post(
            f"/api/v1/resources/{students}/corrections", json=body, headers=consumer_headers
        )
        assert posted.status_code == 201, posted.text
    assert versions() == [2]
    first = posted.json()["id"]
    with db.transaction() as session:
        feedback.answer_correction(
            session, people["steward"], first, AnswerIn(approve=True, answer="已更正")
        )
    assert versions() == [1]
    sign_in(client, "data.steward", org.password)
    page = client.get(f"/console/catalog/r/{students}")
    assert page.status_code == 200
    assert 'id="open-corrections"' in page.text and "<strong>1</strong>" in page.text
