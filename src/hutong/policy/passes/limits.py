"""Cap the rows a query returns: the grant's per-query limit and what is left of its rows
for the day; a consumer's own LIMIT is kept when it is smaller."""

from __future__ import annotations

from sqlglot import exp

from hutong.policy.errors import ForbiddenConstruct, VolumeExhausted
from hutong.policy.request import Request


def row_cap(request: Request) -> int:
    grant = request.grant
    cap = grant.max_rows_per_query
    if grant.rows_per_day is not None:
        cap = min(cap, grant.rows_per_day - request.rows_used_today)
    if cap <= 0:
        raise VolumeExhausted()
    return cap


def _literal_int(node: exp.Expression | None, clause: str) -> int | None:
    if node is None:
        return None
    value = node.expression if isinstance(node, exp.Limit | exp.Offset) else node
    if not (isinstance(value, exp.Literal) and value.is_int):
        raise ForbiddenConstruct(f"{clause} that is not a whole number")
    return int(value.to_py())


def apply_limits(tree: exp.Expression, request: Request) -> exp.Expression:
    assert isinstance(tree, exp.Query)
    if tree.args.get("fetch"):
        raise ForbiddenConstruct("FETCH (use LIMIT)")
    _literal_int(tree.args.get("offset"), "OFFSET")
    asked = _literal_int(tree.args.get("limit"), "LIMIT")
    cap = row_cap(request)
    return tree.limit(min(cap, asked) if asked is not None else cap, copy=False)
