"""Chinese full-text search with facets, identical on SQLite and PostgreSQL."""

from __future__ import annotations

import pytest

from hutong.catalog import search, service
from hutong.catalog.tokens import query_terms, tokens
from tests.support import entry


def test_tokens_cut_chinese_into_bigrams_and_characters():
    assert {"学籍", "籍信", "信息", "学", "籍"} <= tokens("学籍信息")
    assert query_terms("学籍信息") == ["学籍", "籍信", "信息"]
    assert query_terms("籍") == ["籍"]
    assert query_terms("Student 学籍") == ["student", "学籍"]


@pytest.fixture
def catalog(db, org, classes, actors):
    rows = [
        (
            "全国中小学生学籍信息",
            "302",
            "conditional",
            "important",
            "学生学籍、转学、升级信息",
            [("学籍号", "identity")],
        ),
        (
            "全国教师基本信息",
            "30101",
            "conditional",
            "important",
            "教师姓名、学历、任教学科",
            [("姓名", "identity")],
        ),
        (
            "教育统计年鉴分省学校数",
            "302",
            "unconditional",
            "general",
            "各省各级各类学校数量统计",
            [("学校数", "none")],
        ),
    ]
    with db.transaction() as session:
        for name, cls, share, grade, summary, items in rows:
            service.create(
                session,
                actors["data_steward"],
                entry(
                    org,
                    name=name,
                    classification_code=cls,
                    share_type=share,
                    grade=grade,
                    summary=summary,
                    has_pi=any(p != "none" for _n, p in items),
                    items=[{"name": n, "data_type": "字符型", "pi_category": p} for n, p in items],
                ),
            )


def run(db, actor, q="", **filters):
    with db.transaction() as session:
        page = search.search(session, actor, search.Query(q=q, filters=filters, statuses=()))
        return [r.name for r in page.resources], page


@pytest.mark.parametrize(
    ("q", "expected"),
    [
        ("学籍", {"全国中小学生学籍信息"}),
        ("任教学科", {"全国教师基本信息"}),
        ("统计年鉴", {"教育统计年鉴分省学校数"}),
        ("学", {"全国中小学生学籍信息", "教育统计年鉴分省学校数", "全国教师基本信息"}),
        ("学籍号", {"全国中小学生学籍信息"}),
        ("转学", {"全国中小学生学籍信息"}),
        ("火星", set()),
        ("", {"全国中小学生学籍信息", "全国教师基本信息", "教育统计年鉴分省学校数"}),
    ],
)
def test_chinese_queries(db, actors, catalog, q, expected):
    names, page = run(db, actors["catalog_reviewer"], q)
    assert set(names) == expected and page.total == len(expected)


def test_facets_count_the_filtered_set(db, actors, catalog):
    _names, page = run(db, actors["catalog_reviewer"])
    share = {label: n for _v, label, n in page.facets["share_type"]}
    assert share == {"有条件共享": 2, "无条件共享": 1}
    assert {label: n for _v, label, n in page.facets["has_pi"]} == {
        "含个人信息": 2,
        "不含个人信息": 1,
    }
    names, page = run(db, actors["catalog_reviewer"], "学", share_type="unconditional")
    assert names == ["教育统计年鉴分省学校数"]
    assert {label: n for _v, label, n in page.facets["grade"]} == {"一般数据": 1}


def test_edits_reindex(db, org, actors, catalog):
    with db.transaction() as session:
        code = (
            search.search(session, actors["catalog_reviewer"], search.Query(q="任教", statuses=()))
            .resources[0]
            .code
        )
        service.update(
            session,
            actors["data_steward"],
            code,
            entry(org, name="全国幼儿园保育员信息", summary="保育员", items=entry(org).items[:3]),
        )
    assert run(db, actors["catalog_reviewer"], "任教")[0] == []
    assert run(db, actors["catalog_reviewer"], "保育员")[0] == ["全国幼儿园保育员信息"]


def test_search_needs_catalog_read(db, actors, catalog):
    from hutong.core.errors import PermissionDenied

    with pytest.raises(PermissionDenied):
        run(db, actors["system_admin"], "学籍")


def test_facet_counts_agree_with_sql_and_follow_every_change(db, org, actors, catalog):
    from sqlalchemy import func, select

    from hutong.catalog.models import Resource

    def sql_counts():
        with db.sessions() as session:
            return dict(
                session.execute(
                    select(Resource.share_type, func.count()).group_by(Resource.share_type)
                ).all()
            )

    _names, page = run(db, actors["catalog_reviewer"])
    assert {v: n for v, _l, n in page.facets["share_type"]} == sql_counts()
    with db.transaction() as session:  # a new entry must show up at once (the snapshot is stale)
        service.create(
            session,
            actors["data_steward"],
            entry(
                org,
                name="新增无条件资源",
                grade="general",
                share_type="unconditional",
                has_pi=False,
                items=[{"name": "学校数", "data_type": "数值型"}],
            ),
        )
    names, page = run(db, actors["catalog_reviewer"], "新增")
    assert names == ["新增无条件资源"]
    _names, page = run(db, actors["catalog_reviewer"])
    assert (
        {v: n for v, _l, n in page.facets["share_type"]}
        == sql_counts()
        == {"conditional": 2, "unconditional": 2}
    )
