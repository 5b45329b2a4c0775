"""A published student entry of 教师工作司 (the steward's unit) with data, and actors on
every side of an application: the consumer of 北京市教委, the provider's steward, the
security reviewer and catalog reviewer of 发展规划司, and a steward of the consumer's unit."""

from __future__ import annotations

from datetime import UTC, datetime
from pathlib import Path

import pytest

from hutong.catalog import service, workflow
from hutong.catalog.schemas import ItemIn
from hutong.core import clock
from hutong.data.ingest import ingest_file
from hutong.exchange import applications
from hutong.exchange.schemas import ApplicationIn
from hutong.identity.auth import actor_for
from hutong.identity.schemas import UserCreate
from hutong.identity.service import create_user, user_by_name
from tests.support import client, entry  # noqa: F401  (client: fixture)

ITEMS = [
    ItemIn(name="身份证号", data_type="字符型", pi_category="identity", default_mask="partial"),
    ItemIn(name="姓名", data_type="字符型", pi_category="identity", default_mask="partial"),
    ItemIn(name="出生日期", data_type="日期型", pi_category="identity", default_mask="generalize"),
    ItemIn(name="性别", data_type="代码型"),
    ItemIn(name="行政区划", data_type="代码型"),
    ItemIn(name="民族", data_type="代码型", pi_category="ethnicity"),
]
ROWS = [
    ("110105200805120018", "张伟", "2008-05-12", "1", "110105", "01"),
    ("110108200901010029", "李娜", "2009-01-01", "2", "110108", "01"),
    ("32010220080808004X", "刘洋", "2008-08-08", "1", "320102", "03"),
]
PLAIN = dict(
    has_pi=False,
    grade="general",
    approx_persons=None,
    items=[ItemIn(name="性别", data_type="代码型"), ItemIn(name="行政区划", data_type="代码型")],
)


@pytest.fixture
def people(db, org, classes):
    """Actors by role, plus ``home_steward``: a steward of the consumer's own unit."""
    with db.transaction() as session:
        from hutong.identity.authz import system_actor

        create_user(
            session,
            system_actor("test"),
            UserCreate(
                username="steward.bj",
                display_name="steward.bj",
                unit_code=org.province,
                roles=["data_steward"],
                password=org.password,
            ),
        )
    names = {
        "steward": "data.steward",
        "consumer": "data.consumer",
        "security": "security.reviewer",
        "reviewer": "catalog.reviewer",
        "pi_officer": "pi.officer",
        "home_steward": "steward.bj",
        "publisher": "publisher",
    }
    with db.sessions() as session:
        return {k: actor_for(user_by_name(session, v)) for k, v in names.items()}


def publish(db, people, org, **changes) -> str:
    """Create, submit, approve and publish an entry of the steward's unit."""
    with db.transaction() as session:
        code = service.create(session, people["steward"], entry(org, **changes)).code
    for step, who in (("submit", "steward"), ("approve", "reviewer"), ("publish", "steward")):
        with db.transaction() as session:
            workflow.transition(session, people[who], code, step)
    return code


def ingest(db, people, code: str, tmp_path: Path, rows=ROWS, header=None) -> None:
    header = header or [i.name for i in ITEMS]
    path = tmp_path / "data.csv"
    lines = [",".join(header)] + [",".join(r) for r in rows]
    path.write_text("\n".join(lines) + "\n", encoding="utf-8")
    ingest_file(db, people["steward"], code, path)


@pytest.fixture
def students(db, people, org, tmp_path) -> str:
    """有条件共享 students with PI of 18 million persons (important): every gate but children."""
    code = publish(
        db,
        people,
        org,
        name="全国学生基本信息",
        items=ITEMS,
        grade="important",
        approx_persons=18_000_000,
    )
    ingest(db, people, code, tmp_path)
    return code


@pytest.fixture
def plain(db, people, org, tmp_path) -> str:
    """有条件共享, general, no PI: the provider's approval grants at once."""
    code = publish(db, people, org, name="学校性别统计", **PLAIN)
    ingest(db, people, code, tmp_path, [(r[3], r[4]) for r in ROWS], ["性别", "行政区划"])
    return code


