"""Files a unit attaches to its answer to a rectification notice (整改佐证材料, M2018 §41):
checked (kind, size, count) before anything is saved, stored with the answer in the same
transaction, and read back only by those who may read the notice, each download audited as
an export."""

from __future__ import annotations

import hashlib
from dataclasses import dataclass
from pathlib import PurePath

from sqlalchemy import select
from sqlalchemy.orm import Session

from hutong.compliance.models import NoticeAttachment, NoticeEvidence
from hutong.core.errors import InvalidInput
from hutong.identity.authz import Actor

#: what evidence usually is: documents, scans, spreadsheets, an archive of them
KINDS = {
    ".pdf": "application/pdf",
    ".ofd": "application/ofd",
    ".png": "image/png",
    ".jpg": "image/jpeg",
    ".jpeg": "image/jpeg",
    ".doc": "application/msword",
    ".docx": "application/vnd.openxmlformats-officedocument.wordprocessingml.document",
    ".xls": "application/vnd.ms-excel",
    ".xlsx": "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
    ".txt": "text/plain",
    ".zip": "application/zip",
}
MAX_BYTES = 10 * 1024 * 1024
MAX_FILES = 5


@dataclass(frozen=True)
class Upload:
    filename: str
    content: bytes

    @property
    def name(self) -> str:
        return PurePath(self.filename.replace("\\", "/")).name[:200]

    @property
    def suffix(self) -> str:
        return PurePath(self.name).suffix.lower()


def check(uploads: dict[int, list[Upload]]) -> None:
    """Refuse a wrong kind, an empty or too large file, or too many files for one finding."""
    for finding_id, files in uploads.items():
        if len(files) > MAX_FILES:
            raise InvalidInput(
                f"每项问题最多上传 {MAX_FILES} 个佐证文件",
                f"at most {MAX_FILES} files per finding",
                field=f"attachments.{finding_id}",
            )
        for upload in files:
            if upload.suffix not in KINDS:
                raise InvalidInput(
                    "佐证材料须为 PDF、OFD、图片、Word、Excel、文本或 ZIP 文件",
                    "evidence must be a PDF, OFD, image, Word, Excel, text or ZIP file",
                    field=f"attachments.{finding_id}",
                )
            if not upload.content:
                raise InvalidInput(
                    "佐证文件为空", "an evidence file is empty", field=f"attachments.{finding_id}"
                )
            if len(upload.content) > MAX_BYTES:
                raise InvalidInput(
                    f"单个佐证文件不能超过 {MAX_BYTES // 1024 // 1024} MB",
                    "an evidence file is too large",
                    field=f"attachments.{finding_id}",
                )


def save(
    session: Session,
    actor: Actor,
    evidence: dict[int, NoticeEvidence],
    uploads: dict[int, list[Upload]],
) -> int:
    """Store the files of each finding with its evidence row; returns how many."""
    rows = [
        NoticeAttachment(
            evidence_id=evidence[finding_id].id,
            notice_id=evidence[finding_id].notice_id,
            filename=upload.name,
            media_type=KINDS[upload.suffix],
            size=len(upload.content),
            sha256=hashlib.sha256(upload.content).hexdigest(),
            content=upload.content,
            uploaded_by=actor.name,
        )
        for finding_id, files in uploads.items()
        for upload in files
    ]
    session.add_all(rows)
    return len(rows)


def listed(session: Session, notice_id: int) -> dict[int, list[dict[str, object]]]:
    """The files of a notice's answers by evidence id (no content)."""
    A = NoticeAttachment
    rows = session.execute(
        select(A.id, A.evidence_id, A.filename, A.size, A.sha256)
        .where(A.notice_id == notice_id)
        .order_by(A.id)
    ).all()
    out: dict[int, list[dict[str, object]]] = {}
    for ident, evidence_id, filename, size, digest in rows:
        out.setdefault(evidence_id, []).append(
            {
                "id": ident,
                "filename": filename,
                "size_kb": max(1, round(size / 1024)),
                "sha256": digest,
            }
        )
    return out
