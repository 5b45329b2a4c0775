"""One way to page a listing (the console's catalog, overlaps and findings, the portal's
search): a page number read leniently from the address, the offset it starts at, and a
``Page`` of items with the total, so every listing offers the same previous and next links
and none asks for a page past what an offset can reach."""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass
from typing import Generic, TypeVar

from hutong.core.db import MAX_INTEGER

T = TypeVar("T")


def last_reachable(size: int) -> int:
    """The highest page number whose offset a database still takes."""
    return max(1, MAX_INTEGER // size)


def number(raw: object, size: int) -> int:
    """The page number asked for: 1 when missing, malformed or below 1, and never past
    ``last_reachable`` (a hand-typed ``page=`` is no error)."""
    try:
        asked = int(str(raw))
    except ValueError:
        return 1
    return min(max(asked, 1), last_reachable(size))


def offset(page: int, size: int) -> int:
    """Where page ``page`` (from 1) starts."""
    return (page - 1) * size


@dataclass(frozen=True)
class Page(Generic[T]):
    """The items of one page of a listing, with how many there are in all."""

    items: Sequence[T]
    total: int
    page: int
    size: int

    @classmethod
    def cut(cls, every: Sequence[T], page: int, size: int) -> Page[T]:
        """Page ``page`` of a listing held whole."""
        start = offset(page, size)
        return cls(every[start : start + size], len(every), page, size)

    @property
    def pages(self) -> int:
        """How many pages the listing has (one, even when it is empty)."""
        return max(1, -(-self.total // self.size))

    @property
    def previous(self) -> int | None:
        """The page before, or the last one when this page is past the end."""
        return min(self.page - 1, self.pages) if self.page > 1 else None

    @property
    def next(self) -> int | None:
        return self.page + 1 if self.page < min(self.pages, last_reachable(self.size)) else None

    def links(self, link: Callable[[int], str]) -> dict[str, str | None]:
        """``prev_url`` and ``next_url`` for a template, each None where there is no page;
        ``link`` makes the address of a page number."""
        return {
            "prev_url": None if self.previous is None else link(self.previous),
            "next_url": None if self.next is None else link(self.next),
        }
