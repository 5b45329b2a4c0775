"""Shared fixtures: a migrated database per test on SQLite (default) or PostgreSQL.

Set HUTONG_TEST_DATABASE_URL to a PostgreSQL server URL (any database on it, e.g.
``postgresql+psycopg://postgres@127.0.0.1:5432/postgres``) to run the suite there; each
xdist worker gets its own database, emptied between tests.
"""

from __future__ import annotations

import os
import shutil
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

import pytest
from sqlalchemy import create_engine, text
from sqlalchemy.engine import make_url

from hutong.catalog.service import add_classification
from hutong.core.db import Base, Database
from hutong.core.settings import Settings
from hutong.identity.auth import actor_for
from hutong.identity.authz import Actor, system_actor
from hutong.identity.service import user_by_name
from hutong.migrations import upgrade
from hutong.wiring import wire

PG_URL = os.environ.get("HUTONG_TEST_DATABASE_URL")
FAST_ARGON2 = {"argon2_time_cost": 1, "argon2_memory_kib": 1024}

wire()  # domain events reach their subscribers, as in every process Hutong starts


def make_settings(data_dir: Path, database_url: str | None, **overrides: object) -> Settings:
    return Settings(data_dir=data_dir, database_url=database_url, **{**FAST_ARGON2, **overrides})


@pytest.fixture(scope="session")
def database_template(tmp_path_factory: pytest.TempPathFactory, worker_id: str) -> str:
    """A migrated database: a SQLite file to copy, or a PostgreSQL URL to truncate."""
    if PG_URL:
        url = make_url(PG_URL)
        name = f"hutong_test_{worker_id}"
        admin = create_engine(url, isolation_level="AUTOCOMMIT")
        with admin.connect() as connection:
            connection.execute(text(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))
            connection.execute(text(f'CREATE DATABASE "{name}"'))
        admin.dispose()
        target = url.set(database=name).render_as_string(hide_password=False)
    else:
        target = f"sqlite:///{tmp_path_factory.mktemp('template') / 'hutong.db'}"
    db = Database(make_settings(tmp_path_factory.mktemp("template-data"), target))
    upgrade(db)
    db.dispose()
    return target


@pytest.fixture
def settings(tmp_path: Path, database_template: str) -> Settings:
    if PG_URL:
        engine = create_engine(database_template)
        with engine.begin() as connection:
            names = ", ".join(f'"{t.name}"' for t in Base.metadata.sorted_tables)
            connection.execute(text(f"TRUNCATE {names} RESTART IDENTITY CASCADE"))
        engine.dispose()
        return make_settings(tmp_path / "data", database_template)
    data = tmp_path / "data"
    data.mkdir()
    shutil.copy(make_url(database_template).database, data / "hutong.db")
    return make_settings(data, None)


@pytest.fixture
def db(settings: Settings) -> Iterator[Database]:
    database = Database(settings)
    yield database
    database.dispose()


@pytest.fixture
def system() -> Actor:
    return system_actor("test")


@dataclass
class Org:
    """A small organisation: units and one user per role, with a shared strong password."""

    password: str
    ministry: str
    dept_a: str
    dept_b: str
    province: str
    school: str


ORG_PASSWORD = "Correct-Horse-42"
ROLE_HOMES = {
    "system_admin": "dept_a",
    "security_admin": "dept_a",
    "auditor": "dept_a",
    "catalog_reviewer": "dept_b",
    "security_reviewer": "dept_b",
    "data_steward": "dept_a",
    "data_consumer": "province",
    "publisher": "dept_b",
    "pi_officer": "dept_a",
}


@pytest.fixture
def org(db: Database, system: Actor) -> Org:
    """Units MOE > (FGS, JSGZS, 北京市教委 > a school) and users named after their roles."""
    from hutong.core.identifiers import uscc_with_check
    from hutong.identity.models import UnitKind
    from hutong.identity.schemas import UnitCreate, UserCreate
    from hutong.identity.service import create_unit, create_user

    province_code = uscc_with_check("11110000" + "000012345")
    org = Org(ORG_PASSWORD, "MOE", "MOE-JSGZS", "MOE-FGS", province_code, "4111010001")
    units = [
        UnitCreate(code="MOE", name="中华人民共和国教育部", kind=UnitKind.MINISTRY_DEPARTMENT),
        UnitCreate(
            code="MOE-JSGZS",
            name="教师工作司",
            kind=UnitKind.MINISTRY_DEPARTMENT,
            parent_code="MOE",
        ),
        UnitCreate(
            code="MOE-FGS", name="发展规划司", kind=UnitKind.MINISTRY_DEPARTMENT, parent_code="MOE"
        ),
        UnitCreate(
            code=province_code,
            name="北京市教育委员会",
            kind=UnitKind.PROVINCIAL_DEPARTMENT,
            parent_code="MOE",
        ),
        UnitCreate(
            code="4111010001", name="北京大学", kind=UnitKind.SCHOOL, parent_code=province_code
        ),
    ]
    with db.transaction() as session:
        for unit in units:
            create_unit(session, system, unit)
        for role, home in ROLE_HOMES.items():
            create_user(
                session,
                system,
                UserCreate(
                    username=role.replace("_", "."),
                    display_name=role,
                    unit_code=getattr(org, home),
                    roles=[role],
                    password=ORG_PASSWORD,
                ),
            )
    return org


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
                "security_reviewer",
            )
        }


@pytest.fixture
def province_steward(db, org, system) -> Actor:
    """A data steward of the provincial department (another unit than ``data.steward``)."""
    from hutong.identity.schemas import UserCreate
    from hutong.identity.service import create_user

    with db.transaction() as session:
        create_user(
            session,
            system,
            UserCreate(
                username="steward.bj",
                display_name="北京数据管理员",
                unit_code=org.province,
                roles=["data_steward"],
                password=org.password,
            ),
        )
        return actor_for(user_by_name(session, "steward.bj"))


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