#: Rows of ``many``: enough that a join of the dataset with itself is expensive; the last ten
#: 编号 are not numbers, so a CAST fails only late in the rows.
MANY_ROWS = 20_000


@pytest.fixture
def many(db, people, org, tmp_path) -> str:
    """有条件共享, general, no PI, 20,000 rows of 性别 and 编号; granted to the consumer with
    file delivery. Returns the entry's code."""
    items = [ItemIn(name="性别", data_type="代码型"), ItemIn(name="编号", data_type="字符型")]
    code = publish(db, people, org, name="学生编号表", **{**PLAIN, "items": items})
    numbers = [f"{i:06d}" for i in range(MANY_ROWS - 10)] + [f"x{i}" for i in range(10)]
    ingest(db, people, code, tmp_path, [("1", n) for n in numbers], ["性别", "编号"])
    granted(
        db,
        people,
        code,
        tmp_path,
        items=["性别", "编号"],
        row_filter=[],
        access_mode="file_delivery",
    )
    return code


def application(code: str, **changes) -> ApplicationIn:
    base = dict(
        resource_code=code,
        purpose="核查本省学生学籍信息的一致性",
        purpose_category="verification",
        items=["身份证号", "姓名", "出生日期", "性别"],
        row_filter=[{"op": "prefix", "item": "行政区划", "value": "11"}],
        access_mode="online_only",
        security_measures="专网访问，专人负责，用后不存",
    )
    base.update(changes)
    return ApplicationIn.model_validate(base)


def apply(db, actor, code, **changes):
    with db.transaction() as session:
        return applications.submit(session, actor, application(code, **changes)).id


def step(db, actor, app_id, name, reason="", approval=None) -> str:
    with db.transaction() as session:
        return applications.transition(session, actor, app_id, name, reason, approval).status


def at(monkeypatch, moment: datetime) -> None:
    """Freeze the exchange's clock (``hutong.core.clock.utcnow``) at ``moment``."""
    monkeypatch.setattr(clock, "utcnow", lambda: moment.astimezone(UTC))


AGREEMENT = {"signatories": ["教师工作司 张三", "北京市教委 李四"], "reference": "协议〔2026〕1号"}


def record(db, actor, app_id, kind, tmp_path, **fields):
    from datetime import date

    from hutong.exchange import documents
    from hutong.exchange.schemas import DocumentIn

    scan = tmp_path / f"{kind}.pdf"
    scan.write_bytes(b"%PDF-1.4 scanned " + kind.encode())
    data = {"kind": kind, "signed_on": date(2026, 1, 5), **fields}
    with db.transaction() as session:
        return documents.record_document(
            session, actor, app_id, DocumentIn.model_validate(data), scan, scan.name
        ).status


def granted(db, people, code, tmp_path, approval=None, **changes) -> str:
    """Apply, approve (with ``approval``), pass every gate; returns the grant code."""
    from sqlalchemy import select

    from hutong.exchange.models import Grant
    from hutong.exchange.schemas import ApprovalIn

    app_id = apply(db, people["consumer"], code, **changes)
    status = step(
        db,
        people["steward"],
        app_id,
        "approve",
        approval=ApprovalIn.model_validate(approval or {}),
    )
    if status == "security_review":
        status = step(db, people["security"], app_id, "security_approve")
    if status == "awaiting_documents":
        record(db, people["steward"], app_id, "agreement", tmp_path, **AGREEMENT)
        status = record(
            db,
            people["steward"],
            app_id,
            "provincial_approval",
            tmp_path,
            reference="北京市教育委员会 京教函〔2026〕8号",
        )
    assert status == "granted"
    with db.sessions() as session:
        return session.scalar(select(Grant.code).where(Grant.application_id == app_id))


@pytest.fixture
def consumer_headers(client, db, org):  # noqa: F811
    from tests.support import bearer

    return bearer(client, db, "data.consumer", org.password)


@pytest.fixture
def steward_headers(client, db, org):  # noqa: F811
    from tests.support import bearer

    return bearer(client, db, "data.steward", org.password)
