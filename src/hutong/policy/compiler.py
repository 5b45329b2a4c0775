"""The policy compiler: (grant, request) → one SQL statement for the engine (issue 6).

A sequence of small named passes over the sqlglot tree, applied by one loop (STYLE.md, after
sqlglot's optimizer): refuse what is not one SELECT over the granted dataset → refuse any
reference the policy view does not expose → swap the dataset for its policy view (granted
items only, masked, row filter inside) → apply limits → emit the engine's dialect. References
are resolved against the view's columns just before the view goes in, so the resolver walks
the consumer's tree only (the views are ours, built once per grant). Two entry
points share the passes: ``compile_sql`` for read-only SQL a consumer writes and
``compile_query`` (``policy/structured.py``) for structured queries. The decision record is
``docs/decisions/0007-policy-compiler.md``.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field

from sqlglot import exp

from hutong.policy.passes.functions import refuse_unlisted_functions
from hutong.policy.passes.grant import refuse_grant_not_in_force
from hutong.policy.passes.limits import apply_limits
from hutong.policy.passes.parse import parse_one_statement
from hutong.policy.passes.references import refuse_unexposed_references
from hutong.policy.passes.sources import refuse_other_sources
from hutong.policy.passes.statement import refuse_constructs, refuse_non_select
from hutong.policy.passes.swap import swap_in_policy_view
from hutong.policy.passes.text import refuse_hidden_characters
from hutong.policy.request import Request
from hutong.policy.view import READ_DIALECT, VIEW_MARK
from hutong.privacy.keys import PseudonymKey

Pass = Callable[[exp.Expression, Request], exp.Expression]
RULES: tuple[Pass, ...] = (
    refuse_grant_not_in_force,
    refuse_non_select,
    refuse_constructs,
    refuse_other_sources,
    refuse_unlisted_functions,
    refuse_unexposed_references,
    swap_in_policy_view,
    apply_limits,
)


@dataclass(frozen=True)
class CompiledQuery:
    """One statement for the engine. ``params`` holds the pseudonym pads: pass them to the
    engine with the SQL, never log them (they are left out of ``repr``)."""

    sql: str
    dialect: str
    columns: tuple[str, ...]
    #: Granted items the query reads (for the audit event).
    items: tuple[str, ...]
    #: The LIMIT the statement carries: the most rows it can return.
    row_cap: int
    params: dict[str, str] = field(default_factory=dict, repr=False)


def compile_sql(sql: str, request: Request, key: PseudonymKey | None = None) -> CompiledQuery:
    """Compile read-only SQL written by a consumer over the view ``dataset``."""
    tree = parse_one_statement(refuse_hidden_characters(sql), READ_DIALECT)
    return compile_tree(tree, request, key)


def compile_tree(
    tree: exp.Expression, request: Request, key: PseudonymKey | None = None
) -> CompiledQuery:
    params = _key_params(request, key)
    for rule in RULES:
        tree = rule(tree, request)
    assert isinstance(tree, exp.Query)
    return CompiledQuery(
        sql=tree.sql(dialect=request.dialect, comments=False),
        dialect=request.dialect,
        columns=tuple(tree.named_selects),
        items=_items_read(tree, request),
        row_cap=int(tree.args["limit"].expression.to_py()),
        params=params,
    )


def _key_params(request: Request, key: PseudonymKey | None) -> dict[str, str]:
    grant = request.grant
    if not grant.keyed:
        return {}
    if key is None or key.domain != grant.pseudonym_domain:
        raise ValueError("the grant pseudonymizes items: pass the key of its domain")
    return key.params()


def _items_read(tree: exp.Expression, request: Request) -> tuple[str, ...]:
    """Granted items named outside the policy views (inside, every item is read)."""
    exposed = {name.casefold(): name for name in request.grant.exposed}
    seen = {
        exposed[node.name.casefold()]
        for node in tree.walk(prune=lambda n: bool(n.meta.get(VIEW_MARK)))
        if isinstance(node, exp.Column) and node.name.casefold() in exposed
    }
    return tuple(name for name in request.grant.exposed if name in seen)
