"""Database engine and transactions; refuses any commit that changed data without auditing it.

SQLite runs in WAL mode with foreign keys on and every transaction ``BEGIN IMMEDIATE``, so
writers queue instead of failing on lock upgrade and the audit chain head is read under the
write lock. PostgreSQL serialises chain appends with an advisory lock (see audit/chain.py).
"""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from datetime import datetime
from typing import Annotated

from annotated_types import Interval
from sqlalchemy import DateTime, Dialect, Engine, MetaData, create_engine, event, text
from sqlalchemy.orm import DeclarativeBase, Session, sessionmaker
from sqlalchemy.types import TypeDecorator

from hutong.core.clock import as_utc
from hutong.core.errors import HutongError, UnauditedChange
from hutong.core.settings import Settings

NAMING = {
    "ix": "ix_%(column_0_label)s",
    "uq": "uq_%(table_name)s_%(column_0_name)s",
    "ck": "ck_%(table_name)s_%(constraint_name)s",
    "fk": "fk_%(table_name)s_%(column_0_name)s_%(referred_table_name)s",
    "pk": "pk_%(table_name)s",
}

#: session.info key set by audit.record(); checked before every commit.
AUDITED = "hutong.audited"
#: session.info key set after a flush that wrote rows other than audit events.
CHANGED = "hutong.changed"
#: tables whose rows are the audit trail itself (writing them needs no further audit).
AUDIT_TABLES = frozenset({"audit_events", "audit_checkpoints", "audit_anchors"})
#: tables of pure session bookkeeping (idle-timeout touches) that are not business changes.
BOOKKEEPING_TABLES = frozenset({"console_sessions"})


#: The largest value an ``Integer`` column holds on every supported database (PostgreSQL's
#: INTEGER is 32-bit). Row ids are such columns, so no row has a larger id.
MAX_INTEGER = 2**31 - 1
#: The largest value of a ``BigInteger`` column, and of any SQLite integer.
MAX_BIGINT = 2**63 - 1
#: A row id as input (path, query, form or body): a larger number names no row, so it is
#: refused as invalid input (422) before it can overflow the database driver (a 500).
RowId = Annotated[int, Interval(ge=1, le=MAX_INTEGER)]


class UtcDateTime(TypeDecorator[datetime]):
    """A moment, stored in UTC and always read back timezone-aware (DESIGN rule 5).

    SQLite keeps no offset and hands back naive datetimes, PostgreSQL answers in the
    session's time zone; both become aware UTC here, so every API answer carries its offset
    and domain code never compares a naive with an aware datetime. A naive input is taken
    as UTC, an aware one is converted."""

    impl = DateTime(timezone=True)
    cache_ok = True

    def process_bind_param(self, value: datetime | None, dialect: Dialect) -> datetime | None:
        return None if value is None else as_utc(value)

    def process_result_value(self, value: datetime | None, dialect: Dialect) -> datetime | None:
        return None if value is None else as_utc(value)


class Base(DeclarativeBase):
    metadata = MetaData(naming_convention=NAMING)


def _sqlite_pragmas(engine: Engine) -> None:
    @event.listens_for(engine, "connect")
    def _on_connect(dbapi_conn, _record):  # type: ignore[no-untyped-def]
        dbapi_conn.isolation_level = None  # we issue BEGIN ourselves
        cur = dbapi_conn.cursor()
        cur.execute("PRAGMA journal_mode=WAL")
        cur.execute("PRAGMA foreign_keys=ON")
        cur.execute("PRAGMA synchronous=NORMAL")
        cur.execute("PRAGMA busy_timeout=30000")
        # Reads of the catalog and audit tables stay in memory: 64 MiB page cache, 256 MiB mmap.
        cur.execute("PRAGMA cache_size=-65536")
        cur.execute("PRAGMA mmap_size=268435456")
        cur.execute("PRAGMA temp_store=MEMORY")
        cur.close()

    @event.listens_for(engine, "begin")
    def _on_begin(conn):  # type: ignore[no-untyped-def]
        conn.exec_driver_sql("BEGIN IMMEDIATE")


def make_engine(url: str) -> Engine:
    if url.startswith("sqlite"):
        engine = create_engine(url, connect_args={"check_same_thread": False})
        _sqlite_pragmas(engine)
        return engine
    return create_engine(url, pool_pre_ping=True, pool_size=10, max_overflow=20)


def _touched_tables(session: Session) -> set[str]:
    objects = list(session.new) + list(session.dirty) + list(session.deleted)
    return {obj.__table__.name for obj in objects if hasattr(obj, "__table__")}


def _install_audit_guard(factory: sessionmaker[Session]) -> None:
    """DESIGN rule 3: no change without its record. Raise before a commit that would lose it."""

    ignored = AUDIT_TABLES | BOOKKEEPING_TABLES

    @event.listens_for(factory, "after_flush")
    def _note_changes(session: Session, _ctx) -> None:  # type: ignore[no-untyped-def]
        if _touched_tables(session) - ignored:
            session.info[CHANGED] = True

    @event.listens_for(factory, "before_commit")
    def _require_audit(session: Session) -> None:
        pending = bool(_touched_tables(session) - ignored)
        if (pending or session.info.get(CHANGED)) and not session.info.get(AUDITED):
            raise UnauditedChange("a transaction changed data without an audit event")

    @event.listens_for(factory, "after_commit")
    @event.listens_for(factory, "after_rollback")
    def _reset(session: Session) -> None:
        session.info.pop(CHANGED, None)
        session.info.pop(AUDITED, None)
        session.info.pop("hutong.chain_head", None)


class Database:
    """The engine plus a transaction factory; one per process (per app or CLI call)."""

    def __init__(self, settings: Settings) -> None:
        self.settings = settings
        self.url = settings.resolved_database_url
        settings.ensure_dirs()  # keys and datasets live there whatever the database
        self.engine = make_engine(self.url)
        self.sessions = sessionmaker(
            self.engine, expire_on_commit=False, info={"settings": settings}
        )
        _install_audit_guard(self.sessions)

    @property
    def dialect(self) -> str:
        return self.engine.dialect.name

    @contextmanager
    def transaction(self) -> Iterator[Session]:
        """One unit of work: commit on success, roll back (audit events included) on error.

        A domain error may carry follow-up work (the audit event of a denial, the failed-login
        counter); it runs in its own transaction once the failed one is rolled back, once.
        """
        try:
            with self.sessions.begin() as session:
                yield session
        except HutongError as error:
            self.follow_up(error)
            raise

    def follow_up(self, error: HutongError) -> None:
        """Run (and consume) the work a refusal carries, each piece in its own transaction;
        the web layer calls it for refusals raised outside any transaction."""
        while error.after_rollback:
            work = error.after_rollback.pop(0)
            with self.sessions.begin() as session:
                work(session)

    def ping(self) -> None:
        """Reach the database with the smallest statement (the health check); raises when it
        cannot be reached."""
        with self.engine.connect() as connection:
            connection.execute(text("SELECT 1"))

    def dispose(self) -> None:
        self.engine.dispose()
