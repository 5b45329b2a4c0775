"""What the supervision pages share (M2018 §40–41, N2021 task 13): the section's tabs, offered by
what the person may do, and the frame that renders a page of the section."""

from __future__ import annotations

from typing import Any

from fastapi import Request
from fastapi.responses import Response

from hutong.compliance.documents import cite
from hutong.identity.roles import Action
from hutong.web.console.base import Tab, page, tabs
from hutong.web.deps import ConsoleIdentity

BASE = "/console/supervision"


#: the pages of the section, each with what it needs (msgids)
TABS: list[Tab] = [
    (BASE, "Overview", Action.COMPLIANCE_READ),
    (f"{BASE}/findings", "Findings", Action.COMPLIANCE_READ),
    (f"{BASE}/notices", "Rectification notices", Action.COMPLIANCE_READ),
    (f"{BASE}/notices?state=escalated", "Public notice list (通报)", Action.COMPLIANCE_READ),
    (f"{BASE}/assessments", "Risk assessments", Action.COMPLIANCE_READ),
    (f"{BASE}/rules", "Rules", Action.COMPLIANCE_READ),
]


def section(
    request: Request,
    identity: ConsoleIdentity,
    template: str,
    context: dict[str, Any],
    status: int = 200,
) -> Response:
    """A page of the section: its tabs and the caller's context."""
    return page(
        request,
        identity,
        template,
        {
            "tabs": tabs(request, identity, TABS),
            "cite": cite,
            **context,
        },
        status,
    )
