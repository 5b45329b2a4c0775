"""``hutong users``: refusals with the field and exit code 2, disabling and enabling accounts."""

from __future__ import annotations

import pytest
from sqlalchemy import func, select

from hutong.identity.models import User
from tests.cli.support import hutong


def test_cli_refuses_bad_input_with_field_and_exit_code(settings, db):
    hutong(settings, "init")
    bad_unit = hutong(
        settings, "units", "create", "--code", "123", "--name", "x", "--kind", "school"
    )
    assert bad_unit.exit_code == 2 and "code" in bad_unit.output
    two_hats = hutong(
        settings,
        "users",
        "create",
        "--username",
        "two.hats",
        "--unit",
        "MOE",
        "--role",
        "system_admin",
        "--role",
        "auditor",
    )
    assert two_hats.exit_code == 2 and "三员分立" in two_hats.output
    weak = hutong(
        settings,
        "users",
        "create",
        "--username",
        "weak.pw",
        "--unit",
        "MOE",
        "--role",
        "data_steward",
        "--password-stdin",
        stdin="weak\n",
    )
    assert weak.exit_code == 2 and "password" in weak.output
    with db.sessions() as session:
        assert session.scalar(select(func.count()).select_from(User)) == 1


def test_disable_and_enable_an_account(settings, db, org):
    from hutong.core.errors import AuthenticationFailed
    from hutong.identity import auth

    assert hutong(settings, "users", "disable", "--username", "data.steward").exit_code == 0
    with pytest.raises(AuthenticationFailed), db.transaction() as session:
        auth.authenticate(session, "data.steward", org.password)
    assert hutong(settings, "users", "enable", "--username", "data.steward").exit_code == 0
    with db.transaction() as session:
        assert auth.authenticate(session, "data.steward", org.password).username == "data.steward"
