"""Message catalogs for the console and portal: zh_CN by default, English second.

Template strings (msgids) are English; ``locale/zh_CN/LC_MESSAGES/messages.po`` translates
them. The .po file is read with Babel at first use, so there is no compile step.
"""

from __future__ import annotations

import gettext
from functools import lru_cache
from pathlib import Path

from babel.messages.pofile import read_po

LOCALE_DIR = Path(__file__).parent / "locale"
SUPPORTED = ("zh_CN", "en")
DEFAULT = "zh_CN"


class CatalogTranslations(gettext.NullTranslations):
    """gettext interface over a parsed Babel catalog (msgid → msgstr)."""

    def __init__(self, messages: dict[str, str]) -> None:
        super().__init__()
        self._messages = messages

    def gettext(self, message: str) -> str:
        return self._messages.get(message) or message

    def ngettext(self, singular: str, plural: str, n: int) -> str:
        return self.gettext(singular if n == 1 else plural)


@lru_cache(maxsize=len(SUPPORTED))
def translator(lang: str) -> CatalogTranslations:
    path = LOCALE_DIR / lang / "LC_MESSAGES" / "messages.po"
    if not path.exists():
        return CatalogTranslations({})
    with path.open("rb") as handle:
        catalog = read_po(handle)
    return CatalogTranslations({str(m.id): str(m.string) for m in catalog if m.id and m.string})


def _normalise(code: str | None) -> str | None:
    if not code:
        return None
    code = code.strip().replace("-", "_")
    if code.lower().startswith("zh"):
        return "zh_CN"
    if code.lower().startswith("en"):
        return "en"
    return None


def negotiate(query_lang: str | None, cookie_lang: str | None, accept_language: str | None) -> str:
    """Query parameter, then cookie, then the browser's first language, then Chinese."""
    for candidate in (query_lang, cookie_lang):
        if (lang := _normalise(candidate)) is not None:
            return lang
    first = (accept_language or "").split(",")[0].split(";")[0]
    return _normalise(first) or DEFAULT
