"""One-shot messages carried in a redirect's query string, signed so that only messages this
server wrote are ever shown (a forged ``?error=`` cannot put words on a page)."""

from __future__ import annotations

import hashlib
import hmac
from urllib.parse import urlencode

from fastapi import Request

from hutong.core.keys import secret_box_key
from hutong.core.settings import Settings


def _signature(settings: Settings, message: str) -> str:
    key = hashlib.sha256(b"hutong-flash|" + secret_box_key(settings.keys_dir)).digest()
    return hmac.new(key, message.encode(), hashlib.sha256).hexdigest()[:32]


def with_error(settings: Settings, url: str, message: str, fragment: str = "") -> str:
    query = urlencode({"error": message[:600], "sig": _signature(settings, message[:600])})
    return f"{url}{'&' if '?' in url else '?'}{query}{fragment}"


def error_from(request: Request) -> str | None:
    message, signature = request.query_params.get("error"), request.query_params.get("sig", "")
    if not message or not hmac.compare_digest(
        signature, _signature(request.app.state.settings, message)
    ):
        return None
    return message
