"""What the exchange's console pages share: links to an application, and reading lists typed
into a form."""

from __future__ import annotations

import re


def app_url(application_id: int) -> str:
    return f"/console/exchange/a/{application_id}"


def names(value: object) -> list[str]:
    """User names or client ids typed into one field, separated by commas or spaces."""
    return [n for n in re.split(r"[\s,，、]+", str(value or "")) if n]
