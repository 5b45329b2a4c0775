"""一数一源 (M2018 §8, N2021 task 4): registering an item another unit already provides needs a
recorded justification; the catalog reviewer lists every overlap."""

from __future__ import annotations

import json

import pytest
from sqlalchemy import func, select

from hutong.audit.models import AuditEvent
from hutong.catalog import overlaps, service, transfer, workbook
from hutong.catalog.models import OverlapJustification, Resource, name_key
from hutong.core.errors import ImportRejected, InvalidInput, PermissionDenied
from tests.support import entry, publish, published

TEACHER_ITEMS = [
    {"name": "姓名", "data_type": "字符型", "pi_category": "identity"},
    {
        "name": "身份证件号",
        "data_type": "字符型",
        "element_ref": "DE0002",
        "pi_category": "identity",
    },
    {"name": "任教学科", "data_type": "字符型"},
]


@pytest.fixture
def national(db, org, classes, actors):
    """The ministry's published teacher entry: the source of its items."""
    return published(db, actors, entry(org, items=TEACHER_ITEMS))


def provincial(org, subject_type="代码型", **changes):
    items = [
        {"name": " 姓 名", "data_type": "字符型"},  # the same name once normalised
        {"name": "公民身份号码", "data_type": "字符型", "element_ref": "DE0002"},  # same element
        {"name": "任教学科", "data_type": subject_type},  # 代码型: not the national 字符型 item
        {"name": "教龄", "data_type": "数值型"},
    ]
    changes = {"name": "北京市中小学教师信息", **changes}
    return entry(org, provider_unit_code=org.province, items=items, **changes)


def count(db, model):
    with db.sessions() as session:
        return session.scalar(select(func.count()).select_from(model))


def test_names_are_compared_normalised():
    assert name_key(" 姓 名") == name_key("姓名") == "姓名"
    assert name_key("Ｅ-mail 地址") == name_key("e_mail地址（）")


def test_an_item_another_unit_provides_needs_a_justification(
    db, org, actors, national, province_steward
):
    with pytest.raises(InvalidInput) as info, db.transaction() as session:
        service.create(session, province_steward, provincial(org))
    error = info.value
    assert error.field == "overlap_justification" and "一数一源" in error.zh
    assert [(o["item"], o["matched_by"]) for o in error.extra["overlaps"]] == [
        (" 姓 名", "name"),
        ("公民身份号码", "element"),
    ]
    assert all(o["source_code"] == national for o in error.extra["overlaps"])
    assert count(db, Resource) == 1 and count(db, OverlapJustification) == 0  # nothing saved

    why = "北京市教师管理系统按月与全国系统同步，本市业务以此为源"
    with db.transaction() as session:
        code = service.create(
            session, province_steward, provincial(org, overlap_justification=why)
        ).code
    with db.sessions() as session:
        rows = session.scalars(select(OverlapJustification)).all()
        audited = session.scalars(
            select(AuditEvent).where(AuditEvent.event == "catalog.overlap_justify")
        ).all()
    assert {(r.item_name, r.justification, r.recorded_by) for r in rows} == {
        (" 姓 名", why, "steward.bj"),
        ("公民身份号码", why, "steward.bj"),
    }
    assert len(audited) == 1 and audited[0].target_id == code and audited[0].rows == 2

    # A later edit keeps the recorded justifications; a newly overlapping item needs its own.
    with db.transaction() as session:
        service.update(session, province_steward, code, provincial(org, summary="按月同步。"))
    with pytest.raises(InvalidInput) as again, db.transaction() as session:
        service.update(session, province_steward, code, provincial(org, subject_type="字符型"))
    assert [o["item"] for o in again.value.extra["overlaps"]] == ["任教学科"]


def test_own_unit_entries_and_the_source_itself_need_no_justification(
    db, org, actors, national, province_steward
):
    with db.transaction() as session:  # the same unit registers the items again: no overlap
        service.create(session, actors["data_steward"], entry(org, name="教师资格信息"))
    why = "本市系统为数据源"
    with db.transaction() as session:
        service.create(session, province_steward, provincial(org, overlap_justification=why))
    with db.transaction() as session:  # the earlier source is edited: nothing to justify
        service.update(session, actors["data_steward"], national, entry(org, items=TEACHER_ITEMS))


def test_reviewer_lists_overlaps_with_and_without_justification(
    db, org, classes, actors, province_steward
):
    with db.transaction() as session:  # the province registers first, while nothing is published
        early = service.create(session, province_steward, provincial(org)).code
        source = service.create(session, actors["data_steward"], entry(org, items=TEACHER_ITEMS))
        later = service.create(
            session, actors["data_steward"], entry(org, name="教师资格信息", items=TEACHER_ITEMS)
        )
    publish(db, actors, source.code)  # published first, but the province's entry is older
    with db.transaction() as session:
        third = service.create(
            session,
            province_steward,
            provincial(org, name="北京市教师培训信息", overlap_justification="培训系统另行采集"),
        ).code
    with db.transaction() as session:
        total, rows = overlaps.listing(session, actors["catalog_reviewer"])
        missing_total, missing = overlaps.listing(
            session, actors["catalog_reviewer"], missing_only=True
        )
    assert total == 2 and {r.code for r in rows} == {third}  # `early` predates the source
    assert {r.item for r in rows} == {" 姓 名", "公民身份号码"}
    assert all(r.source_code == source.code and r.justification == "培训系统另行采集" for r in rows)
    assert missing_total == 0 and missing == []
    assert later and early  # same unit as the source / older than it: not listed
    with pytest.raises(PermissionDenied), db.transaction() as session:
        overlaps.listing(session, province_steward)


def test_an_entry_becomes_an_overlap_when_an_older_source_is_published(
    db, org, classes, actors, province_steward
):
    with db.transaction() as session:
        source = service.create(session, actors["data_steward"], entry(org, items=TEACHER_ITEMS))
        late = service.create(session, province_steward, provincial(org)).code  # nothing published
    publish(db, actors, source.code)
    with db.transaction() as session:
        total, rows = overlaps.listing(session, actors["catalog_reviewer"], missing_only=True)
    assert total == 2 and {r.code for r in rows} == {late}
    assert all(r.justification is None for r in rows)
    with pytest.raises(InvalidInput), db.transaction() as session:  # its next save must say why
        service.update(session, province_steward, late, provincial(org, summary="更新"))


def test_import_needs_the_justification_column_for_overlapping_entries(
    db, org, actors, national, province_steward
):
    body = provincial(org).model_dump(mode="json")
    content = json.dumps([body], ensure_ascii=False).encode()
    with pytest.raises(ImportRejected) as info, db.transaction() as session:
        transfer.import_entries(session, province_steward, workbook.parse(content, "json"), "json")
    assert info.value.problems[0]["column"] == "overlap_justification"
    assert count(db, Resource) == 1
    body["overlap_justification"] = "本市系统为数据源"
    content = json.dumps([body], ensure_ascii=False).encode()
    with db.transaction() as session:
        transfer.import_entries(session, province_steward, workbook.parse(content, "json"), "json")
    assert count(db, OverlapJustification) == 2
