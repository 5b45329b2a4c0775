"""Backup targets for the lifecycle tests: a local folder and a bucket on a real S3-compatible
server (moto in server mode on loopback, started here), plus a PI entry with sealed data."""

from __future__ import annotations

import errno
import uuid
from pathlib import Path

import boto3
import fsspec
import pytest
from fsspec.implementations.memory import MemoryFileSystem
from moto.server import ThreadedMotoServer
from sqlalchemy import create_engine, text
from sqlalchemy.engine import make_url

from hutong.core.db import Database
from hutong.data.ingest import ingest_file
from hutong.migrations import upgrade
from tests.conftest import PG_URL, make_settings
from tests.support import created

CREDENTIALS = {"key": "testing", "secret": "testing", "client_kwargs": {"region_name": "us-east-1"}}
HEADER = ("姓名", "身份证件号", "民族")


def citizen_id(first17: str) -> str:
    """A valid 公民身份号码 (GB 11643 check digit) for test rows."""
    weights = [2 ** (17 - i) % 11 for i in range(17)]
    total = sum(int(d) * w for d, w in zip(first17, weights, strict=True))
    return first17 + "10X98765432"[total % 11]


def people(count: int, start: int = 0) -> list[tuple[str, str, str]]:
    return [
        (f"学生{n}", citizen_id(f"110105{2008 - n % 5}0101{n % 1000:03d}"), f"{n % 56 + 1:02d}")
        for n in range(start, start + count)
    ]


ROWS = people(3)


@pytest.fixture(scope="session")
def s3_endpoint():
    server = ThreadedMotoServer(ip_address="127.0.0.1", port=0, verbose=False)
    server.start()
    host, port = server.get_host_and_port()
    yield f"http://{host}:{port}"
    server.stop()


@pytest.fixture
def bucket(s3_endpoint) -> str:
    name = f"hutong-{uuid.uuid4().hex[:12]}"
    boto3.client(
        "s3",
        endpoint_url=s3_endpoint,
        aws_access_key_id="testing",
        aws_secret_access_key="testing",
        region_name="us-east-1",
    ).create_bucket(Bucket=name)
    return name


def s3_target(endpoint: str, bucket: str) -> dict[str, object]:
    return {"url": f"s3://{bucket}/backups", "options": {"endpoint_url": endpoint, **CREDENTIALS}}


@pytest.fixture(scope="session")
def drill_database_url(worker_id: str) -> str | None:
    """PostgreSQL runs: an empty scratch database that drills and restores may overwrite."""
    if not PG_URL:
        return None
    url = make_url(PG_URL)
    name = f"hutong_drill_{worker_id}"
    admin = create_engine(url, isolation_level="AUTOCOMMIT")
    with admin.connect() as connection:
        connection.execute(text(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))
        connection.execute(text(f'CREATE DATABASE "{name}"'))
    admin.dispose()
    return url.set(database=name).render_as_string(hide_password=False)


@pytest.fixture
def targets(tmp_path, s3_endpoint, bucket) -> dict[str, dict[str, object]]:
    """Two places: a local folder (first) and an S3 bucket (second)."""
    return {"local": {"url": str(tmp_path / "backup-local")}, "s3": s3_target(s3_endpoint, bucket)}


@pytest.fixture
def settings(settings, targets, drill_database_url):
    """The root fixture's settings with the backup targets configured."""
    return make_settings(
        settings.data_dir,
        settings.database_url,
        backup_targets=targets,
        backup_drill_database_url=drill_database_url,
    )


@pytest.fixture
def new_server(tmp_path, settings):
    """A freshly installed server that knows the targets but has nothing else: its own
    (SQLite) database is where a restore is audited."""
    fresh = make_settings(
        tmp_path / "new-server",
        None,
        backup_targets={k: v.model_dump() for k, v in settings.backup_targets.items()},
        backup_drill_database_url=settings.backup_drill_database_url,
    )
    db = Database(fresh)
    upgrade(db)
    yield db
    db.dispose()


@pytest.fixture
def pi_entry(db, org, classes, actors) -> str:
    return created(
        db,
        actors["data_steward"],
        org,
        items=[
            {"name": "姓名", "data_type": "字符型", "pi_category": "identity"},
            {"name": "身份证件号", "data_type": "字符型", "pi_category": "identity"},
            {"name": "民族", "data_type": "代码型", "pi_category": "ethnicity"},
        ],
    )


def csv_file(path: Path, rows=ROWS) -> Path:
    lines = [",".join(HEADER), *(",".join(r) for r in rows)]
    path.write_text("\n".join(lines) + "\n", encoding="utf-8")
    return path


def ingest(db, actor, code: str, folder: Path, rows=ROWS):
    folder.mkdir(parents=True, exist_ok=True)
    return ingest_file(db, actor, code, csv_file(folder / f"{uuid.uuid4().hex}.csv", rows))


class FullFileSystem(MemoryFileSystem):
    """A target whose disk is full: every write fails with ENOSPC."""

    protocol = "hutong-full"

    def put_file(self, lpath, rpath, **kwargs):  # type: ignore[no-untyped-def]
        raise OSError(errno.ENOSPC, "No space left on device")

    def pipe_file(self, path, value, **kwargs):  # type: ignore[no-untyped-def]
        raise OSError(errno.ENOSPC, "No space left on device")


fsspec.register_implementation(FullFileSystem.protocol, FullFileSystem, clobber=True)
