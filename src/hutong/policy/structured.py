"""Structured queries (issue 6): items, filters (=, in, range, prefix, is null), sort,
cursor paging and a page size — built into a sqlglot tree and compiled by the same passes
as SQL, so a filter on a masked item sees the masked values, like any WHERE clause."""

from __future__ import annotations

from pydantic import BaseModel, ConfigDict, Field
from sqlglot import exp

from hutong.policy import cursor
from hutong.policy.compiler import CompiledQuery, compile_tree
from hutong.policy.conditions import Condition, ItemName, all_of, column
from hutong.policy.errors import InvalidQuery
from hutong.policy.request import Request
from hutong.policy.view import DATASET
from hutong.privacy.keys import PseudonymKey


class SortKey(cursor.OrderKey):
    model_config = ConfigDict(frozen=True, extra="forbid")

    item: ItemName


class StructuredQuery(BaseModel):
    model_config = ConfigDict(frozen=True, extra="forbid")

    #: The items to return, in order; empty means every granted item.
    items: tuple[ItemName, ...] = Field((), max_length=200, title="信息项")
    filters: tuple[Condition, ...] = Field((), max_length=50, title="筛选条件")
    sort: tuple[SortKey, ...] = Field((), max_length=8, title="排序")
    cursor: str | None = Field(None, max_length=4096, title="分页游标")
    limit: int = Field(100, ge=1, le=10_000, title="行数")

    def selected(self, request: Request) -> tuple[str, ...]:
        return self.items or request.grant.exposed

    def order_keys(self, request: Request) -> list[cursor.OrderKey]:
        """The requested sort, then every other selected item: a total order of what the
        consumer sees."""
        selected = self.selected(request)
        sorted_items = [k.item for k in self.sort]
        missing = [i for i in sorted_items if i not in selected]
        if missing:
            raise InvalidQuery(
                f"排序的信息项 {missing[0]} 必须在返回的信息项中",
                f"the sort item {missing[0]} must be one of the returned items",
                "sort",
            )
        rest = [cursor.OrderKey(item=i) for i in selected if i not in sorted_items]
        return [*self.sort, *rest]

    def positions(self, request: Request) -> list[int]:
        """Where each order key sits in a returned row (for ``cursor.next_cursor``)."""
        selected = self.selected(request)
        return [selected.index(k.item) for k in self.order_keys(request)]

    def page_state(self, request: Request) -> tuple[list[cursor.Value], int] | None:
        if self.cursor is None:
            return None
        return cursor.decode(self, self.cursor, len(self.order_keys(request)))


def build_tree(query: StructuredQuery, request: Request) -> exp.Select:
    keys = query.order_keys(request)
    tree = exp.select(*(column(i) for i in query.selected(request))).from_(DATASET)
    conditions = [c for c in [all_of(query.filters)] if c is not None]
    state = query.page_state(request)
    if state is not None:
        conditions.append(cursor.seek(keys, state[0]))
    if conditions:
        tree = tree.where(*conditions)
    tree = tree.order_by(*cursor.order(keys)).limit(query.limit)
    return tree.offset(state[1]) if state is not None and state[1] else tree


def compile_query(
    query: StructuredQuery, request: Request, key: PseudonymKey | None = None
) -> CompiledQuery:
    """Compile a structured query; the caller pages on with ``next_page``."""
    return compile_tree(build_tree(query, request), request, key)


def next_page(
    query: StructuredQuery,
    request: Request,
    compiled: CompiledQuery,
    rows: list[tuple[cursor.Value, ...]],
) -> str | None:
    """The cursor of the page after ``rows`` (what ``compiled`` returned), or None."""
    return cursor.next_cursor(
        query, query.positions(request), rows, compiled.row_cap, query.page_state(request)
    )
