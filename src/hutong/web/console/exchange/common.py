"""What the exchange's console pages share: links to an application, the flash message of a
redirect, and reading lists typed into a form."""

from __future__ import annotations

import re

from fastapi import Request
from pydantic import ValidationError

from hutong.web.flash import error_from


def app_url(application_id: int) -> str:
    return f"/console/exchange/a/{application_id}"


def messages(request: Request) -> list[tuple[str, str]]:
    error = error_from(request)
    return [("error", error)] if error else []


def first_message(error: ValidationError) -> str:
    first = error.errors()[0]
    return f"“{'.'.join(str(p) for p in first['loc'])}” {first['msg']}"


def names(value: object) -> list[str]:
    """User names or client ids typed into one field, separated by commas or spaces."""
    return [n for n in re.split(r"[\s,，、]+", str(value or "")) if n]
