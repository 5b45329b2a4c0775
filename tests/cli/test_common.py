"""What every command shares (``cli/common.py``).

Commands other than ``init``, ``demo`` and ``serve`` refuse a data directory that does not
exist or holds no initialised database, and create nothing there: a fresh database would
verify as an intact (empty) audit chain. Every file a command reads or writes is checked
before anything runs: a wrong path is refused in Chinese with exit code 2, never a traceback."""

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


#: Every command that reads a file the user names; ``{file}`` is that file, ``{ok}`` a file
#: that exists (for commands that also write one).
READERS = [
    ["catalog", "import", "{file}", "--as", "sysadmin"],
    ["data", "ingest", "JY-0001", "{file}", "--as", "sysadmin"],
    ["exchange", "trace", "{file}", "--as", "sysadmin"],
    ["compliance", "register-system", "{file}", "--as", "sysadmin"],
    ["privacy", "publish-notice", "{file}", "--as", "sysadmin"],
    ["privacy", "import-consents", "1", "1", "{file}", "--as", "sysadmin", "--receipts", "r.csv"],
    ["privacy", "check-consents", "1", "enrolment", "{file}", "--as", "sysadmin"],
    ["privacy", "anonymize", "{file}", "--quasi", "region"],
    ["calendar", "load", "{file}"],
    ["audit", "verify", "--checkpoints", "{file}"],
]
#: Every command that writes a file the user names.
WRITERS = [
    ["catalog", "export", "{file}", "--as", "sysadmin"],
    ["audit", "export-checkpoints", "{file}"],
    ["data", "rejects", "JY-0001", "1", "--as", "sysadmin", "--out", "{file}"],
    ["privacy", "import-consents", "1", "1", "{ok}", "--as", "sysadmin", "--receipts", "{file}"],
    ["privacy", "anonymize", "{ok}", "--quasi", "region", "--output", "{file}"],
]


def refused(tmp_path, args: list[str], file) -> str:
    """Run with a data directory that does not exist; the file's refusal must come first,
    as a message and exit code 2 (no exception escaped), with nothing created."""
    ok = tmp_path / "ok.csv"
    ok.write_text("region\n1101\n", encoding="utf-8")
    filled = [a.format(file=file, ok=ok) for a in args]
    env = {"HUTONG_DATABASE_URL": None, "HUTONG_DATA_DIR": str(tmp_path / "nowhere")}
    result = CliRunner().invoke(app, filled, env=env)
    assert result.exit_code == 2, result.output
    assert isinstance(result.exception, SystemExit)
    assert not (tmp_path / "nowhere").exists()
    return squeezed(result.output)


def squeezed(text: str) -> str:
    """Without whitespace: the terminal wraps long paths at spaces, which it then drops."""
    return "".join(text.split())


@pytest.mark.parametrize("args", READERS, ids=" ".join)
def test_a_missing_input_file_is_refused_by_name(tmp_path, args):
    missing = tmp_path / "缺失.csv"
    assert squeezed(f"文件 {missing} 不存在") in refused(tmp_path, args, missing)


@pytest.mark.parametrize("args", READERS, ids=" ".join)
def test_a_directory_named_as_input_file_is_refused(tmp_path, args):
    assert squeezed(f"{tmp_path} 不是文件") in refused(tmp_path, args, tmp_path)


@pytest.mark.parametrize("args", WRITERS, ids=" ".join)
def test_an_output_file_in_a_missing_directory_is_refused(tmp_path, args):
    target = tmp_path / "no-such-folder" / "out.xlsx"
    assert squeezed(f"目录 {target.parent} 不存在") in refused(tmp_path, args, target)


@pytest.mark.parametrize("args", WRITERS, ids=" ".join)
def test_a_directory_named_as_output_file_is_refused(tmp_path, args):
    assert squeezed(f"{tmp_path} 是目录，须给出文件名") in refused(tmp_path, args, tmp_path)
