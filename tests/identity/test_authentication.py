"""Password policy, lockout after 5 failures, TOTP for the 三员, separation of duties."""

from __future__ import annotations

import json
import time
from datetime import timedelta

import pyotp
import pytest
from sqlalchemy import select

from hutong.audit.models import AuditEvent
from hutong.core.clock import utcnow
from hutong.core.errors import (
    AccountLocked,
    AuthenticationFailed,
    InvalidInput,
    SecondFactorRequired,
    SeparationOfDuties,
)
from hutong.identity import auth
from hutong.identity.models import User
from hutong.identity.passwords import check_policy
from hutong.identity.schemas import UserCreate
from hutong.identity.service import create_user, set_roles, user_by_name
from tests.support import enrol_totp, previous


@pytest.mark.parametrize(
    ("password", "ok"),
    [
        ("Short-1a", False),
        ("alllowercase1", False),
        ("NoDigitsHere!", True),
        ("Abcdefghi1", True),
        ("abcdefghij", False),
        ("xx-Alice-2024", False),
    ],
)
def test_password_policy(password, ok):
    if ok:
        check_policy(password, "alice")
    else:
        with pytest.raises(InvalidInput) as info:
            check_policy(password, "alice")
        assert info.value.field == "password"


def login(db, username, password, totp=None):
    with db.transaction() as session:
        return auth.authenticate(session, username, password, totp).username


def login_events(db, outcome):
    with db.sessions() as session:
        return session.scalars(
            select(AuditEvent).where(
                AuditEvent.event == "auth.login", AuditEvent.outcome == outcome
            )
        ).all()


def test_account_locks_after_five_failures_and_unlocks_after_fifteen_minutes(db, org):
    for _ in range(5):
        with pytest.raises(AuthenticationFailed):
            login(db, "data.steward", "wrong-password")
    with pytest.raises(AccountLocked):  # even the right password is refused while locked
        login(db, "data.steward", org.password)
    assert len(login_events(db, "failed")) == 6
    with db.transaction() as session:
        user = user_by_name(session, "data.steward")
        remaining = (
            user.locked_until.replace(tzinfo=user.locked_until.tzinfo or utcnow().tzinfo) - utcnow()
        )
        assert timedelta(minutes=14) < remaining <= timedelta(minutes=15)
        user.locked_until = utcnow() - timedelta(seconds=1)  # fifteen minutes pass
        from hutong.audit.service import Category, record
        from hutong.identity.authz import system_actor

        record(session, system_actor("test"), "test.clock", category=Category.UPDATE)
    assert login(db, "data.steward", org.password) == "data.steward"


def test_four_failures_then_success_resets_the_counter(db, org):
    for _ in range(4):
        with pytest.raises(AuthenticationFailed):
            login(db, "data.steward", "wrong-password")
    login(db, "data.steward", org.password)
    for _ in range(4):
        with pytest.raises(AuthenticationFailed):
            login(db, "data.steward", "wrong-password")
    assert login(db, "data.steward", org.password) == "data.steward"


def test_unknown_user_login_is_audited_without_the_typed_name(db, org):
    with pytest.raises(AuthenticationFailed):
        login(db, "110105194912310021", "whatever-password")
    failed = login_events(db, "failed")
    assert len(failed) == 1
    assert (
        "110105194912310021" not in failed[0].actor_name + failed[0].target_id + failed[0].details
    )


@pytest.mark.parametrize("role", ["system_admin", "security_admin", "auditor"])
def test_officers_need_totp(db, org, role):
    username = role.replace("_", ".")
    with pytest.raises(SecondFactorRequired):  # not enrolled yet: no way in through the API
        login(db, username, org.password)
    with db.transaction() as session:
        user = user_by_name(session, username)
        uri = auth.begin_totp_enrolment(session, user)
    secret = pyotp.parse_uri(uri).secret
    with db.transaction() as session:
        auth.confirm_totp_enrolment(
            session, user_by_name(session, username), previous(pyotp.TOTP(secret))
        )
    with pytest.raises(SecondFactorRequired):
        login(db, username, org.password)
    with pytest.raises(SecondFactorRequired):
        login(
            db,
            username,
            org.password,
            "000000" if pyotp.TOTP(secret).now() != "000000" else "111111",
        )
    assert login(db, username, org.password, pyotp.TOTP(secret).now()) == username


def test_a_totp_code_is_accepted_once_and_the_next_steps_code_is_accepted(db, org):
    """RFC 6238 §5.2: the same valid code signs in once; its replay within the window is
    refused and audited as a failed login; the next time step's code still signs in."""
    totp = enrol_totp(db, "auditor")
    now = time.time()
    code = totp.at(now)
    assert login(db, "auditor", org.password, code) == "auditor"
    with pytest.raises(SecondFactorRequired) as replayed:
        login(db, "auditor", org.password, code)
    assert replayed.value.field == "totp" and "已使用过" in replayed.value.zh
    refused = login_events(db, "failed")
    assert [json.loads(e.details)["reason"] for e in refused] == ["totp_reused"]
    assert code not in refused[0].details
    assert login(db, "auditor", org.password, totp.at(now, counter_offset=1)) == "auditor"


def test_the_enrolment_code_cannot_sign_in_again(db, org):
    with db.transaction() as session:
        uri = auth.begin_totp_enrolment(session, user_by_name(session, "auditor"))
    totp = pyotp.TOTP(pyotp.parse_uri(uri).secret)
    code = previous(totp)
    with db.transaction() as session:
        auth.confirm_totp_enrolment(session, user_by_name(session, "auditor"), code)
    with pytest.raises(SecondFactorRequired):
        login(db, "auditor", org.password, code)


def test_totp_secret_is_encrypted_at_rest(db, org):
    with db.transaction() as session:
        user = user_by_name(session, "auditor")
        uri = auth.begin_totp_enrolment(session, user)
    secret = pyotp.parse_uri(uri).secret
    with db.sessions() as session:
        stored = session.scalar(select(User.totp_secret).where(User.username == "auditor"))
    assert stored and secret not in stored


def test_other_roles_need_no_totp(db, org):
    assert login(db, "catalog.reviewer", org.password) == "catalog.reviewer"


@pytest.mark.parametrize(
    "pair",
    [
        ("system_admin", "auditor"),
        ("system_admin", "security_admin"),
        ("security_admin", "auditor"),
    ],
)
def test_three_officer_roles_are_mutually_exclusive(db, org, system, pair):
    with pytest.raises(SeparationOfDuties) as info, db.transaction() as session:
        create_user(
            session,
            system,
            UserCreate(
                username="both",
                display_name="x",
                unit_code=org.dept_a,
                roles=list(pair),
                password=org.password,
            ),
        )
    assert info.value.field == "roles"
    with pytest.raises(SeparationOfDuties), db.transaction() as session:
        set_roles(session, system, "auditor", list(pair))
    with db.sessions() as session:
        assert session.scalar(select(User).where(User.username == "both")) is None
        assert user_by_name(session, "auditor").roles == {"auditor"}


def test_officer_role_may_combine_with_a_business_role(db, org, system):
    with db.transaction() as session:
        user = set_roles(session, system, "security.admin", ["security_admin", "security_reviewer"])
        assert user.roles == {"security_admin", "security_reviewer"}
