"""Before parsing: refuse characters that make SQL read differently from what runs."""

from __future__ import annotations

import unicodedata

from hutong.policy.errors import HiddenCharacters

ALLOWED_CONTROLS = {"\t", "\n", "\r"}
MAX_SQL = 20_000


def refuse_hidden_characters(sql: str) -> str:
    """Control, format (zero-width, bidirectional override) and private-use characters are
    refused: they can hide a statement or make ``dataset`` and a look-alike render the same.
    Look-alike letters that are visible (Cyrillic ``ѕ`` in ``dataѕet``, full-width
    ``ｄａｔａｓｅｔ``) are left to the later passes, where they name no granted table or
    item and are refused as such."""
    for char in sql[:MAX_SQL]:
        if char not in ALLOWED_CONTROLS and unicodedata.category(char) in ("Cc", "Cf", "Co", "Cs"):
            raise HiddenCharacters(ord(char))
    return sql
