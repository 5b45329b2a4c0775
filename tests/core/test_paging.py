"""The one pagination helper: page numbers read leniently and bounded, a page's neighbours."""

from __future__ import annotations

import pytest

from hutong.core import paging
from hutong.core.db import MAX_INTEGER
from hutong.core.paging import Page


@pytest.mark.parametrize(
    ("raw", "expected"),
    [(None, 1), ("", 1), ("abc", 1), ("-3", 1), ("0", 1), ("2", 2), (7, 7), ("1.5", 1)],
)
def test_a_page_number_from_an_address_is_never_an_error(raw: object, expected: int) -> None:
    assert paging.number(raw, 20) == expected


def test_no_page_starts_past_what_a_database_offset_takes() -> None:
    furthest = paging.number(str(10**30), 50)
    assert paging.offset(furthest, 50) <= MAX_INTEGER < paging.offset(furthest + 1, 50) + 50


def test_neighbours_of_the_first_middle_and_last_page() -> None:
    assert (Page([], 45, 1, 20).previous, Page([], 45, 1, 20).next) == (None, 2)
    assert (Page([], 45, 2, 20).previous, Page([], 45, 2, 20).next) == (1, 3)
    assert (Page([], 45, 3, 20).previous, Page([], 45, 3, 20).next) == (2, None)
    assert Page([], 45, 3, 20).pages == 3 and Page([], 40, 2, 20).next is None


def test_an_empty_listing_is_one_page_with_no_links() -> None:
    empty = Page([], 0, 1, 20)
    assert empty.pages == 1 and empty.links(str) == {"prev_url": None, "next_url": None}


def test_a_page_past_the_end_links_back_to_the_last_page() -> None:
    assert Page([], 45, 9, 20).previous == 3 and Page([], 45, 9, 20).next is None


def test_links_are_made_by_the_callers_address() -> None:
    links = Page(["x"], 45, 2, 20).links(lambda n: f"/list?page={n}")
    assert links == {"prev_url": "/list?page=1", "next_url": "/list?page=3"}


def test_a_page_cut_from_a_whole_listing() -> None:
    cut = Page.cut(list(range(45)), 3, 20)
    assert list(cut.items) == list(range(40, 45)) and cut.total == 45 and cut.page == 3
