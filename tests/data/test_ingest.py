"""CSV ingest: GBK round trip, column checks before writing, clear errors, atomic publish."""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import time

import pytest
from sqlalchemy import func, select

from hutong.catalog import service
from hutong.core.errors import InvalidInput, PermissionDenied
from hutong.data.ingest import current, ingest_file
from hutong.data.models import DatasetVersion
from tests.support import entry, version_rows

ROWS = [
    ("张伟", "1", "2012-03-04"),
    ("李娜", "2", "2011-11-30"),
    ("王芳,“小芳”", "2", "2013-01-15"),
]


@pytest.fixture
def teacher_entry(db, org, classes, actors):
    with db.transaction() as session:
        resource = service.create(
            session,
            actors["data_steward"],
            entry(
                org,
                items=[
                    {"name": "姓名", "data_type": "字符型"},
                    {"name": "性别", "data_type": "代码型"},
                    {"name": "出生日期", "data_type": "日期型"},
                ],
            ),
        )
        return resource.code


def write_csv(path, rows=ROWS, header=("姓名", "性别", "出生日期"), encoding="utf-8"):
    lines = [",".join(header)] + ['"' + '","'.join(row) + '"' for row in rows]
    path.write_bytes(("\r\n".join(lines) + "\r\n").encode(encoding))
    return path


def ingest(db, actor, code, path, mapping=None):
    version = ingest_file(db, actor, code, path, mapping)
    return version.version, version.rows, version.source_encoding, version


@pytest.mark.parametrize("encoding", ["utf-8", "utf-8-sig", "gbk", "gb18030"])
def test_round_trip_in_every_encoding(db, actors, teacher_entry, tmp_path, encoding):
    path = write_csv(tmp_path / "teachers.csv", encoding=encoding)
    number, rows, detected, version = ingest(db, actors["data_steward"], teacher_entry, path)
    assert (number, rows) == (1, 3)
    assert (
        detected
        == {"utf-8": "utf-8", "utf-8-sig": "utf-8-sig", "gbk": "gb18030", "gb18030": "gb18030"}[
            encoding
        ]
    )
    back = version_rows(db, version, "SELECT 姓名, 性别, 出生日期 FROM dataset")
    assert sorted(back, key=lambda r: r[2]) == sorted(ROWS, key=lambda r: r[2])


def test_columns_are_checked_before_anything_is_written(db, actors, teacher_entry, tmp_path):
    path = write_csv(tmp_path / "t.csv", header=("姓名", "性别", "生日"))
    with pytest.raises(InvalidInput) as info:
        ingest(db, actors["data_steward"], teacher_entry, path)
    assert "生日" in info.value.zh and "出生日期" in info.value.zh and info.value.field == "columns"
    with db.sessions() as session:
        assert session.scalar(select(func.count()).select_from(DatasetVersion)) == 0
    assert not any(
        p.name.startswith("v") for p in (db.settings.datasets_dir).rglob("*") if p.is_dir()
    )
    number, rows, _enc, _folder = ingest(
        db, actors["data_steward"], teacher_entry, path, {"生日": "出生日期"}
    )
    assert (number, rows) == (1, 3)


@pytest.mark.parametrize(
    ("content", "message"),
    [
        (b"", "文件为空"),
        ("姓名,性别,出生日期\r\n".encode(), "没有数据行"),
        (
            "姓名,性别,出生日期\r\n张伟,1\r\n李娜,2,2011-11-30,多余\r\n".encode(),
            "CSV 格式错误：第 2 行",
        ),
    ],
)
def test_bad_files_get_clear_errors_and_leave_nothing(
    db, actors, teacher_entry, tmp_path, content, message
):
    path = tmp_path / "bad.csv"
    path.write_bytes(content)
    with pytest.raises(InvalidInput) as info:
        ingest(db, actors["data_steward"], teacher_entry, path)
    assert message in info.value.zh
    assert not list(db.settings.datasets_dir.rglob("part-*"))


def test_only_the_owning_steward_ingests(db, actors, teacher_entry, tmp_path):
    with pytest.raises(PermissionDenied):
        ingest(db, actors["data_consumer"], teacher_entry, write_csv(tmp_path / "t.csv"))


def test_a_killed_ingest_leaves_the_previous_version(db, settings, actors, teacher_entry, tmp_path):
    ingest(db, actors["data_steward"], teacher_entry, write_csv(tmp_path / "v1.csv"))
    big = tmp_path / "big.csv"
    with big.open("w", encoding="gbk", newline="") as handle:  # GBK, so the converter runs first
        handle.write("姓名,性别,出生日期\r\n")
        line = "张伟,1,2012-03-04\r\n" * 1000
        for _ in range(3000):
            handle.write(line)
    env = {
        **os.environ,
        "HUTONG_DATA_DIR": str(settings.data_dir),
        "HUTONG_ARGON2_TIME_COST": "1",
        "HUTONG_ARGON2_MEMORY_KIB": "1024",
    }
    if settings.database_url:
        env["HUTONG_DATABASE_URL"] = settings.database_url
    child = subprocess.Popen(
        [
            sys.executable,
            "-m",
            "hutong.cli",
            "data",
            "ingest",
            teacher_entry,
            str(big),
            "--as",
            "data.steward",
        ],
        env=env,
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
    )
    deadline = time.monotonic() + 60
    while not list(settings.datasets_dir.rglob(".staging-*/*")):  # wait until it is writing
        assert child.poll() is None, child.stderr.read().decode()
        assert time.monotonic() < deadline
        time.sleep(0.05)
    child.send_signal(signal.SIGKILL)
    child.wait()
    with db.sessions() as session:
        versions = session.scalars(select(DatasetVersion.version)).all()
        resource_id = session.scalar(select(DatasetVersion.resource_id))
        assert versions == [1] and current(session, resource_id).rows == 3
    assert [
        p.name
        for p in (settings.datasets_dir / str(resource_id)).iterdir()
        if not p.name.startswith(".")
    ] == ["v1"]
    number, rows, _enc, _folder = ingest(
        db, actors["data_steward"], teacher_entry, write_csv(tmp_path / "v2.csv")
    )
    assert (number, rows) == (2, 3)
