"""``hutong init``: the data directory, its database and the first system administrator."""

from __future__ import annotations

from sqlalchemy import func, select

from hutong.identity.models import User
from tests.cli.support import hutong


def test_init_creates_admin_with_one_time_password_once(settings, db):
    first = hutong(settings, "init")
    assert first.exit_code == 0, first.output
    assert "一次性密码" in first.output
    with db.sessions() as session:
        admin = session.scalar(select(User).where(User.username == "sysadmin"))
        assert admin.must_change_password and admin.roles == {"system_admin"}
    again = hutong(settings, "init")
    assert again.exit_code == 0 and "一次性密码" not in again.output
    with db.sessions() as session:
        assert session.scalar(select(func.count()).select_from(User)) == 1
