"""Message catalogs for the console and portal: zh_CN by default, English second.

Template strings (msgids) are English; ``locale/zh_CN/LC_MESSAGES/messages.po`` translates
them and ``locale/en/LC_MESSAGES/messages.po`` only polishes a few code-like msgids (outcome
and category names). The .po files are read with Babel at first use and cached, so there is
no compile step and no .mo file to keep in step.

Use::

    env.install_gettext_translations(translator(lang), newstyle=True)
    _ = gettext_for(lang)
"""

from __future__ import annotations

import gettext
from collections.abc import Callable
from functools import lru_cache
from pathlib import Path

from babel.messages.pofile import read_po

LOCALE_DIR = Path(__file__).parent / "locale"
SUPPORTED = ("zh_CN", "en")
DEFAULT = "zh_CN"


class CatalogTranslations(gettext.NullTranslations):
    """gettext interface over a parsed Babel catalog; a missing or empty msgstr falls back
    to the msgid (English). Fuzzy entries are ignored, as msgfmt would."""

    def __init__(
        self,
        messages: dict[str, str] | None = None,
        plurals: dict[str, tuple[str, ...]] | None = None,
        contexts: dict[tuple[str, str], str] | None = None,
        plural: Callable[[int], int] | None = None,
    ) -> None:
        super().__init__()
        self._messages = messages or {}
        self._plurals = plurals or {}
        self._contexts = contexts or {}
        self._plural = plural or (lambda n: int(n != 1))

    def __contains__(self, message: str) -> bool:
        return message in self._messages

    def gettext(self, message: str) -> str:
        return self._messages.get(message) or message

    def ngettext(self, msgid1: str, msgid2: str, n: int) -> str:
        forms = self._plurals.get(msgid1)
        if forms:
            index = self._plural(n)
            if 0 <= index < len(forms) and forms[index]:
                return forms[index]
        return msgid1 if n == 1 else msgid2

    def pgettext(self, context: str, message: str) -> str:
        return self._contexts.get((context, message)) or message

    def npgettext(self, context: str, msgid1: str, msgid2: str, n: int) -> str:
        return self.ngettext(msgid1, msgid2, n)


def normalise(code: str | None) -> str | None:
    """A supported language for a tag such as ``zh-CN``, ``zh_Hans``, ``en-GB``, else None."""
    if not code:
        return None
    code = code.strip().lower()
    if code.startswith("zh"):
        return "zh_CN"
    if code.startswith("en"):
        return "en"
    return None


def catalog_path(lang: str) -> Path:
    return LOCALE_DIR / lang / "LC_MESSAGES" / "messages.po"


@lru_cache(maxsize=8)
def translator(lang: str) -> CatalogTranslations:
    """The catalog for ``lang`` (read once); unknown languages get the default catalog."""
    lang = normalise(lang) or DEFAULT
    path = catalog_path(lang)
    if not path.exists():
        return CatalogTranslations()
    with path.open("rb") as handle:
        catalog = read_po(handle, locale=lang)
    messages: dict[str, str] = {}
    plurals: dict[str, tuple[str, ...]] = {}
    contexts: dict[tuple[str, str], str] = {}
    for message in catalog:
        if not message.id or message.fuzzy or not message.string:
            continue
        if isinstance(message.id, tuple | list):
            plurals[str(message.id[0])] = tuple(str(s) for s in message.string)
        elif message.context:
            contexts[(message.context, str(message.id))] = str(message.string)
        else:
            messages[str(message.id)] = str(message.string)
    plural = gettext.c2py(catalog.plural_expr) if catalog.plural_expr else None
    return CatalogTranslations(messages, plurals, contexts, plural)


def gettext_for(lang: str) -> Callable[[str], str]:
    """``_`` for Python code that renders text in ``lang`` (flash messages, labels)."""
    return translator(lang).gettext


def negotiate(query_lang: str | None, cookie_lang: str | None, accept_language: str | None) -> str:
    """Query parameter, then cookie, then the browser's preferences, then Chinese."""
    for candidate in (query_lang, cookie_lang):
        if (lang := normalise(candidate)) is not None:
            return lang
    return _from_accept_language(accept_language) or DEFAULT


def _from_accept_language(header: str | None) -> str | None:
    """The supported language the browser likes best (RFC 9110 q-values, ties by order)."""
    ranked: list[tuple[float, int, str]] = []
    for position, part in enumerate((header or "").split(",")):
        tag, _, params = part.strip().partition(";")
        quality = 1.0
        for param in params.split(";"):
            name, _, value = param.strip().partition("=")
            if name.strip().lower() == "q":
                try:
                    quality = float(value)
                except ValueError:
                    quality = 0.0
        lang = normalise(tag)
        if lang is not None and quality > 0:
            ranked.append((-quality, position, lang))
    return min(ranked)[2] if ranked else None
