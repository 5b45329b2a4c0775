"""The migrations build exactly the tables the models describe (on SQLite and PostgreSQL)."""

from __future__ import annotations

from alembic.autogenerate import compare_metadata
from alembic.migration import MigrationContext

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
import hutong.privacy.models  # noqa: F401  (register every table)
from hutong.core.db import Base

#: Tables the full-text search keeps outside the ORM (FTS5 on SQLite, text[] on PostgreSQL).
SEARCH_TABLES = ("catalog_fts", "catalog_search")


def test_models_and_migrations_agree(db):
    with db.engine.connect() as connection:
        differences = compare_metadata(MigrationContext.configure(connection), Base.metadata)
    assert [d for d in differences if not any(t in str(d) for t in SEARCH_TABLES)] == []
