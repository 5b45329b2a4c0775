"""Documentation that cannot rot: settings, CLI commands and API routes must be documented."""

from __future__ import annotations

import re
from pathlib import Path

import typer.main

from hutong.cli import app as cli_app
from hutong.core.settings import Settings
from hutong.web.app import create_app

ROOT = Path(__file__).resolve().parents[1]


def test_every_setting_is_documented():
    text = (ROOT / "docs/configuration.md").read_text(encoding="utf-8")
    missing = [name for name in Settings.model_fields if f"`{name}`" not in text]
    assert not missing


def _commands(group: typer.Typer, prefix: str = "hutong") -> list[str]:
    names = []
    click_group = typer.main.get_command(group)
    for name, command in click_group.commands.items():
        if hasattr(command, "commands"):
            names += [f"{prefix} {name} {sub}" for sub in command.commands]
        else:
            names.append(f"{prefix} {name}")
    return names


def test_every_cli_command_is_in_the_readme():
    text = (ROOT / "README.md").read_text(encoding="utf-8")
    missing = [c for c in _commands(cli_app) if c not in text]
    assert not missing


def test_every_api_route_is_documented(tmp_path):
    text = (ROOT / "docs/api.md").read_text(encoding="utf-8")
    app = create_app(Settings(data_dir=tmp_path))
    routes = set(app.openapi()["paths"])
    assert "/api/v1/auth/token" in routes
    missing = sorted(p for p in routes if f"`{p}`" not in text)
    assert not missing


def test_readme_gives_exactly_two_setup_commands_and_ci_uses_the_test_one():
    readme = (ROOT / "README.md").read_text(encoding="utf-8")
    assert len(re.findall(r"<!-- (run|test)-command -->", readme)) == 2
    assert "<!-- test-command -->" in readme
    assert "test-command" in (ROOT / ".ci/run").read_text(encoding="utf-8")
