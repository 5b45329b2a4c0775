"""Cursor-based paging for structured queries (keyset paging over an immutable version).

Rows are ordered by the requested sort, then by every other selected item, NULLs last, so
two rows tie only when everything the consumer sees is the same. A cursor carries the order
values of the last row served and how many rows with exactly those values were served; the
next page starts there. It is bound to its query by a fingerprint, so a cursor from another
query is refused. Its values are those the consumer already saw (masked), and they become
literals in a condition over the policy view, so a forged cursor reaches nothing new."""

from __future__ import annotations

import base64
import hashlib
import json
from collections.abc import Sequence

from pydantic import BaseModel
from sqlglot import exp

from hutong.policy.conditions import column, literal
from hutong.policy.errors import InvalidQuery

Value = str | int | float | None


class OrderKey(BaseModel):
    item: str
    descending: bool = False


def fingerprint(query: BaseModel) -> str:
    return hashlib.sha256(query.model_dump_json(exclude={"cursor"}).encode()).hexdigest()[:16]


def encode(query: BaseModel, after: Sequence[Value], skip: int) -> str:
    payload = {"f": fingerprint(query), "a": list(after), "s": skip}
    return base64.urlsafe_b64encode(json.dumps(payload).encode()).decode()


def _refused() -> InvalidQuery:
    return InvalidQuery("分页游标无效", "the page cursor is not valid for this query", "cursor")


def _scalar(value: object) -> bool:
    return value is None or (isinstance(value, str | int | float) and not isinstance(value, bool))


def decode(query: BaseModel, cursor: str, width: int) -> tuple[list[Value], int]:
    """The cursor's last values and skip count, or a refusal."""
    try:
        payload = json.loads(base64.urlsafe_b64decode(cursor.encode()))
        after, skip = payload["a"], payload["s"]
        valid = payload["f"] == fingerprint(query) and isinstance(after, list)
    except (ValueError, KeyError, TypeError):
        raise _refused() from None
    if not (valid and len(after) == width and all(map(_scalar, after))):
        raise _refused()
    if not (isinstance(skip, int) and not isinstance(skip, bool) and skip >= 0):
        raise _refused()
    return after, skip


def seek(keys: Sequence[OrderKey], after: Sequence[Value]) -> exp.Expression:
    """Rows at or after ``after`` in the order of ``keys`` (NULLs last in each direction)."""
    terms: list[exp.Expression] = []
    equal: list[exp.Expression] = []
    for key, value in zip(keys, after, strict=True):
        item = column(key.item)
        if value is not None:
            beyond = exp.LT if key.descending else exp.GT
            later = exp.or_(
                beyond(this=item.copy(), expression=literal(value)),
                exp.Is(this=item.copy(), expression=exp.Null()),
            )
            terms.append(exp.and_(*equal, later) if equal else later)
        equal.append(exp.NullSafeEQ(this=item.copy(), expression=literal(value)))
    return exp.or_(*terms, exp.and_(*equal))


def order(keys: Sequence[OrderKey]) -> list[exp.Ordered]:
    return [exp.Ordered(this=column(k.item), desc=k.descending, nulls_first=False) for k in keys]


def next_cursor(
    query: BaseModel,
    positions: Sequence[int],
    rows: Sequence[Sequence[Value]],
    limit: int,
    previous: tuple[list[Value], int] | None,
) -> str | None:
    """The cursor of the page after ``rows`` (None when this page is the last).

    ``positions`` locate the order keys in a row; ``previous`` is the decoded cursor of
    this page, if any: when the whole page ties with it, the skip count carries on."""
    if len(rows) < limit:
        return None
    last = [rows[-1][p] for p in positions]
    tail = 0
    for row in reversed(rows):
        if [row[p] for p in positions] != last:
            break
        tail += 1
    if previous is not None and tail == len(rows) and previous[0] == last:
        tail += previous[1]
    return encode(query, last, tail)
