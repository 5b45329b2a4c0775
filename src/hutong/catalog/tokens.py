"""Search tokens that work for Chinese on SQLite (FTS5) and PostgreSQL (GIN over text[]).

Chinese has no spaces, so text is cut the way CJK search engines do (cf. Lucene's
CJKAnalyzer): each run of Han characters gives its overlapping bigrams and its single
characters; Latin words and numbers are kept whole, lower-cased. A query is cut the same
way, preferring bigrams, and an entry matches when it has every query token. Both databases
index the same tokens, so they return the same results.
"""

from __future__ import annotations

import re

_RUNS = re.compile(r"[\u3400-\u9fff\uf900-\ufaff]+|[0-9a-z]+", re.IGNORECASE)


def _is_han(run: str) -> bool:
    return not run[0].isascii()


def tokens(text: str) -> set[str]:
    """The distinct index tokens of a text."""
    out: set[str] = set()
    for run in _RUNS.findall(text.lower()):
        if _is_han(run):
            out.update(run)
            out.update(run[i : i + 2] for i in range(len(run) - 1))
        else:
            out.add(run)
    return out


def query_terms(query: str) -> list[str]:
    """Tokens an entry must all have to match ``query`` (bigrams for Han runs of 2+)."""
    terms: list[str] = []
    for run in _RUNS.findall(query.lower()):
        if _is_han(run) and len(run) > 1:
            terms.extend(run[i : i + 2] for i in range(len(run) - 1))
        else:
            terms.append(run)
    return list(dict.fromkeys(terms))
