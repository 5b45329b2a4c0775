"""Files attached to an answer (整改佐证材料, M2018 §41): kind, size and count checked before
anything is saved; stored with the answer; read back only by the notice's readers."""

from __future__ import annotations

import pytest
from sqlalchemy import func, select

from hutong.compliance import attachments, notices
from hutong.compliance.attachments import Upload
from hutong.compliance.models import Finding, NoticeAttachment, NoticeEvidence
from hutong.core.errors import InvalidInput, NotFound
from tests.compliance.test_notices import open_findings  # noqa: F401 (fixture)


@pytest.fixture
def notice_id(db, people, open_findings):  # noqa: F811
    with db.transaction() as session:
        return notices.issue(session, people["security.reviewer"], open_findings[:2], 10).id


def _evidence(db, notice_id):
    with db.sessions() as session:
        ids = session.scalars(
            select(Finding.id).where(Finding.unit_id.is_not(None)).order_by(Finding.id)
        ).all()
    return {ids[0]: "已补充法律依据", ids[1]: "已补充法律依据"}, ids


@pytest.mark.parametrize(
    "upload",
    [
        Upload("方案.exe", b"MZ"),
        Upload("空.pdf", b""),
        Upload("大.pdf", b"0" * (attachments.MAX_BYTES + 1)),
    ],
)
def test_bad_files_are_refused_and_nothing_is_saved(db, people, notice_id, upload):
    evidence, ids = _evidence(db, notice_id)
    with pytest.raises(InvalidInput) as refused, db.transaction() as session:
        notices.answer(session, people["data.steward"], notice_id, evidence, "", {ids[0]: [upload]})
    assert refused.value.field == f"attachments.{ids[0]}"
    with db.sessions() as session:
        assert session.scalar(select(func.count()).select_from(NoticeEvidence)) == 0
        assert session.scalar(select(func.count()).select_from(NoticeAttachment)) == 0
        assert session.get(notices.Notice, notice_id).state == "issued"


def test_files_of_another_units_finding_are_refused(db, people, notice_id):
    evidence, ids = _evidence(db, notice_id)
    foreign = {ids[2]: [Upload("说明.pdf", b"%PDF-1.7")]}
    with pytest.raises(InvalidInput) as refused, db.transaction() as session:
        notices.answer(session, people["data.steward"], notice_id, evidence, "", foreign)
    assert refused.value.field == "finding_id"


def test_files_are_saved_with_the_answer_and_read_by_the_notices_readers(
    db, people, notice_id, province_steward
):
    evidence, ids = _evidence(db, notice_id)
    scan = Upload("C:\\\\扫描件\\\\整改报告.PDF", b"%PDF-1.7 scan")
    with db.transaction() as session:
        notices.answer(session, people["data.steward"], notice_id, evidence, "", {ids[0]: [scan]})
    with db.transaction() as session:
        files = attachments.listed(session, notice_id)
        (listed,) = [f for group in files.values() for f in group]
        assert listed["filename"] == "整改报告.PDF" and listed["size_kb"] == 1
        row = notices.attachment(session, people["security.reviewer"], notice_id, listed["id"])
        assert row.content == b"%PDF-1.7 scan" and row.media_type == "application/pdf"
    with pytest.raises(NotFound), db.transaction() as session:
        notices.attachment(session, province_steward, notice_id, listed["id"])
