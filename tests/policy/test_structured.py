"""Structured queries: filters over masked values, sort, and cursor paging that neither
skips nor repeats a row, ties included."""

from __future__ import annotations

from hutong.policy.conditions import Eq, In, IsNull, Prefix, Range
from hutong.policy.request import Request
from hutong.policy.structured import SortKey, StructuredQuery, compile_query, next_page
from tests.policy.conftest import NOW, make_grant, run


def fetch(query: StructuredQuery, grant, key, files):
    request = Request(grant, NOW)
    compiled = compile_query(query, request, key)
    rows = run(compiled, files)
    return rows, next_page(query, request, compiled, rows)


def test_filters_apply_to_what_the_consumer_sees(grant, key, students):
    def rows(*filters):
        query = StructuredQuery(items=("身份证号", "成绩"), filters=filters)
        return fetch(query, grant, key, students)[0]

    assert len(rows(Prefix(item="身份证号", value="110105"))) == 2
    assert rows(Prefix(item="身份证号", value="11010520")) == []  # masked digits
    assert rows(Eq(item="成绩", value=92)) == [("110108********0023", "92")]
    assert len(rows(Range(item="成绩", low=80, high=90))) == 2
    assert rows(IsNull(item="成绩")) == [("110224********0035", None)]
    assert len(rows(IsNull(item="成绩", negate=True), In(item="性别", values=("1", "2")))) == 3
    # A value is a literal, never SQL.
    assert rows(Eq(item="性别", value="1' OR '1'='1")) == []


def test_cursor_pages_cover_every_row_once_with_ties(key, students):
    grant = make_grant(row_filter=())  # all six rows, two of them identical
    query = StructuredQuery(
        items=("性别", "出生日期", "成绩"), sort=(SortKey(item="性别", descending=True),), limit=2
    )
    everything, _ = fetch(query.model_copy(update={"limit": 100}), grant, key, students)
    pages, cursor = [], None
    while True:
        rows, cursor = fetch(query.model_copy(update={"cursor": cursor}), grant, key, students)
        pages.append(rows)
        if cursor is None:
            break
    assert [row for page in pages for row in page] == everything
    assert len(everything) == 6 and [r[0] for r in everything] == ["2", "2", "2", "1", "1", "1"]
    assert everything[0:3] == sorted(everything[0:3], key=lambda r: (r[1], r[2] is None, r[2]))


def test_page_size_one_walks_through_identical_rows(key, students):
    grant = make_grant()
    query = StructuredQuery(items=("性别",), limit=1)
    seen, cursor = [], None
    for _ in range(10):
        rows, cursor = fetch(query.model_copy(update={"cursor": cursor}), grant, key, students)
        seen += rows
        if cursor is None:
            break
    assert seen == [("1",), ("1",), ("2",), ("2",)]
