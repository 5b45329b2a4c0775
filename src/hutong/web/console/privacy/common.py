"""What the personal-information pages share (N2021 tasks 4, 6, 8–11 and 14): the section's tabs,
the unit's own information systems, and the frame of a page of the section.

A subject's ID number typed into a form is pseudonymized by the service and never echoed back,
put in a URL or logged. Bad input shows the Chinese message and saves nothing."""

from __future__ import annotations

import re
from typing import Any

from fastapi import Request
from fastapi.responses import Response

from hutong.catalog.models import InformationSystem
from hutong.catalog.vocab import SENSITIVE_PI, PiCategory
from hutong.core.db import Database
from hutong.identity.roles import Action
from hutong.privacy import notices
from hutong.web.console.base import Tab, page, tabs
from hutong.web.deps import ConsoleIdentity

BASE = "/console/privacy"
#: (href, label msgid, action that shows the tab)
TABS: list[Tab] = [
    (BASE, "Collection notices", Action.PRIVACY_NOTICE_PUBLISH),
    (f"{BASE}/consents", "Consents", Action.CONSENT_READ),
    (f"{BASE}/sensitive", "Sensitive items", Action.SENSITIVE_DECIDE),
    (f"{BASE}/automated", "Automated decisions", Action.AUTOMATED_DECISION_EDIT),
    (f"{BASE}/statistics", "Statistical release", Action.PRIVACY_RELEASE),
    (f"{BASE}/extracts", "Research extracts", Action.EXTRACT_REQUEST),
    (f"{BASE}/complaints", "PI complaints", Action.COMPLAINT_HANDLE),
]
PI_CATEGORIES = [(c.value, c.zh) for c in PiCategory]
SENSITIVE_CODES = [(c.value, c.zh) for c in SENSITIVE_PI]


def split_lines(text: str) -> list[str]:
    return [p.strip() for p in re.split(r"[\n,，、;；]", text) if p.strip()]


def own_systems(db: Database, identity: ConsoleIdentity) -> list[InformationSystem]:
    """The information systems of the signed-in person's unit (notices and consents are its own)."""
    with db.sessions() as session:
        return notices.own_systems(session, identity.actor)


def section(
    request: Request,
    identity: ConsoleIdentity,
    template: str,
    context: dict[str, Any],
    status: int = 200,
) -> Response:
    context.setdefault("error", None)  # a message shown in place (flashed ones come by page)
    return page(
        request,
        identity,
        f"console/privacy/{template}",
        {"tabs": tabs(request, identity, TABS), **context},
        status,
    )
