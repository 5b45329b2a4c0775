"""One-shot messages carried in a redirect's query string, signed so that only messages this
server wrote are ever shown (a forged ``?error=`` cannot put words on a page).

Two levels: ``error`` (a form that failed, shown as an alert) and ``done`` (the confirmation of
an action that succeeded, shown as a status message). Messages never hold what a person typed
(DESIGN rule 6): they name fields and rules, and say what was done."""

from __future__ import annotations

import hashlib
import hmac
from urllib.parse import urlencode

from fastapi import Request

from hutong.core.keys import secret_box_key
from hutong.core.settings import Settings

#: query parameter → the level a page shows it at
LEVELS = {"error": "error", "done": "success"}
_MAX = 600


def _signature(settings: Settings, level: str, message: str) -> str:
    key = hashlib.sha256(b"hutong-flash|" + secret_box_key(settings.keys_dir)).digest()
    return hmac.new(key, f"{level}|{message}".encode(), hashlib.sha256).hexdigest()[:32]


def with_flash(settings: Settings, url: str, level: str, message: str, fragment: str = "") -> str:
    """``url`` carrying ``message`` at ``level`` (a key of LEVELS), signed."""
    message = message[:_MAX]
    query = urlencode({level: message, f"{level}_sig": _signature(settings, level, message)})
    return f"{url}{'&' if '?' in url else '?'}{query}{fragment}"


def with_error(settings: Settings, url: str, message: str, fragment: str = "") -> str:
    return with_flash(settings, url, "error", message, fragment)


def with_done(settings: Settings, url: str, message: str, fragment: str = "") -> str:
    return with_flash(settings, url, "done", message, fragment)


def _read(request: Request, level: str) -> str | None:
    message = request.query_params.get(level)
    signature = request.query_params.get(f"{level}_sig", "")
    settings = request.app.state.settings
    if not message or not hmac.compare_digest(signature, _signature(settings, level, message)):
        return None
    return message


def error_from(request: Request) -> str | None:
    return _read(request, "error")


def flashes(request: Request) -> list[tuple[str, str]]:
    """The signed messages of this request, as (alert level, text) for the page frame."""
    return [(shown, text) for level, shown in LEVELS.items() if (text := _read(request, level))]
