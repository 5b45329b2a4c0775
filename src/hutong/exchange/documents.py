"""Gate documents: the security and confidentiality agreement (M2018 §21: signatories of
both sides, date, scanned file), the provincial education department's approval for the PI
of one million persons or more (N2021 task 9) and the children's-data security assessment
with its responsibility letter (N2021 task 10). The scanned file is kept by its SHA-256
under ``<data dir>/exchange/documents``; recording the last missing one grants."""

from __future__ import annotations

import hashlib
import shutil
from pathlib import Path

from sqlalchemy.orm import Session

from hutong.audit.service import Category, record
from hutong.core import clock
from hutong.core.errors import Conflict, InvalidInput
from hutong.exchange import applications, gates
from hutong.exchange.models import Application, Document
from hutong.exchange.refusals import audited_refusal
from hutong.exchange.schemas import DocumentIn
from hutong.exchange.vocab import DocumentKind
from hutong.identity.authz import Actor, authorize
from hutong.identity.roles import Action

SCAN_SUFFIXES = (".pdf", ".ofd", ".jpg", ".jpeg", ".png", ".tif", ".tiff")
MAX_SCAN = 50 * 1024 * 1024


def documents_dir(session: Session) -> Path:
    folder = session.info["settings"].data_dir / "exchange" / "documents"
    folder.mkdir(parents=True, exist_ok=True)
    return folder


def _check(data: DocumentIn, file_name: str, size: int) -> None:
    if not file_name.lower().endswith(SCAN_SUFFIXES):
        raise InvalidInput(
            "扫描件须为 PDF、OFD 或图片", "the scan must be a PDF, OFD or image", field="file"
        )
    if not 0 < size <= MAX_SCAN:
        raise InvalidInput(
            "扫描件为空或超过 50 MB", "the scan is empty or over 50 MB", field="file"
        )
    if data.kind is DocumentKind.AGREEMENT and len(data.signatories) < 2:
        raise InvalidInput(
            "安全保密协议须写明双方签署人",
            "the agreement names the signatories of both sides",
            field="signatories",
        )
    if data.kind is DocumentKind.PROVINCIAL_APPROVAL and not data.reference.strip():
        raise InvalidInput(
            "须写明批准的省级教育行政部门及文号",
            "name the approving provincial department and the document number",
            field="reference",
        )
    if data.kind is DocumentKind.CHILD_ASSESSMENT and not data.conclusion.strip():
        raise InvalidInput(
            "须写明安全评估结论", "state the security assessment's conclusion", field="conclusion"
        )
    if data.signed_on > clock.today_local():
        raise InvalidInput(
            "签署日期不能晚于今天", "the date cannot be in the future", field="signed_on"
        )


def _store(session: Session, scan: Path) -> tuple[str, int]:
    digest = hashlib.sha256()
    with scan.open("rb") as handle:
        for block in iter(lambda: handle.read(1 << 20), b""):
            digest.update(block)
    sha = digest.hexdigest()
    target = documents_dir(session) / sha
    if not target.exists():
        shutil.copyfile(scan, target)
    return sha, scan.stat().st_size


def record_document(
    session: Session,
    actor: Actor,
    application_id: int,
    data: DocumentIn,
    scan: Path,
    file_name: str,
) -> Application:
    application = applications.by_id(session, application_id)
    side = applications.provider_side(application)
    authorize(session, actor, Action.SHARE_RECORD, side)
    with audited_refusal(actor, f"share.document.{data.kind.value}", side):
        applications.require_documents_stage(application)
        needed = gates.gates(application.resource, application.require_agreement).documents
        if data.kind not in needed:
            raise InvalidInput(
                f"该申请不需要「{data.kind.zh}」",
                f"this application needs no {data.kind.value}",
                field="kind",
            )
        if any(d.kind == data.kind.value for d in application.documents):
            raise Conflict(
                f"「{data.kind.zh}」已登记", f"{data.kind.value} already recorded", field="kind"
            )
        _check(data, file_name, scan.stat().st_size)
        sha, size = _store(session, scan)
    document = Document(
        application_id=application.id,
        kind=data.kind.value,
        signatories=[s.strip() for s in data.signatories],
        signed_on=data.signed_on,
        reference=data.reference.strip(),
        conclusion=data.conclusion.strip(),
        file_name=Path(file_name).name[:256],
        file_sha256=sha,
        file_size=size,
        recorded_by=actor.name,
        recorded_at=clock.utcnow(),
    )
    session.add(document)
    application.documents.append(document)
    session.flush()
    record(
        session,
        actor,
        f"share.document.{data.kind.value}",
        category=Category.INSERT,
        target=side,
        rows=1,
        details={"sha256": sha, "signed_on": data.signed_on.isoformat()},
    )
    applications.complete_if_ready(session, actor, application)
    return application
