"""Alembic environment: migrations run against the engine handed over by hutong/migrations/__init__.py."""

from __future__ import annotations

from alembic import context
from sqlalchemy import create_engine

import hutong.audit.models
import hutong.catalog.models
import hutong.compliance.models
import hutong.core.calendar
import hutong.data.models
import hutong.exchange.models
import hutong.identity.models
import hutong.lifecycle.models
import hutong.monitor.models
import hutong.openportal.models
import hutong.privacy.models  # noqa: F401  (register tables on Base.metadata)
from hutong.core.db import Base

config = context.config
target_metadata = Base.metadata


def run() -> None:
    connection = config.attributes.get("connection")
    if connection is None:
        engine = create_engine(config.get_main_option("sqlalchemy.url"))
        with engine.connect() as connection:
            _migrate(connection)
        return
    _migrate(connection)


def _migrate(connection) -> None:  # type: ignore[no-untyped-def]
    context.configure(
        connection=connection,
        target_metadata=target_metadata,
        render_as_batch=connection.dialect.name == "sqlite",
        compare_type=True,
    )
    with context.begin_transaction():
        context.run_migrations()


run()
