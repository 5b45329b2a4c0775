"""The policy view: the derived table a consumer's query runs over instead of the dataset
(DESIGN rule 7). It exposes only the granted items, each already masked, with the grant's
row filter inside it, so nothing outside can reach a clear value the grant masks::

    (SELECT <mask>("身份证号") AS "身份证号", "姓名" AS "姓名" FROM dataset
     WHERE <row filter> [AND <subject pseudonym> IN (<consent ledger>)]) AS dataset

The last condition is there when the grant's legal basis is consent (N2021 task 8): a
semi-join against the consent ledger's Parquet batches, inside the engine.
"""

from __future__ import annotations

from functools import lru_cache

from sqlglot import exp

from hutong.policy.conditions import all_of, column
from hutong.policy.grant import GrantPolicy
from hutong.privacy import consented

#: The name under which the engine exposes a dataset version (``data/engine.py``).
DATASET = "dataset"
#: Consumers write SQL in DuckDB's dialect whatever engine runs it.
READ_DIALECT = "duckdb"
#: ``meta`` key that marks a policy view in a compiled tree.
VIEW_MARK = "policy_view"


@lru_cache(maxsize=256)
def _view(grant: GrantPolicy) -> exp.Select:
    projections = [
        exp.alias_(item.mask.apply(column(item.name)), exp.to_identifier(item.name, quoted=True))
        for item in grant.items
    ]
    select = exp.select(*projections).from_(exp.to_table(DATASET))
    condition = all_of(grant.row_filter)
    if grant.consent is not None:
        basis = grant.consent
        held = consented.subject_in(
            column(basis.subject_item),
            consented.subjects_query(basis.files, basis.wanted, basis.baseline),
        )
        condition = held if condition is None else exp.and_(condition, held)
    return select.where(condition) if condition is not None else select


def policy_view(grant: GrantPolicy, alias: str) -> exp.Subquery:
    """A fresh copy of the grant's view, named ``alias`` (built once per grant)."""
    subquery = exp.Subquery(
        this=_view(grant).copy(), alias=exp.TableAlias(this=exp.to_identifier(alias, quoted=True))
    )
    subquery.meta[VIEW_MARK] = True
    return subquery
