"""Swap every read of the dataset for the grant's policy view (DESIGN rule 7)."""

from __future__ import annotations

from sqlglot import exp

from hutong.policy.passes.sources import is_dataset
from hutong.policy.request import Request
from hutong.policy.view import policy_view


def swap_in_policy_view(tree: exp.Expression, request: Request) -> exp.Expression:
    """``FROM dataset AS d`` becomes ``FROM (<policy view>) AS d``; an unaliased read keeps
    the name ``dataset`` so ``dataset.item`` still resolves. Earlier passes made every table
    a read of the dataset (no CTE may take its name), so each Table node is one."""
    for table in list(tree.find_all(exp.Table)):
        if is_dataset(table):
            table.replace(policy_view(request.grant, table.alias_or_name))
    return tree
