"""Who may be processed for one purpose, as SQL: the one statement over the consent ledger's
Parquet batches that both the bulk check (``ledger.py``) and the exchange's policy view
(``policy/view.py``) use, so a grant whose legal basis is consent filters its rows with a
semi-join inside the engine (N2021 task 8; decision 0011).

A subject counts when, for the purpose and for each sensitive category asked for, their
newest ledger row says ``given`` under a notice version no older than the latest material
change. The pseudonym pads of the ``consent`` domain are bound under their own names
(``CONSENT_IPAD`` / ``CONSENT_OPAD``), so one statement can carry them beside a grant's own
pseudonym pads.
"""

from __future__ import annotations

from collections.abc import Sequence

import sqlglot
from sqlglot import exp

from hutong.data.sql import literal
from hutong.privacy import subjects
from hutong.privacy.keys import IPAD_PARAM, OPAD_PARAM, PseudonymKey

CONSENT_IPAD = "hutong_ck_ipad"
CONSENT_OPAD = "hutong_ck_opad"
_RENAMED = {IPAD_PARAM: CONSENT_IPAD, OPAD_PARAM: CONSENT_OPAD}


def wanted(purpose: str, categories: Sequence[str] = ()) -> tuple[tuple[str, str], ...]:
    """The (kind, code) consents a subject must all hold: the purpose and each category."""
    return (("purpose", purpose), *(("sensitive", c) for c in categories))


def subjects_query(
    files: Sequence[str], keys: Sequence[tuple[str, str]], baseline: int
) -> exp.Query:
    """``SELECT subject``: the pseudonyms holding every consent in ``keys``."""
    if not files:
        return sqlglot.parse_one("SELECT CAST(NULL AS VARCHAR) AS subject WHERE FALSE")
    match = " OR ".join(
        f"(kind = {literal(kind)} AND code = {literal(code)})" for kind, code in keys
    )
    paths = ", ".join(literal(str(p)) for p in files)
    query = sqlglot.parse_one(
        f"""SELECT subject FROM (
                SELECT subject, kind, code, arg_max(state, batch) AS state,
                       arg_max(version, batch) AS version
                FROM read_parquet([{paths}]) WHERE {match} GROUP BY subject, kind, code)
            WHERE state = 'given' AND version >= {int(baseline)}
            GROUP BY subject HAVING COUNT(*) = {len(keys)}""",
        read="duckdb",
    )
    assert isinstance(query, exp.Query)
    return query


def _rebind(node: exp.Expression) -> exp.Expression:
    if isinstance(node, exp.Placeholder) and node.name in _RENAMED:
        return exp.Placeholder(this=_RENAMED[node.name])
    return node


def subject_in(column: exp.Expression, query: exp.Query) -> exp.Expression:
    """True where the row's subject (its ID ``column``) is in ``query``; the consent key's
    pads are bound as ``params(key)``."""
    pseudonym = subjects.pseudonym_sql(column).transform(_rebind)
    return exp.In(this=pseudonym, query=exp.Subquery(this=query))


def params(key: PseudonymKey) -> dict[str, str]:
    """The consent key's pads under the names ``subject_in`` binds."""
    return {_RENAMED[name]: value for name, value in key.params().items()}
