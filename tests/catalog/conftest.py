"""Catalog fixtures: a small classification tree and a valid entry to start from."""

from __future__ import annotations

import pytest

from hutong.catalog.schemas import ItemIn, ResourceIn
from hutong.catalog.service import add_classification
from hutong.identity.auth import actor_for
from hutong.identity.service import user_by_name


@pytest.fixture
def actors(db, org):
    """Actors by role name, built from the org fixture's users."""
    with db.sessions() as session:
        return {
            name: actor_for(user_by_name(session, name.replace("_", ".")))
            for name in (
                "data_steward",
                "catalog_reviewer",
                "data_consumer",
                "system_admin",
                "security_admin",
                "auditor",
                "publisher",
            )
        }


@pytest.fixture
def classes(db, actors):
    """类 3 部门信息资源 > 项 301 教师 > 目 30101 教师基本信息; and 项 302 学生."""
    with db.transaction() as session:
        reviewer = actors["catalog_reviewer"]
        add_classification(session, reviewer, "3", "部门信息资源")
        add_classification(session, reviewer, "301", "教师", "3")
        add_classification(session, reviewer, "30101", "教师基本信息", "301")
        add_classification(session, reviewer, "302", "学生", "3")
    return ["30101", "302"]


def entry(org, **changes) -> ResourceIn:
    """A valid conditional-share teacher entry of the steward's unit (教师工作司)."""
    base = dict(
        classification_code="30101",
        attribute="department",
        name="全国教师基本信息",
        provider_unit_code=org.dept_a,
        summary="全国中小学教师的基本信息，含姓名、性别、出生日期、学历与任教学科。",
        format="database",
        share_type="conditional",
        share_conditions="用于教师队伍建设管理",
        share_method="共享平台接口",
        open_type="not_open",
        update_cycle="monthly",
        data_kind="administrative",
        grade="important",
        has_pi=True,
        approx_persons=18_000_000,
        items=[
            ItemIn(
                name="姓名",
                data_type="字符型",
                length=50,
                pi_category="identity",
                default_mask="partial",
            ),
            ItemIn(name="性别", data_type="代码型", length=1),
            ItemIn(
                name="出生日期",
                data_type="日期型",
                pi_category="identity",
                default_mask="generalize",
            ),
            ItemIn(name="任教学科", data_type="字符型", length=20),
        ],
    )
    base.update(changes)
    return ResourceIn.model_validate(base)
