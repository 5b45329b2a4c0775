"""/console/privacy (the section's first page) and /console/privacy/notices: collection notices
per information system, and publishing a new version."""

from __future__ import annotations

from urllib.parse import urlencode

from fastapi import Depends, Request
from fastapi.responses import Response

from hutong.core.db import Database
from hutong.privacy import consent, notices
from hutong.privacy.schemas import (
    NoticeIn,
)
from hutong.web.console.base import (
    checked_form,
    console_router,
    done,
    fails_back_to,
    staff,
)
from hutong.web.console.privacy.common import (
    BASE,
    PI_CATEGORIES,
    own_systems,
    section,
    split_lines,
)
from hutong.web.deps import ConsoleIdentity, Natural, database

router = console_router()


@router.get(BASE)
def notices_page(
    request: Request, system: Natural = 0, identity: ConsoleIdentity = Depends(staff),
    db: Database = Depends(database),
) -> Response:  # fmt: skip
    systems = own_systems(db, identity)
    chosen = next((s for s in systems if s.id == system), systems[0] if systems else None)
    versions, renewals, latest = [], 0, None
    if chosen is not None:
        with db.sessions() as session:
            versions = [notices.out(n) for n in notices.history(session, chosen.id)]
            renewals = consent.renewal_needed(session, chosen.id)
        latest = versions[0] if versions else None
    return section(
        request,
        identity,
        "notices.html",
        {
            "systems": [(s.id, s.name) for s in systems],
            "chosen": chosen.id if chosen else None,
            "versions": versions,
            "latest": latest,
            "renewals": renewals,
            "categories": PI_CATEGORIES,
            "category_zh": dict(PI_CATEGORIES),
        },
    )


@router.post(f"{BASE}/notices")
async def notice_publish(
    request: Request, identity: ConsoleIdentity = Depends(staff), db: Database = Depends(database)
) -> Response:
    form = await checked_form(request, identity)
    system_id = str(form.get("system_id", "0"))
    back = f"{BASE}?" + urlencode({"system": system_id})
    purposes = []
    for line in str(form.get("purposes", "")).splitlines():
        code, _, name = line.strip().partition(" ")
        if code:
            purposes.append({"code": code.strip(), "name": name.strip()})
    fails_back_to(request, back)
    data = NoticeIn.model_validate(
        {
            "system_id": int(system_id) if system_id.isdigit() else 0,
            "title": str(form.get("title", "")).strip(),
            "purposes": purposes,
            "method": str(form.get("method", "")).strip(),
            "items": split_lines(str(form.get("items", ""))),
            "categories": [str(c) for c in form.getlist("categories")],
            "retention": str(form.get("retention", "")).strip(),
            "recipients": str(form.get("recipients", "")).strip(),
            "legal_basis": str(form.get("legal_basis", "consent")),
            "contact": str(form.get("contact", "")).strip(),
        }
    )
    with db.transaction() as session:
        notice = notices.publish(session, identity.actor, data)
        version = notice.version
    return done(request, back, f"告知书第 {version} 版已发布")
