"""Notifications store what they are about (``kind:id``), never a URL; the console links each
to the page that shows its subject, and every such link opens for the person told."""

from __future__ import annotations

import re
import sqlite3

from alembic import command
from sqlalchemy import select, text

from hutong.core.db import Database
from hutong.core.refs import Ref
from hutong.exchange import feedback
from hutong.exchange.models import Notification
from hutong.exchange.schemas import AnswerIn, CorrectionIn, ProvisionIn
from hutong.identity.service import user_by_name
from hutong.migrations import alembic_config
from hutong.web.links import CONSOLE, console_link
from tests.conftest import make_settings
from tests.exchange.conftest import granted
from tests.web.test_console import sign_in


def test_a_subject_reference_becomes_the_console_page_that_shows_it():
    assert console_link("share_application:12") == "/console/exchange/a/12"
    assert console_link(Ref("grant", "G01AB")) == "/console/exchange/grants#grant-G01AB"
    assert console_link("corrections:30101/000001") == "/console/catalog/r/30101/000001#corrections"
    assert [console_link(s) for s in ("", None, "nothing", "unknown:1", "grant:")] == [""] * 5


def test_every_notification_opens_the_page_that_shows_its_subject(
    db, people, org, students, tmp_path, client
):
    grant = granted(db, people, students, tmp_path)
    with db.transaction() as session:
        provision = feedback.request_provision(
            session,
            people["consumer"],
            ProvisionIn(grant=grant, recipient="某市教育局", purpose="联合核查", scope="汇总表"),
        ).id
    with db.transaction() as session:
        feedback.answer_provision(
            session, people["steward"], provision, AnswerIn(approve=False, answer="不同意")
        )
    with db.transaction() as session:
        report = feedback.report_correction(
            session,
            people["consumer"],
            students,
            CorrectionIn(row_keys=["1"], item="出生日期", description="出生日期与学籍不符"),
        ).id
    with db.transaction() as session:
        feedback.answer_correction(session, people["steward"], report, AnswerIn(answer="已更正"))

    with db.sessions() as session:
        subjects = set(session.scalars(select(Notification.subject)))
    assert all(not s.startswith("/") for s in subjects)  # no URL is stored
    assert {Ref.parse(s).kind for s in subjects if s} == set(CONSOLE)
    assert f"grant:{grant}" in subjects  # the external-provision request and its answer

    for username in ("data.steward", "data.consumer"):
        with db.sessions() as session:
            user = user_by_name(session, username)
            told = session.scalars(
                select(Notification.subject).where(Notification.user_id == user.id)
            ).all()
        client.cookies.clear()
        sign_in(client, username, org.password)
        listed = client.get("/console/notifications").text
        hrefs = re.findall(r'<li>(?:<strong>)?[^<]* · <a href="([^"]+)">', listed)
        assert sorted(hrefs) == sorted(console_link(s) for s in told if s)
        for href in set(hrefs):
            path, _, anchor = href.partition("#")
            shown = client.get(path)
            assert shown.status_code == 200, href
            if anchor:
                assert f'id="{anchor}"' in shown.text, href


def test_stored_paths_become_subject_references_and_back(tmp_path):
    """Migration 0022: a path that named a subject becomes its reference; a path that named
    none (the grant list, the request page no route served) becomes no subject."""
    db = Database(make_settings(tmp_path, None))
    config = alembic_config(db)
    command.upgrade(config, "0016")
    paths = [
        "/console/exchange/a/12",
        "/console/catalog/r/30101/000001#corrections",
        "/console/exchange/grants",
        "/console/exchange/requests",
        "",
    ]
    with sqlite3.connect(tmp_path / "hutong.db") as raw:  # no users: foreign keys are off here
        raw.executemany(
            "INSERT INTO exchange_notifications (user_id, kind, text, link, created_at) "
            "VALUES (1, 'share', 'x', ?, '2026-01-01')",
            [(p,) for p in paths],
        )
    command.upgrade(config, "head")
    with db.engine.connect() as connection:
        subjects = connection.scalars(
            text("SELECT subject FROM exchange_notifications ORDER BY id")
        )
        assert list(subjects) == ["share_application:12", "corrections:30101/000001", "", "", ""]
    command.downgrade(config, "0016")
    with db.engine.connect() as connection:
        links = connection.scalars(text("SELECT link FROM exchange_notifications ORDER BY id"))
        assert list(links) == [*paths[:2], "", "", ""]
    db.dispose()
