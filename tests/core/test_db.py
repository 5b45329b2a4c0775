"""The database layer: every moment is stored in UTC and read back with its offset."""

from __future__ import annotations

import importlib
import pkgutil
from datetime import UTC, datetime

from sqlalchemy import select, update

import hutong
from hutong.core.clock import SHANGHAI
from hutong.core.db import Base, UtcDateTime
from hutong.identity.models import User


def _load_every_model() -> None:
    for module in pkgutil.walk_packages(hutong.__path__, "hutong."):
        if module.name.endswith(".models"):
            importlib.import_module(module.name)


def test_every_moment_column_is_read_back_in_utc():
    _load_every_model()
    naive = [
        f"{table.name}.{column.name}"
        for table in Base.metadata.tables.values()
        for column in table.columns
        if column.type.python_type is datetime and not isinstance(column.type, UtcDateTime)
    ]
    assert naive == []


def test_a_moment_comes_back_aware_and_in_utc(db, org):
    in_beijing = datetime(2024, 6, 11, 9, 30, tzinfo=SHANGHAI)
    users = User.__table__
    with db.engine.begin() as connection:
        connection.execute(update(users).values(locked_until=in_beijing))
        stored, created = connection.execute(
            select(users.c.locked_until, users.c.created_at).limit(1)
        ).one()
    assert stored == in_beijing and stored.tzinfo is UTC and stored.hour == 1
    assert created.tzinfo is UTC
