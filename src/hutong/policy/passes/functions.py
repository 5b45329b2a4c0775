"""Refuse any function that is not on the allow-list (``policy/allowlist.py``)."""

from __future__ import annotations

from sqlglot import exp

from hutong.policy.allowlist import allowed, function_name
from hutong.policy.errors import ForbiddenFunction
from hutong.policy.request import Request


def refuse_unlisted_functions(tree: exp.Expression, request: Request) -> exp.Expression:
    for node in tree.find_all(exp.Func):
        if not allowed(node):
            raise ForbiddenFunction(function_name(node))
    return tree
