"""Refuse the NUL character in any text a request carries, naming where it was.

No text Hutong stores may hold U+0000: PostgreSQL refuses it at the driver (a 500 after the
handler had started its work) while SQLite stores it silently, so the two back ends would
disagree. Checking the path, the query string and JSON or URL-encoded bodies once, before any
handler runs, turns it into a 422 problem naming the field on both. Multipart bodies are left
alone: they carry uploaded files, whose bytes are the data plane's to validate.
"""

from __future__ import annotations

import json
from collections.abc import Iterator
from typing import Any
from urllib.parse import parse_qsl

from fastapi import Request

NUL = "\x00"


def _in_json(value: Any, path: str) -> Iterator[str]:
    """Dotted paths of every string (key or value) holding NUL inside a parsed JSON value."""
    if isinstance(value, str):
        if NUL in value:
            yield path or "body"
    elif isinstance(value, dict):
        for key, item in value.items():
            where = f"{path}.{key}" if path else str(key)
            if NUL in str(key):
                yield where
            yield from _in_json(item, where)
    elif isinstance(value, list):
        for index, item in enumerate(value):
            yield from _in_json(item, f"{path}.{index}" if path else str(index))


async def field_with_nul(request: Request) -> str | None:
    """The first field of the request whose text holds NUL, or None."""
    if NUL in request.url.path:
        return "path"
    for name, value in parse_qsl(request.url.query, keep_blank_values=True):
        if NUL in name or NUL in value:
            return name or "query"
    kind = request.headers.get("content-type", "").split(";")[0].strip().lower()
    if request.method in ("GET", "HEAD", "OPTIONS") or kind not in (
        "application/json",
        "application/x-www-form-urlencoded",
    ):
        return None
    body = await request.body()
    if kind == "application/x-www-form-urlencoded":
        text = body.decode("utf-8", "replace")
        for name, value in parse_qsl(text, keep_blank_values=True):
            if NUL in name or NUL in value:
                return name or "body"
        return None
    try:
        parsed = json.loads(body)
    except ValueError:
        return None  # not JSON: the route's own validation answers
    return next(_in_json(parsed, ""), None)
