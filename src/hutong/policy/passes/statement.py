"""Refuse what is not one read-only SELECT over the dataset, and constructs a SELECT may
carry that reach outside it (parameters, ``SELECT … INTO``, locks, recursion)."""

from __future__ import annotations

from sqlglot import exp

from hutong.policy.errors import ForbiddenConstruct, NotOneSelect
from hutong.policy.request import Request

QUERIES = (exp.Select, exp.SetOperation)
#: Inside a query, any of these is refused with the construct's name.
CONSTRUCTS: dict[type[exp.Expression], str] = {
    exp.Placeholder: "parameter",
    exp.Parameter: "parameter",
    exp.SessionParameter: "session parameter",
    exp.Into: "SELECT INTO",
    exp.Lock: "FOR UPDATE/SHARE",
    exp.Values: "VALUES",
}
#: Statements nested in a query (DML with RETURNING, DDL) are refused like top-level ones.
STATEMENTS = (
    exp.DML, exp.DDL, exp.Command, exp.Pragma, exp.Set, exp.Attach, exp.Detach, exp.Use,
    exp.Describe, exp.Show, exp.Summarize, exp.Transaction, exp.Commit, exp.Rollback, exp.Drop,
    exp.Alter, exp.Install,
)  # fmt: skip


def _statement_name(tree: exp.Expression) -> str:
    if isinstance(tree, exp.Command):
        return str(tree.this).upper()
    return tree.key.upper()


def refuse_non_select(tree: exp.Expression, request: Request) -> exp.Expression:
    if not isinstance(tree, QUERIES):
        raise NotOneSelect(_statement_name(tree))
    nested = tree.find(*STATEMENTS)
    if nested is not None:
        raise NotOneSelect(_statement_name(nested))
    return tree


def refuse_constructs(tree: exp.Expression, request: Request) -> exp.Expression:
    found = tree.find(*CONSTRUCTS)
    if found is not None:
        raise ForbiddenConstruct(next(n for t, n in CONSTRUCTS.items() if isinstance(found, t)))
    for with_ in tree.find_all(exp.With):
        if with_.args.get("recursive"):
            raise ForbiddenConstruct("WITH RECURSIVE")
    return tree
