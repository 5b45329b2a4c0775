"""Actors for every account of the ``org`` fixture, by username (``security.reviewer``…)."""

from __future__ import annotations

import pytest

from hutong.identity.auth import actor_for
from hutong.identity.models import User


@pytest.fixture
def people(db, org):
    with db.sessions() as session:
        return {user.username: actor_for(user) for user in session.query(User)}
