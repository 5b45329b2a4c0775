"""Jinja2 rendering with the request's language (zh_CN default, English second)."""

from __future__ import annotations

from datetime import datetime
from functools import lru_cache
from pathlib import Path
from typing import Any

from fastapi import Request
from fastapi.responses import HTMLResponse
from jinja2 import Environment, FileSystemLoader, select_autoescape

from hutong.core.clock import local
from hutong.data.rules import plain
from hutong.web.i18n import negotiate, translator
from hutong.web.links import console_link

TEMPLATES = Path(__file__).parent / "templates"
LANG_COOKIE = "hutong_lang"


@lru_cache(maxsize=4)
def environment(lang: str) -> Environment:
    env = Environment(
        loader=FileSystemLoader(TEMPLATES),
        autoescape=select_autoescape(["html"]),
        extensions=["jinja2.ext.i18n"],
    )
    env.install_gettext_translations(translator(lang), newstyle=True)  # type: ignore[attr-defined]
    env.filters["local"] = local_time
    env.filters["bound"] = bound
    env.filters["console_link"] = console_link
    return env


def bound(value: float | str | None) -> str:
    """A declared bound of an item as people write it (0, not 0.0); a form's text as typed."""
    if value is None or isinstance(value, str):
        return value or ""
    return plain(value)


def local_time(moment: datetime | None, fmt: str = "%Y-%m-%d %H:%M") -> str:
    """Stored UTC, shown in Asia/Shanghai (DESIGN rule 5)."""
    return local(moment).strftime(fmt) if moment else ""


def request_language(request: Request) -> str:
    return negotiate(
        request.query_params.get("lang"),
        request.cookies.get(LANG_COOKIE),
        request.headers.get("accept-language"),
    )


def render(
    request: Request, template: str, context: dict[str, Any], status: int = 200
) -> HTMLResponse:
    lang = request_language(request)

    def url_lang(code: str) -> str:
        return str(request.url.include_query_params(lang=code))

    def static(path: str) -> str:
        return f"/static/{path}"

    full = {
        "request": request,
        "lang": lang,
        "url_lang": url_lang,
        "static": static,
        "user": None,
        "csrf_token": None,
        "nav": [],
        "messages": [],
        **context,
    }
    html = environment(lang).get_template(template).render(full)
    response = HTMLResponse(html, status_code=status)
    if request.query_params.get("lang") in ("zh_CN", "en"):
        response.set_cookie(LANG_COOKIE, lang, max_age=365 * 86400, samesite="lax")
    return response
