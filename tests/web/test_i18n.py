"""Language negotiation, the catalog loader, a catalog that cannot fall behind the templates,
and every console template rendering in both languages."""

from __future__ import annotations

import json
import re
from pathlib import Path
from types import SimpleNamespace

import pytest
from babel.messages.extract import extract_from_file
from babel.messages.pofile import read_po
from jinja2 import Environment, FileSystemLoader, StrictUndefined

from hutong.audit.service import Category
from hutong.web.console.base import NAV
from hutong.web.console.home import SECTION_TEXT
from hutong.web.i18n import (
    DEFAULT,
    SUPPORTED,
    catalog_path,
    gettext_for,
    negotiate,
    translator,
)

WEB = Path(__file__).resolve().parents[2] / "src/hutong/web"
TEMPLATES = WEB / "templates"
PLACEHOLDER = re.compile(r"%\((\w+)\)s")


# --- negotiation ---------------------------------------------------------------------------


def test_supported_languages():
    assert SUPPORTED == ("zh_CN", "en") and DEFAULT == "zh_CN"


def test_negotiation_order():
    assert negotiate(None, None, None) == "zh_CN"
    assert negotiate(None, None, "en-GB,en;q=0.9") == "en"
    assert negotiate(None, "zh_CN", "en-GB") == "zh_CN"  # cookie beats the browser
    assert negotiate("en", "zh_CN", "zh-CN") == "en"  # query beats everything
    assert negotiate("zh-CN", "en", "en") == "zh_CN"
    assert negotiate("fr", None, "de-DE") == "zh_CN"  # nothing supported: Chinese
    assert negotiate("fr", "en", None) == "en"  # an unsupported query falls through
    assert negotiate("", "", "") == "zh_CN"


def test_accept_language_quality_values():
    assert negotiate(None, None, "fr-FR,en;q=0.8,zh;q=0.5") == "en"
    assert negotiate(None, None, "en;q=0.4,zh-Hans-CN;q=0.9") == "zh_CN"
    assert negotiate(None, None, "en;q=0,de") == "zh_CN"  # q=0 means "not this one"
    assert negotiate(None, None, "en;q=bogus, zh-TW") == "zh_CN"
    assert negotiate(None, None, "*") == "zh_CN"


# --- loader --------------------------------------------------------------------------------


def test_english_falls_back_to_msgids():
    assert translator("en").gettext("Sign in") == "Sign in"
    assert translator("zh_CN").gettext("Sign in") == "登录"
    assert translator("zh_CN").gettext("no such msgid") == "no such msgid"


def test_translator_is_cached_and_normalises_tags():
    assert translator("zh_CN") is translator("zh_CN")
    assert translator("zh-CN").gettext("Audit log") == "审计日志"
    assert translator("xx").gettext("Audit log") == "审计日志"  # unknown: the default
    assert gettext_for("zh_CN")("Export CSV") == "导出 CSV"
    assert gettext_for("en")("Export CSV") == "Export CSV"


def test_plural_and_context_fall_back_to_msgids():
    zh = translator("zh_CN")
    assert zh.ngettext("one unit", "many units", 1) == "one unit"
    assert zh.ngettext("one unit", "many units", 3) == "many units"
    assert zh.pgettext("menu", "Home") == "Home"


def test_jinja_newstyle_gettext_formats_placeholders():
    env = Environment(autoescape=True, extensions=["jinja2.ext.i18n"])
    env.install_gettext_translations(translator("zh_CN"), newstyle=True)  # type: ignore[attr-defined]
    html = env.from_string('{{ _("Welcome, %(name)s", name=who) }}').render(who="<王丽>")
    assert html == "您好，&lt;王丽&gt;"


# --- catalogs ------------------------------------------------------------------------------


def template_msgids() -> set[str]:
    ids = set()
    for path in TEMPLATES.rglob("*.html"):
        for _line, message, _comments, _context in extract_from_file(
            "jinja2.ext:babel_extract", path
        ):
            ids.add(message if isinstance(message, str) else message[0])
    return ids


def wanted_msgids() -> set[str]:
    wanted = template_msgids() | {label for _h, label, _a in NAV} | {c.value for c in Category}
    wanted |= set(SECTION_TEXT) | set(SECTION_TEXT.values())
    return wanted | {"allowed", "denied", "failed"}


def read(lang: str):
    with catalog_path(lang).open("rb") as handle:
        return read_po(handle, locale=lang)


def test_every_visible_string_has_a_chinese_translation():
    zh = translator("zh_CN")
    wanted = wanted_msgids()
    missing = sorted(m for m in wanted if m not in zh or zh.gettext(m) == m)
    assert len(wanted) > 50
    assert not missing, f"add these to locale/zh_CN/LC_MESSAGES/messages.po: {missing}"


@pytest.mark.parametrize("lang", SUPPORTED)
def test_catalog_is_clean(lang):
    catalog = read(lang)
    sources = "\n".join(p.read_text(encoding="utf-8") for p in WEB.parents[0].rglob("*.py"))
    wanted = wanted_msgids()
    for message in catalog:
        if not message.id:
            continue
        assert not message.fuzzy, f"{lang}: fuzzy entry {message.id!r}"
        assert message.string, f"{lang}: empty msgstr for {message.id!r}"
        # the same placeholders, so formatting cannot fail or drop a value
        assert set(PLACEHOLDER.findall(message.id)) == set(PLACEHOLDER.findall(message.string))
        # no stale entries: each msgid is used by a template or by Python code
        assert message.id in wanted or repr(message.id)[1:-1] in sources, (
            f"{lang}: {message.id!r} is no longer used; remove it"
        )


