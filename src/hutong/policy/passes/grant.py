"""Refuse a query under a grant that has expired or has not started (revocation replaces
the grant, so it takes effect on the next query)."""

from __future__ import annotations

from sqlglot import exp

from hutong.policy.errors import GrantNotInForce
from hutong.policy.request import Request


def refuse_grant_not_in_force(tree: exp.Expression, request: Request) -> exp.Expression:
    if not request.grant.in_force(request.now):
        raise GrantNotInForce()
    return tree
