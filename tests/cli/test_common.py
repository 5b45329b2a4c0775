"""Commands other than ``init``, ``demo`` and ``serve`` refuse a data directory that does not
exist or holds no initialised database, and create nothing there: a fresh database would
verify as an intact (empty) audit chain."""

from __future__ import annotations

import sqlite3

import pytest
from typer.testing import CliRunner

from hutong.cli import app

COMMANDS = [
    ["audit", "verify"],
    ["audit", "checkpoint"],
    ["units", "list"],
    ["catalog", "search", "学籍", "--as", "sysadmin"],
    ["compliance", "run"],
]


def run(data_dir, args):
    env = {"HUTONG_DATABASE_URL": None, "HUTONG_DATA_DIR": None}
    return CliRunner().invoke(app, [*args, "--data-dir", str(data_dir)], env=env)


@pytest.mark.parametrize("args", COMMANDS, ids=" ".join)
def test_a_missing_data_directory_is_refused_and_not_created(tmp_path, args):
    missing = tmp_path / "nowhere"
    result = run(missing, args)
    assert result.exit_code == 2, result.output
    assert "不存在" in result.output and "hutong init" in result.output
    assert not missing.exists()


@pytest.mark.parametrize("args", COMMANDS, ids=" ".join)
def test_a_directory_without_a_database_is_refused_and_left_empty(tmp_path, args):
    result = run(tmp_path, args)
    assert result.exit_code == 2, result.output
    assert "没有数据库" in result.output
    assert list(tmp_path.iterdir()) == []


def test_a_database_never_migrated_is_refused(tmp_path):
    sqlite3.connect(tmp_path / "hutong.db").close()  # an empty SQLite file
    result = run(tmp_path, ["audit", "verify"])
    assert result.exit_code == 2, result.output
    assert "未初始化" in result.output
    assert sorted(p.name for p in tmp_path.iterdir()) == ["hutong.db"]


def test_init_still_creates_a_new_data_directory(tmp_path):
    fresh = tmp_path / "fresh"
    result = run(fresh, ["init"])
    assert result.exit_code == 0, result.output
    assert (fresh / "hutong.db").is_file()
    assert run(fresh, ["audit", "verify"]).exit_code == 0
