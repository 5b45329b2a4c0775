"""/console: the home page, one card per section the person may open."""

from __future__ import annotations

from fastapi import Depends, Request
from fastapi.responses import Response

from hutong.web.console.base import (
    NAV,
    console_router,
    page,
    role_names,
    shown,
    staff,
)
from hutong.web.deps import (
    ConsoleIdentity,
)
from hutong.web.templating import request_language

router = console_router()

SECTION_TEXT = {
    "Resource catalog": "Register, review and search the education government information resource catalog.",
    "Sharing exchange": "Apply for shared data, review applications, manage grants and usage.",
    "Information systems": "The registry of survey projects and information systems: MLPS level, personal information, officer, filing, audits.",
    "Supervision": "Findings of the compliance rules, rectification notices, risk assessments and dashboards.",
    "Units": "The unit tree of the education system.",
    "Users": "Accounts, roles and separation of duties.",
    "Audit log": "Search and export the tamper-evident audit log.",
    "Release queue": "Take dataset versions through the automatic check, the publisher's approval and the security review to the open portal.",
    "Disclosure requests": "Handle requests for disclosure within 20 working days.",
    "Personal information": "Collection notices, consents, sensitive items, automated decisions, statistical release and research extracts.",
    "PI complaints": "Answer complaints about the handling of personal information before they are due.",
}


@router.get("/console")
def home(request: Request, identity: ConsoleIdentity = Depends(staff)) -> Response:
    lang = "en" if request_language(request) == "en" else "zh"
    cards = [
        {"title": label, "text": SECTION_TEXT.get(label, ""), "href": href}
        for href, label, action in NAV[1:]
        if shown(identity, action)
    ]
    return page(
        request, identity, "console/home.html", {"cards": cards, "role_names": role_names(lang)}
    )