def test_chinese_catalog_reads_as_chinese():
    for message in read("zh_CN"):
        if message.id:
            assert re.search(r"[\u4e00-\u9fff]", message.string), message.id


# --- templates render in both languages ------------------------------------------------------


def environment(lang: str) -> Environment:
    env = Environment(
        loader=FileSystemLoader(TEMPLATES),
        autoescape=True,
        extensions=["jinja2.ext.i18n"],
        undefined=StrictUndefined,
    )
    env.install_gettext_translations(translator(lang), newstyle=True)  # type: ignore[attr-defined]
    return env


def context(lang: str, signed_in: bool = True) -> dict:
    user = SimpleNamespace(
        username="wang.li",
        display_name="王丽",
        roles={"auditor"},
        unit_name="网信办",
    )
    return {
        "request": SimpleNamespace(url=SimpleNamespace(path="/console/audit")),
        "lang": lang,
        "user": user if signed_in else None,
        "csrf_token": "tok-123",
        "nav": [(href, label) for href, label, _a in NAV],
        "messages": [("success", "已保存")],
        "static": lambda path: f"/static/{path}",
        "url_lang": lambda code: f"?lang={code}",
    }


PAGES = {
    "console/identity/login.html": {"error": "用户名或密码错误", "next": "/console"},
    "console/identity/change_password.html": {"error": None},
    "console/identity/enrol_totp.html": {"qr_svg": "<svg></svg>", "secret": "JBSWY3DPEHPK3PXP", "error": None},
    "console/home.html": {
        "role_names": {"auditor": "安全审计员"},
        "cards": [
            {"title": "Audit log", "text": SECTION_TEXT["Audit log"], "href": "/console/audit"},
            {"title": "Units", "value": 12, "href": "/console/units"},
        ],
    },
    "console/audit.html": {
        "events": [
            {
                "seq": 7,
                "time": "2026-11-22 10:20:05",
                "actor_name": "王丽",
                "actor_unit": "WXB",
                "event": "auth.login",
                "category": "login",
                "target_type": "user",
                "target_id": "wang.li",
                "outcome": "denied",
                "rows": None,
                "client_addr": "127.0.0.1",
            }
        ],
        "chart": {"days": ["2026-11-22"], "counts": {"allowed": [3], "denied": [1], "failed": [0]}},
        "next_url": None,
        "filters": {"outcome": "denied"},
        "categories": [c.value for c in Category],
        "export_csv_url": "/console/audit/export?format=csv",
        "export_jsonl_url": "/console/audit/export?format=jsonl",
    },
    "console/identity/units.html": {
        "tree": [
            {
                "code": "MOE",
                "name": "教育部",
                "kind_label": "部机关司局",
                "children": [
                    {"code": "WXB", "name": "网信办", "kind_label": "部机关司局", "children": []}
                ],
            }
        ],
        "can_manage": True,
        "error": None,
        "kinds": [("ministry_department", "部机关司局")],
    },
    "console/identity/users.html": {
        "users": [
            {
                "username": "wang.li",
                "display_name": "王丽",
                "unit_name": "网信办",
                "roles": ["安全审计员"],
                "enabled": True,
                "locked": False,
            }
        ],
        "role_choices": [("system_admin", "系统管理员"), ("auditor", "安全审计员")],
        "error": None,
    },
    "error.html": {"status": 403, "title": "无权访问", "detail": "无权执行此操作"},
}


@pytest.mark.parametrize("name", sorted(PAGES))
@pytest.mark.parametrize("lang", SUPPORTED)
def test_console_template_renders(name, lang):
    html = environment(lang).get_template(name).render({**context(lang), **PAGES[name]})
    assert f'<html lang="{"zh-CN" if lang == "zh_CN" else "en"}"' in html
    assert 'href="#main"' in html and 'id="main"' in html  # skip link and its target
    assert """hx-headers='{"X-CSRF-Token": "tok-123"}'""" in html
    assert 'name="csrf_token" value="tok-123"' in html  # the sign-out form at least
    assert "echarts" not in html or name == "console/audit.html"  # ECharts only where a chart is
    if lang == "zh_CN":
        assert "Sign out" not in html and "退出" in html
    # every input that is not hidden has a label
    ids = set(re.findall(r'<label for="([^"]+)"', html))
    for tag in re.findall(r"<(?:input|select|textarea)\b[^>]*>", html):
        if 'type="hidden"' in tag or 'type="checkbox"' in tag:
            continue
        match = re.search(r'id="([^"]+)"', tag)
        labelled = match and match.group(1) in ids
        assert labelled or "aria-label" in tag or name == "console/audit.html", tag


def test_audit_filters_are_wrapped_in_labels():
    html = (
        environment("zh_CN")
        .get_template("console/audit.html")
        .render({**context("zh_CN"), **PAGES["console/audit.html"]})
    )
    assert html.count("<label>") >= 8 and 'class="badge denied">拒绝<' in html
    assert '"denied": ' + json.dumps("拒绝") in html  # chart legend, translated, JSON-escaped


def test_login_page_without_a_session():
    html = (
        environment("zh_CN")
        .get_template("console/identity/login.html")
        .render({**context("zh_CN", signed_in=False), **PAGES["console/identity/login.html"]})
    )
    assert 'autocomplete="one-time-code"' in html and 'inputmode="numeric"' in html
    assert 'role="alert"' in html and "退出" not in html
