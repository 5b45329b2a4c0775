"""The metadata database at one moment, and the facts a drill later checks against it.

SQLite: ``VACUUM INTO`` copies the database inside one read transaction, so writers carry on
(WAL) and the copy is one committed state. PostgreSQL: a REPEATABLE READ transaction exports
its snapshot and ``pg_dump --snapshot`` dumps exactly that state, while the same transaction
reads the facts — so facts and dump agree to the row (decision 0015). No point-in-time
recovery: a backup restores to its own moment.

The facts (row counts per table, audit chain head, last signed checkpoint, dataset versions,
master keys in use) are read from the snapshot itself, never from the live database.
"""

from __future__ import annotations

import os
import shutil
import sqlite3
import subprocess
from collections.abc import Callable
from contextlib import closing
from dataclasses import dataclass
from datetime import datetime
from pathlib import Path
from typing import Any

from sqlalchemy import text
from sqlalchemy.engine import make_url

from hutong.core.clock import utcnow
from hutong.core.db import Database
from hutong.core.errors import Conflict

Run = Callable[[str], list[tuple]]

SQLITE_FILE = "hutong.db"
PG_DUMP_FILE = "hutong.pgdump"
TABLES_SQL = {
    "sqlite": "SELECT name FROM sqlite_master WHERE type = 'table' AND name NOT LIKE 'sqlite_%'",
    "postgresql": "SELECT table_name FROM information_schema.tables "
    "WHERE table_schema = current_schema() AND table_type = 'BASE TABLE'",
}


@dataclass(frozen=True)
class Snapshot:
    path: Path  # the database file or dump, in the backup's work folder
    name: str  # its path inside a restored data directory
    dialect: str
    moment: datetime
    facts: dict[str, Any]


def read_facts(run: Run, dialect: str) -> dict[str, Any]:
    """What the database holds, for the manifest and for the drill to compare."""
    tables = sorted(row[0] for row in run(TABLES_SQL[dialect]))
    counts = {table: int(run(f'SELECT count(*) FROM "{table}"')[0][0]) for table in tables}
    head = run("SELECT seq, hash FROM audit_events ORDER BY seq DESC LIMIT 1")
    checkpoint = run(
        "SELECT seq, hash, key_id, signature FROM audit_checkpoints ORDER BY seq DESC LIMIT 1"
    )
    versions = run(
        "SELECT id, resource_id, version, location, rows, data_key_id FROM dataset_versions "
        "ORDER BY id"
    )
    masters = run(
        "SELECT id FROM master_keys WHERE retired_at IS NULL UNION SELECT master_key_id "
        "FROM data_keys WHERE master_key_id IS NOT NULL AND destroyed_at IS NULL"
    )
    return {
        "counts": counts,
        "audit_head": {"seq": head[0][0], "hash": head[0][1]} if head else None,
        "checkpoint": dict(zip(("seq", "hash", "key_id", "signature"), checkpoint[0], strict=True))
        if checkpoint
        else None,
        "versions": [
            dict(
                zip(
                    ("id", "resource_id", "version", "location", "rows", "sealed"),
                    (*row[:5], row[5] is not None),
                    strict=True,
                )
            )
            for row in versions
        ],
        "master_keys": sorted(row[0] for row in masters),
    }


def take(db: Database, work: Path) -> Snapshot:
    """A consistent copy of the metadata database in ``work``."""
    if db.dialect == "sqlite":
        return _sqlite(db, work)
    if db.dialect == "postgresql":
        return _postgresql(db, work)
    raise Conflict(f"不支持备份 {db.dialect} 数据库", f"cannot back up {db.dialect}")


def _sqlite(db: Database, work: Path) -> Snapshot:
    path = work / SQLITE_FILE
    moment = utcnow()
    raw = db.engine.raw_connection()
    try:
        raw.cursor().execute("VACUUM INTO ?", (str(path),))
    finally:
        raw.close()
    with closing(sqlite3.connect(path)) as copy:
        facts = read_facts(lambda sql: copy.execute(sql).fetchall(), "sqlite")
    return Snapshot(path, SQLITE_FILE, "sqlite", moment, facts)


def libpq(url: str) -> tuple[str, dict[str, str]]:
    """A libpq connection string without the password, and the environment carrying it, so
    no secret shows in the process list."""
    parsed = make_url(url)
    env = dict(os.environ)
    if parsed.password:
        env["PGPASSWORD"] = parsed.password
    plain = parsed.set(drivername="postgresql", password=None)
    return plain.render_as_string(hide_password=False), env


def _pg(tool: str, *args: str, env: dict[str, str]) -> None:
    """Run pg_dump or pg_restore; a failure is a domain error carrying the tool's first
    complaint (about connections or objects, never row data)."""
    found = shutil.which(tool)
    if found is None:
        raise Conflict(
            f"PostgreSQL 备份与恢复需要 {tool}（postgresql-client）",
            f"{tool} (postgresql-client) is needed to back up or restore PostgreSQL",
        )
    done = subprocess.run([found, *args], env=env, capture_output=True, text=True, check=False)
    if done.returncode != 0:
        first = (done.stderr.strip().splitlines() or ["?"])[0][:300]
        raise Conflict(f"{tool} 失败：{first}", f"{tool} failed: {first}")


def _postgresql(db: Database, work: Path) -> Snapshot:
    path = work / PG_DUMP_FILE
    dsn, env = libpq(db.url)
    with db.engine.connect() as connection:
        connection = connection.execution_options(isolation_level="REPEATABLE READ")
        with connection.begin():
            snapshot_id = connection.execute(text("SELECT pg_export_snapshot()")).scalar_one()
            moment = utcnow()
            facts = read_facts(
                lambda sql: [tuple(r) for r in connection.exec_driver_sql(sql).all()],
                "postgresql",
            )
            _pg(
                "pg_dump",
                "--format=custom",
                "--no-owner",
                "--no-acl",
                f"--snapshot={snapshot_id}",
                f"--file={path}",
                f"--dbname={dsn}",
                env=env,
            )
    return Snapshot(path, PG_DUMP_FILE, "postgresql", moment, facts)


def load_dump(dump: Path, url: str) -> None:
    """Load a restored PostgreSQL dump into the (scratch) database at ``url``."""
    dsn, env = libpq(url)
    _pg(
        "pg_restore",
        "--clean",
        "--if-exists",
        "--no-owner",
        "--no-acl",
        "--exit-on-error",
        f"--dbname={dsn}",
        str(dump),
        env=env,
    )
