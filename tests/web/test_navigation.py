"""Navigation comes from ``authorize()``: every section link and tab the console offers a role
opens for that role (a catalog reviewer was once shown 共享授权 and 使用情况 and got 403), and
an error page keeps the navigation and never shows a permission id."""

from __future__ import annotations

import re

import pytest

from tests.conftest import ROLE_HOMES
from tests.support import enrol_totp
from tests.web.test_console import sign_in

#: The tabbed sections whose tabs are checked along with the top navigation.
SECTIONS = ("/console/exchange/applications", "/console/supervision", "/console/privacy")
SIGNED_WITH_TOTP = ("system.admin", "security.admin", "auditor")


def links(html: str, nav_label: str | None = None) -> list[str]:
    """The console links of the page's navigation menus (the top menu and section tabs)."""
    found = []
    for nav in re.findall(r"<nav[^>]*>(.*?)</nav>", html, re.S):
        found += re.findall(r'<a href="(/console[^"#]*)"', nav)
    return [href.replace("&amp;", "&") for href in found]


@pytest.mark.parametrize("role", sorted(ROLE_HOMES))
def test_every_link_offered_to_a_role_opens(client, db, org, role):
    username = role.replace("_", ".")
    totp = enrol_totp(db, username).now() if username in SIGNED_WITH_TOTP else ""
    assert sign_in(client, username, org.password, totp).status_code == 303
    home = client.get("/console")
    offered = set(links(home.text))
    for section in SECTIONS:
        page = client.get(section)
        if page.status_code == 200:
            offered |= set(links(page.text))
    assert "/console" in offered
    refused = {href: client.get(href).status_code for href in sorted(offered)}
    assert {href: code for href, code in refused.items() if code != 200} == {}


def test_a_reviewer_is_not_offered_the_grants(client, db, org):
    sign_in(client, "catalog.reviewer", org.password)
    page = client.get("/console/exchange/applications")
    assert page.status_code == 200
    assert "/console/exchange/grants" not in links(page.text)
    assert "/console/exchange/usage" not in links(page.text)


def test_a_refused_page_keeps_the_navigation_and_names_no_permission(client, db, org):
    sign_in(client, "catalog.reviewer", org.password)
    refused = client.get("/console/exchange/grants")
    assert refused.status_code == 403
    assert "/console/catalog" in links(refused.text)  # the menu is still there
    assert "您的角色不包含此项权限" in refused.text
    assert not re.search(r"\b[a-z]+\.[a-z_]+\b", re.sub(r"<[^>]+>", " ", refused.text).split("<main")[-1])
    english = client.get("/console/exchange/grants", headers={"accept-language": "en"})
    assert english.status_code == 403 and "Access denied" in english.text
    assert "grant.read" not in english.text
    missing = client.get("/console/no-such-page", headers={"accept": "text/html"})
    assert missing.status_code == 404 and "/console/catalog" in links(missing.text)
