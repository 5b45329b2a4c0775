"""The documents themselves (M2018 §40–41, N2021 task 13): the 整改通知单, the risk
assessment report and a unit's yearly compliance report, rendered to HTML and to PDF whose
text (read back with poppler's pdftotext) is Chinese in embedded CJK fonts."""

from __future__ import annotations

import json
import shutil
import subprocess

import pytest
from sqlalchemy import select

from hutong.audit.models import AuditEvent
from hutong.compliance import assessment, documents, notices
from hutong.compliance.models import Finding
from hutong.core.clock import today_local
from hutong.core.errors import InvalidInput, NotFound
from tests.compliance import builders as b
from tests.compliance.test_assessment import LOW, important_system  # noqa: F401 (fixture)

needs_poppler = pytest.mark.skipif(
    not shutil.which("pdftotext"), reason="poppler-utils is not installed"
)


def pdf_text(data: bytes, tmp_path) -> str:
    path = tmp_path / "report.pdf"
    path.write_bytes(data)
    return subprocess.run(
        ["pdftotext", "-layout", str(path), "-"], check=True, capture_output=True, text=True
    ).stdout


def pdf_fonts(data: bytes, tmp_path) -> str:
    path = tmp_path / "fonts.pdf"
    path.write_bytes(data)
    return subprocess.run(
        ["pdffonts", str(path)], check=True, capture_output=True, text=True
    ).stdout


@pytest.fixture
def issued(db, people, org, important_system):  # noqa: F811
    with db.transaction() as session:
        unit = b.unit_id(session, org.dept_a)
        mine = session.scalars(
            select(Finding.id).where(Finding.status == "open", Finding.unit_id == unit)
        ).all()
        return notices.issue(session, people["security.reviewer"], mine, 10, "请限期整改").id


def test_citations_read_as_official_chinese():
    assert documents.cite("M2018 §41") == "《教育部机关及直属事业单位教育数据管理办法》第四十一条"
    assert documents.cite("N2021 task 9", short=True) == "《通知》重点任务第九项"
    assert documents.cite("M2018 §20", short=True) == "《办法》第二十条"
    assert documents.cite("ISO 27001") == "ISO 27001"
    assert [documents.chinese_number(n) for n in (1, 10, 12, 30, 43)] == [
        "一",
        "十",
        "十二",
        "三十",
        "四十三",
    ]
    assert documents.date_zh("2026-03-05") == "2026年3月5日"


@needs_poppler
def test_notice_pdf_names_the_unit_in_chinese_with_embedded_cjk_fonts(db, people, issued, tmp_path):
    with db.transaction() as session:
        name, data = documents.notice(session, people["security.reviewer"], issued, "pdf")
    assert name.startswith("整改通知单-整改〔") and data.startswith(b"%PDF")
    text = pdf_text(data, tmp_path)
    assert "教师工作司：" in text  # the addressee
    assert "整改通知单" in text and "发展规划司" in text  # title, issuing unit
    assert "第四十一条" in text and "重点任务第" in text  # findings cite their articles
    assert "个工作日内" in text and "请限期整改" in text
    fonts = pdf_fonts(data, tmp_path)
    assert "NotoSerifCJK" in fonts.replace("-", "") and "Identity-H" in fonts
    assert all(line.split()[-5] == "yes" for line in fonts.splitlines()[2:])  # embedded
    with db.sessions() as session:
        event = session.scalars(select(AuditEvent).where(AuditEvent.event == "notice.export")).one()
    assert event.category == "export" and json.loads(event.details)["format"] == "pdf"


@needs_poppler
def test_assessment_and_yearly_unit_reports(db, people, org, important_system, tmp_path):  # noqa: F811
    steward = people["data.steward"]
    with db.transaction() as session:
        done = assessment.assess(session, steward, important_system, LOW)
        assessment.report(session, steward, done.id)
        _, pdf = documents.assessment(session, steward, done.id, "pdf")
        _, html = documents.unit_report(
            session, people["security.reviewer"], org.dept_a, today_local().year, "html"
        )
        _, yearly = documents.unit_report(session, steward, org.dept_a, None, "pdf")
    text = pdf_text(pdf, tmp_path)
    assert "数据安全风险评估" in text and "教师工作司" in text and "评估问卷" in text
    assert "中华人民共和国教育部" in text  # reported to the superior department
    page = html.decode()
    assert f"{today_local().year}年度数据合规报告" in page and "<svg" in page
    assert "教师工作司数据合规报告" in pdf_text(yearly, tmp_path)


def test_reports_are_scoped_to_the_readers_unit(db, people, org, issued, province_steward):
    with pytest.raises(NotFound), db.transaction() as session:
        documents.notice(session, province_steward, issued, "html")
    with pytest.raises(InvalidInput), db.transaction() as session:
        documents.unit_report(session, people["security.reviewer"], org.dept_a, 1999, "html")
