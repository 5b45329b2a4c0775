"""The exchange follows the catalog version in force: a loosening change waits for review
before any grant or instant access comes of it, and a version that no longer allows a grant
(a tightening at once, or an approved revision) suspends it and tells its holders."""

from __future__ import annotations

import pytest
from sqlalchemy import select

from hutong.audit.models import AuditEvent
from hutong.catalog import service, workflow
from hutong.catalog.schemas import ResourceIn
from hutong.exchange.models import Grant, Notification
from hutong.identity.service import user_by_name
from tests.exchange.conftest import ITEMS, PLAIN, apply, granted, ingest, publish

BASIS = "《中华人民共和国统计法》第三十九条"


def change(db, actor, code, **changes):
    with db.sessions() as session:
        now = service.out(service.by_code(session, code)).model_dump()
    with db.transaction() as session:
        service.update(session, actor, code, ResourceIn.model_validate({**now, **changes}))


def approve(db, people, code, number=1):
    with db.transaction() as session:
        workflow.decide_revision(session, people["reviewer"], code, number, "approve")


def grant_row(db, code) -> Grant:
    with db.sessions() as session:
        return session.scalar(select(Grant).where(Grant.code == code))


def query(client, headers, code):
    return client.post(f"/api/v1/data/{code}/query", json={"items": ["性别"]}, headers=headers)


def told(db, username) -> list[str]:
    with db.sessions() as session:
        user = user_by_name(session, username)
        return session.scalars(
            select(Notification.text).where(Notification.user_id == user.id)
        ).all()


@pytest.fixture
def grant(db, people, students, tmp_path):
    return granted(db, people, students, tmp_path)


def test_a_change_to_not_shared_applies_at_once_and_suspends_the_grants(
    client, consumer_headers, db, people, students, grant
):
    assert query(client, consumer_headers, students).status_code == 200
    change(db, people["steward"], students, share_type="not_shared", share_legal_basis=BASIS)
    row = grant_row(db, grant)
    assert row.status == "suspended" and row.suspend_reason == "信息资源已改为不予共享"
    assert any(grant in text and "已暂停" in text for text in told(db, "data.consumer"))
    refused = query(client, consumer_headers, students)
    assert refused.status_code == 403 and refused.json()["title"] == "grant-suspended"
    assert "不予共享" in refused.json()["detail_zh"]
    with db.sessions() as session:
        assert session.scalars(
            select(AuditEvent.actor_name).where(AuditEvent.event == "grant.suspend")
        ).all() == ["data.steward"]


def test_a_pending_revision_leaves_grants_alone_and_its_approval_suspends_what_it_drops(
    client, consumer_headers, db, people, students, grant
):
    kept = [i for i in ITEMS if i.name != "出生日期"]  # a granted item leaves the entry …
    more = {"name": "户籍所在地", "data_type": "代码型", "length": 6}  # … as one is added
    change(db, people["steward"], students, items=[*kept, more])
    assert grant_row(db, grant).status == "active"
    assert query(client, consumer_headers, students).status_code == 200
    approve(db, people, students)
    row = grant_row(db, grant)
    assert row.status == "suspended" and row.suspend_reason == "信息项「出生日期」已不在目录中"
    assert query(client, consumer_headers, students).json()["title"] == "grant-suspended"


def test_unconditional_access_comes_only_with_the_approved_revision(db, people, org, tmp_path):
    code = publish(db, people, org, name="学校性别统计", **PLAIN)
    change(db, people["steward"], code, share_type="unconditional")
    first = apply(db, people["consumer"], code, items=["性别"], row_filter=[])
    approve(db, people, code)
    second = apply(db, people["consumer"], code, items=["性别"], row_filter=[])
    with db.sessions() as session:
        from hutong.exchange.models import Application

        states = [session.get(Application, i).status for i in (first, second)]
    assert states == ["submitted", "granted"]  # the provider still decides the first


def test_instant_grants_are_suspended_when_the_entry_becomes_conditional(db, people, org, tmp_path):
    code = publish(db, people, org, name="学校性别名录", share_type="unconditional", **PLAIN)
    ingest(db, people, code, tmp_path, [("1", "110105")], ["性别", "行政区划"])
    apply(db, people["consumer"], code, items=["性别"], row_filter=[])
    change(db, people["steward"], code, share_type="conditional")
    with db.sessions() as session:
        (row,) = session.scalars(select(Grant)).all()
    assert row.status == "suspended" and "须经提供方审核" in row.suspend_reason


def test_the_provider_resumes_a_grant_once_the_entry_allows_it_again(
    client, consumer_headers, steward_headers, db, people, students, grant
):
    change(db, people["steward"], students, items=[i for i in ITEMS if i.name != "出生日期"])
    early = client.post(f"/api/v1/grants/{grant}/resume", headers=steward_headers)
    assert early.status_code == 409 and "出生日期" in early.json()["detail_zh"]
    assert (
        client.post(f"/api/v1/grants/{grant}/resume", headers=consumer_headers).status_code == 403
    )
    narrowed = client.post(
        f"/api/v1/grants/{grant}/narrow",
        json={
            "items": [{"name": "身份证号"}, {"name": "姓名"}, {"name": "性别"}],
            "reason": "目录已删除出生日期",
        },
        headers=steward_headers,
    )
    assert narrowed.status_code == 200 and narrowed.json()["state"] == "suspended"
    resumed = client.post(f"/api/v1/grants/{grant}/resume", headers=steward_headers)
    assert resumed.status_code == 200 and resumed.json()["state"] == "active"
    assert query(client, consumer_headers, students).status_code == 200


def test_the_console_shows_a_suspended_grant_and_its_provider_resumes_it(
    client, db, people, org, students, grant
):
    from tests.web.test_console import csrf, sign_in

    change(db, people["steward"], students, share_type="not_shared", share_legal_basis=BASIS)
    sign_in(client, "data.steward", org.password)
    listed = client.get("/console/exchange/grants")
    assert "已暂停" in listed.text and "信息资源已改为不予共享" in listed.text
    resume = f"/console/exchange/grants/{grant}/resume"
    refused = client.post(resume, data={"csrf_token": csrf(listed.text)}, follow_redirects=True)
    assert "目录现行版本仍不允许该授权：信息资源已改为不予共享" in refused.text
    change(db, people["steward"], students, share_type="conditional")  # loosens: a revision
    approve(db, people, students)
    resumed = client.post(resume, data={"csrf_token": csrf(listed.text)}, follow_redirects=True)
    assert grant_row(db, grant).status == "active" and "已暂停" not in resumed.text
