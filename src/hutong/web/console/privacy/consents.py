"""/console/privacy/consents: searching a subject's consents, importing them from CSV, and the bulk
check of a list of subjects against a purpose."""

from __future__ import annotations

import csv
import io
from typing import Any

from fastapi import Depends, Request
from fastapi.responses import Response

from hutong.core.db import Database
from hutong.core.errors import InvalidInput
from hutong.identity.roles import Action
from hutong.privacy import consent, ledger, notices
from hutong.web.console.base import (
    checked_form,
    console_router,
    fails_again,
    shown,
    staff,
)
from hutong.web.console.privacy.common import (
    BASE,
    SENSITIVE_CODES,
    own_systems,
    section,
)
from hutong.web.deps import ConsoleIdentity, Natural, database

router = console_router()


def consents_context(db: Database, identity: ConsoleIdentity, system: int) -> dict[str, Any]:
    systems = own_systems(db, identity)
    chosen = next((s for s in systems if s.id == system), systems[0] if systems else None)
    latest = None
    if chosen is not None:
        with db.sessions() as session:
            found = notices.latest(session, chosen.id)
            latest = notices.out(found) if found else None
    return {
        "systems": [(s.id, s.name) for s in systems],
        "chosen": chosen.id if chosen else None,
        "latest": latest,
        "sensitive_codes": SENSITIVE_CODES,
        "found": None,
        "problems": [],
        "imported": None,
        "check": None,
        "can_record": shown(identity, Action.CONSENT_RECORD),
    }


def consents_section(
    request: Request, identity: ConsoleIdentity, db: Database, system: int, status: int = 200,
    **extra: Any,
) -> Response:  # fmt: skip
    context = {**consents_context(db, identity, system), **extra}
    return section(request, identity, "consents.html", context, status)


@router.get(f"{BASE}/consents")
def consents_page(
    request: Request, system: Natural = 0, identity: ConsoleIdentity = Depends(staff),
    db: Database = Depends(database),
) -> Response:  # fmt: skip
    return consents_section(request, identity, db, system)


def system_of(form: Any) -> int:
    value = str(form.get("system_id", "0"))
    return int(value) if value.isdigit() else 0


@router.post(f"{BASE}/consents/search")
async def consents_search(
    request: Request, identity: ConsoleIdentity = Depends(staff), db: Database = Depends(database)
) -> Response:
    """Search by ID number: POSTed, so the ID stays out of URLs, and never shown again."""
    form = await checked_form(request, identity)
    system_id = system_of(form)
    again(request, identity, db, system_id)
    with db.transaction() as session:
        found = consent.search(session, identity.actor, system_id, str(form.get("subject_id", "")))
    return consents_section(request, identity, db, system_id, found=found)


@router.post(f"{BASE}/consents/import")
async def consents_import(
    request: Request, identity: ConsoleIdentity = Depends(staff), db: Database = Depends(database)
) -> Response:
    form = await checked_form(request, identity)
    system_id = system_of(form)
    version = str(form.get("notice_version", ""))
    upload = form.get("file")
    content = await upload.read() if hasattr(upload, "read") else b""
    again(request, identity, db, system_id)
    if not content:
        raise InvalidInput("请选择要导入的 CSV 文件", "choose a CSV file", field="file")
    if not version.isdigit():
        raise InvalidInput(
            "请选择收集使用规则版本", "choose a notice version", field="notice_version"
        )
    with db.transaction() as session:
        count, receipts = consent.import_file(
            session, identity.actor, system_id, int(version), content
        )
    return consents_section(
        request, identity, db, system_id, imported={"count": count, "receipts": receipts}
    )


def again(request: Request, identity: ConsoleIdentity, db: Database, system_id: int) -> None:
    """A consents form that fails shows the page again with the message (and, for an import,
    every problem found); what was typed is never echoed (it holds ID numbers)."""
    fails_again(
        request,
        lambda error: consents_section(
            request,
            identity,
            db,
            system_id,
            error=error.zh,
            problems=getattr(error, "problems", []),
        ),
    )


def ids_of(content: bytes) -> list[str]:
    """One ID a line, or the first column of a CSV (a header line without digits is skipped)."""
    try:
        text = content.decode("utf-8-sig")
    except UnicodeDecodeError:
        raise InvalidInput("文件须为 UTF-8 编码", "the file must be UTF-8", field="file") from None
    ids = [row[0].strip() for row in csv.reader(io.StringIO(text)) if row and row[0].strip()]
    if ids and not any(ch.isdigit() for ch in ids[0]):
        ids = ids[1:]
    if not ids:
        raise InvalidInput("清单中没有证件号", "the list holds no IDs", field="file")
    if len(ids) > 1_000_000:
        raise InvalidInput("清单过长（最多 100 万行）", "at most 1,000,000 IDs", field="file")
    return ids


@router.post(f"{BASE}/consents/check")
async def consents_check(
    request: Request, identity: ConsoleIdentity = Depends(staff), db: Database = Depends(database)
) -> Response:
    """The bulk question over an uploaded ID list: counts only, never the IDs."""
    form = await checked_form(request, identity)
    system_id = system_of(form)
    purpose = str(form.get("purpose", "")).strip()
    categories = [str(c) for c in form.getlist("sensitive_categories")]
    upload = form.get("file")
    again(request, identity, db, system_id)
    ids = ids_of(await upload.read() if hasattr(upload, "read") else b"")
    if not purpose:
        raise InvalidInput("请选择用途", "choose a purpose", field="purpose")
    with db.transaction() as session:
        consents = ledger.open_check(session, identity.actor, system_id, purpose, categories)
    flags = ledger.check(ids, consents)
    allowed = sum(flags)
    check = {
        "purpose": purpose,
        "categories": categories,
        "subjects": len(flags),
        "distinct": len(set(ids)),
        "allowed": allowed,
        "refused": len(flags) - allowed,
    }
    return consents_section(request, identity, db, system_id, check=check)
