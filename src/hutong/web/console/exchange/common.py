"""What the exchange's console pages share: its tabs (offered by what the person may do), the
frame of a page of the section, links to an application, and reading lists typed into a form."""

from __future__ import annotations

import re
from typing import Any

from fastapi import Request
from fastapi.responses import Response

from hutong.identity.roles import Action
from hutong.web.console.base import Tab, page, tabs
from hutong.web.deps import ConsoleIdentity

#: The section's tabs (msgids), each shown only to whom its action is allowed.
TABS: list[Tab] = [
    ("/console/exchange/applications?view=mine", "My applications", Action.SHARE_READ),
    ("/console/exchange/applications?view=review", "To review", Action.SHARE_READ),
    ("/console/exchange/applications?view=overdue", "Overdue", Action.SHARE_READ),
    ("/console/exchange/grants", "Grants", Action.GRANT_READ),
    ("/console/exchange/usage", "Usage", Action.GRANT_READ),
    ("/console/notifications", "Notifications", Action.NOTIFICATION_READ),
]


def section(
    request: Request, identity: ConsoleIdentity, template: str, context: dict[str, Any]
) -> Response:
    """A page of the exchange inside the console frame, with the tabs this person may open."""
    return page(request, identity, template, {"tabs": tabs(request, identity, TABS), **context})


def app_url(application_id: int) -> str:
    return f"/console/exchange/a/{application_id}"


def names(value: object) -> list[str]:
    """User names or client ids typed into one field, separated by commas or spaces."""
    return [n for n in re.split(r"[\s,，、]+", str(value or "")) if n]
