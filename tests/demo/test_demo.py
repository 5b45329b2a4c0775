"""`hutong demo`: a valid organisation, one account per role, idempotent, secrets kept private."""

from __future__ import annotations

import json
import stat

from sqlalchemy import func, select

from hutong.core.identifiers import is_school_code, is_uscc
from hutong.demo.org_data import DEMO_USERS, all_units
from hutong.demo.seed import seed
from hutong.identity.models import Unit, User
from hutong.identity.roles import THREE_OFFICERS, Role

SMALL = 500  # pupils in the demo datasets: enough for every kind of row, fast to ingest


def test_org_data_is_valid_and_parents_come_first():
    units = all_units(300)
    codes = [u.code for u in units]
    assert len(codes) == len(set(codes))
    seen: set[str] = set()
    for unit in units:
        assert unit.parent_code is None or unit.parent_code in seen, unit
        seen.add(unit.code)
        if unit.kind == "school":
            assert is_school_code(unit.code)
            assert (
                unit.parent_code[2:4] == unit.code[2:4]
            )  # the province of the code is the parent's
        elif unit.kind != "ministry_department":
            assert is_uscc(unit.code)
    assert sum(u.kind == "provincial_department" for u in units) == 31
    assert sum(u.kind == "school" for u in units) == 300
    assert all_units(300) == units  # deterministic


def test_every_role_has_a_demo_account_and_no_one_holds_two_officer_roles():
    roles = {r for user in DEMO_USERS for r in user.roles}
    assert roles == {r.value for r in Role}
    assert all(len(set(u.roles) & THREE_OFFICERS) <= 1 for u in DEMO_USERS)


def test_seed_is_idempotent_and_writes_a_private_accounts_file(db):
    path = seed(db, schools=40, students=SMALL)
    first = json.loads(path.read_text(encoding="utf-8"))
    assert stat.S_IMODE(path.stat().st_mode) == 0o600
    assert {u.username for u in DEMO_USERS} <= set(first)
    assert all(
        "totp_secret" in first[u.username] for u in DEMO_USERS if set(u.roles) & THREE_OFFICERS
    )
    seed(db, schools=40, students=SMALL)
    assert json.loads(path.read_text(encoding="utf-8")) == first
    with db.sessions() as session:
        assert session.scalar(select(func.count()).select_from(User)) == len(first)
        assert session.scalar(select(func.count()).select_from(Unit)) == len(all_units(40))


def test_demo_catalog_covers_every_sharing_and_disclosure_type_through_the_workflow(db):
    from hutong.catalog.models import Resource

    seed(db, schools=40, students=SMALL)
    with db.sessions() as session:
        rows = session.execute(
            select(
                Resource.share_type, Resource.open_type, Resource.status, Resource.provider_unit_id
            )
        ).all()
    assert len(rows) >= 100
    assert {r.share_type for r in rows} == {"unconditional", "conditional", "not_shared"}
    assert {r.open_type for r in rows} == {"proactive", "on_request", "not_open"}
    assert {"draft", "submitted", "returned", "published"} <= {r.status for r in rows}
    assert len({r.provider_unit_id for r in rows}) >= 20
    seed(db, schools=40, students=SMALL)
    with db.sessions() as session:
        assert session.scalar(select(func.count()).select_from(Resource)) == len(rows)


def test_demo_seeds_applications_in_every_state_including_one_overdue(db):
    from hutong.exchange.models import Application
    from hutong.exchange.vocab import AppStatus

    seed(db, schools=40, students=SMALL)
    with db.sessions() as session:
        rows = session.execute(select(Application.status, Application.due_date)).all()
    assert {r.status for r in rows} == {s.value for s in AppStatus}
    from hutong.core.clock import today_local

    assert any(r.status == "submitted" and r.due_date < today_local() for r in rows)
    seed(db, schools=40, students=SMALL)
    with db.sessions() as session:
        assert session.scalar(select(func.count()).select_from(Application)) == len(rows)


def test_demo_seeds_consents_with_guardians_and_withdrawals_an_extract_and_complaints(db):
    from hutong.privacy.models import CollectionNotice, Complaint, Consent, Extract

    seed(db, schools=40, students=SMALL)
    with db.sessions() as session:
        consents = session.scalars(select(Consent)).all()
        versions = session.scalars(select(CollectionNotice.version)).all()
        extract = session.scalars(select(Extract)).one()
        complaints = session.scalar(select(func.count()).select_from(Complaint))
    assert {c.given_by for c in consents} == {"subject", "guardian"}
    assert sum(c.withdrawn_at is not None for c in consents) == 5
    assert sorted(versions) == [1, 2]  # a purpose was added: version 1's consents need renewal
    assert extract.state == "produced" and extract.rows > 0 and complaints == 2
