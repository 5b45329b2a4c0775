"""The schema's Alembic migrations (env.py, versions/) sit above every domain, whose tables env.py
registers; this module applies them
(``hutong init`` and ``hutong serve`` start-up) and tells an initialised data directory from a
missing or empty one."""

from __future__ import annotations

from pathlib import Path

from alembic import command
from alembic.config import Config
from alembic.runtime.migration import MigrationContext
from sqlalchemy.engine import make_url

from hutong.core.db import Database, make_engine
from hutong.core.errors import NotFound
from hutong.core.settings import Settings

MIGRATIONS = Path(__file__).parent


def alembic_config(db: Database) -> Config:
    config = Config()
    config.set_main_option("script_location", str(MIGRATIONS))
    config.set_main_option("sqlalchemy.url", db.url.replace("%", "%%"))
    return config


def upgrade(db: Database) -> None:
    """Bring the schema to the newest revision; a no-op when it is already there."""
    config = alembic_config(db)
    with db.engine.begin() as connection:
        config.attributes["connection"] = connection
        command.upgrade(config, "head")


def require_initialised(settings: Settings) -> None:
    """Refuse a data directory that does not exist or whose database was never migrated,
    touching nothing: opening one would create a fresh database and keys, and a verification
    of that empty chain would vouch for a database that was deleted or swapped."""
    where = settings.data_dir
    hint = "请先运行 hutong init，或用 --data-dir 指定已初始化的数据目录"
    if not where.is_dir():
        raise NotFound(
            f"数据目录 {where} 不存在；{hint}", f"data directory {where} does not exist",
            field="data_dir",
        )  # fmt: skip
    url = make_url(settings.resolved_database_url)
    if url.get_backend_name() == "sqlite" and not Path(url.database or "").is_file():
        raise NotFound(
            f"数据目录 {where} 中没有数据库；{hint}", f"no database in {where}", field="data_dir"
        )
    engine = make_engine(settings.resolved_database_url)
    try:
        with engine.connect() as connection:
            revision = MigrationContext.configure(connection).get_current_revision()
    finally:
        engine.dispose()
    if revision is None:
        raise NotFound(
            f"数据目录 {where} 的数据库未初始化；{hint}",
            f"the database of {where} is not initialised",
            field="data_dir",
        )
