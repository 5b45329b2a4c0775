"""``hutong``'s list of commands (``hutong.cli.COMMANDS``): every module is registered, the
root help lists every group in order, and a command loads only the modules it needs."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

import pytest
import typer.main

from hutong.cli import COMMANDS, app
from tests.cli.support import runner

CLI = Path(__file__).resolve().parents[2] / "src" / "hutong" / "cli"
SHARED = {"__init__", "__main__", "common"}


def test_every_command_module_is_registered_once():
    modules = {p.stem for p in CLI.glob("*.py")} - SHARED
    registered = [entry.module.removeprefix("hutong.cli.") for entry in COMMANDS]
    assert sorted(registered) == sorted(modules)
    assert len({entry.name for entry in COMMANDS}) == len(COMMANDS)


@pytest.mark.parametrize("entry", COMMANDS, ids=lambda e: e.name)
def test_each_entry_loads_as_the_command_its_name_gives(entry):
    command = typer.main.get_command(app).commands[entry.name]
    assert command.name == entry.name and command.short_help == entry.help
    assert hasattr(command, "commands") == entry.group
    if entry.group:
        assert command.commands and command.help == entry.help


def test_root_help_lists_every_group_in_order_with_its_chinese_and_english_line():
    result = runner.invoke(app, ["--help"], env={"COLUMNS": "200"})
    assert result.exit_code == 0, result.output
    listed = [
        line.split()[1]
        for line in result.output.splitlines()
        if line.startswith("│ ") and line.split()[1] in {e.name for e in COMMANDS}
    ]
    assert listed == [entry.name for entry in COMMANDS]
    assert listed[:4] == ["init", "serve", "demo", "units"]
    for entry in COMMANDS:
        assert entry.help in result.output
        chinese, english = entry.help.split(" — ")
        assert chinese and english.isascii()


def loaded_by(*args: str) -> list[str]:
    """The Hutong modules and heavy libraries a fresh interpreter imports to run ``args``."""
    script = (
        "import json, sys\n"
        "from typer.testing import CliRunner\n"
        "from hutong.cli import app\n"
        f"result = CliRunner().invoke(app, {list(args)!r})\n"
        "assert result.exit_code == 0, result.output\n"
        "print(json.dumps(sorted(m for m in sys.modules if m.split('.')[0] in "
        "('hutong', 'duckdb', 'fastapi', 'sqlalchemy', 'alembic'))))\n"
    )
    done = subprocess.run(
        [sys.executable, "-c", script], capture_output=True, text=True, env=os.environ, check=True
    )
    return json.loads(done.stdout.splitlines()[-1])


def test_root_help_imports_no_domain_code_nor_the_database():
    assert loaded_by("--help") == ["hutong", "hutong.cli"]


def test_a_group_loads_only_what_it_needs():
    loaded = loaded_by("units", "--help")
    assert "hutong.cli.units" in loaded and "hutong.identity.service" in loaded
    others = [f"hutong.cli.{e.name}" for e in COMMANDS if e.name != "units"]
    assert not [m for m in loaded if m in others]
    assert not [m for m in loaded if m.split(".")[:2] in (["hutong", "web"], ["hutong", "demo"])]
    assert not [m for m in loaded if m.startswith(("hutong.catalog", "duckdb", "fastapi"))]
