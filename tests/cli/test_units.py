"""``hutong units`` and ``hutong users create``: provisioning a unit and its staff from a script."""

from __future__ import annotations

from sqlalchemy import select

from hutong.core.identifiers import uscc_with_check
from hutong.identity.models import User
from tests.cli.support import hutong


def test_scripted_provisioning(settings, db):
    hutong(settings, "init")
    code = uscc_with_check("11440000" + "006940123")
    result = hutong(
        settings,
        "units",
        "create",
        "--code",
        code,
        "--name",
        "广东省教育厅",
        "--kind",
        "provincial_department",
        "--parent",
        "MOE",
    )
    assert result.exit_code == 0, result.output
    result = hutong(
        settings,
        "users",
        "create",
        "--username",
        "gd.steward",
        "--unit",
        code,
        "--role",
        "data_steward",
        "--role",
        "data_consumer",
        "--password-stdin",
        stdin="Guangdong-Data-2026\n",
    )
    assert result.exit_code == 0, result.output
    with db.sessions() as session:
        user = session.scalar(select(User).where(User.username == "gd.steward"))
        assert user.roles == {"data_steward", "data_consumer"} and not user.must_change_password
    listed = hutong(settings, "units", "list")
    assert "广东省教育厅" in listed.output
