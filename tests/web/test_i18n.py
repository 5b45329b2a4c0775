"""Language negotiation, and a catalog that cannot fall behind the templates."""

from __future__ import annotations

from pathlib import Path

from babel.messages.extract import extract_from_file

from hutong.audit.service import Category
from hutong.web.i18n import negotiate, translator
from hutong.web.routers.console import NAV, SECTION_TEXT
from hutong.web.routers.console_catalog import FACET_TITLES, VIEWS

TEMPLATES = Path(__file__).resolve().parents[2] / "src/hutong/web/templates"


def test_negotiation_order():
    assert negotiate(None, None, None) == "zh_CN"
    assert negotiate(None, None, "en-GB,en;q=0.9") == "en"
    assert negotiate(None, "zh_CN", "en-GB") == "zh_CN"
    assert negotiate("en", "zh_CN", "zh-CN") == "en"
    assert negotiate("fr", None, "de-DE") == "zh_CN"


def template_msgids() -> set[str]:
    ids = set()
    for path in TEMPLATES.rglob("*.html"):
        for _line, message, _comments, _context in extract_from_file(
            "jinja2.ext:babel_extract", path
        ):
            ids.add(message if isinstance(message, str) else message[0])
    return ids


def test_every_visible_string_has_a_chinese_translation():
    zh = translator("zh_CN")
    wanted = template_msgids() | {label for _h, label, _a in NAV} | {c.value for c in Category}
    wanted |= (
        set(SECTION_TEXT.values()) | set(FACET_TITLES.values()) | {label for _k, label in VIEWS}
    )
    wanted |= {"allowed", "denied", "failed"}
    missing = sorted(m for m in wanted if zh.gettext(m) == m)
    assert len(wanted) > 50 and not missing


def test_english_falls_back_to_msgids():
    assert translator("en").gettext("Sign in") == "Sign in"
    assert translator("zh_CN").gettext("Sign in") == "登录"
