"""Running ``hutong`` in-process against a test's data directory, as from the host's shell."""

from __future__ import annotations

from typer.testing import CliRunner

from hutong.cli import app

runner = CliRunner()


def env_for(settings) -> dict[str, str]:
    env = {"HUTONG_ARGON2_TIME_COST": "1", "HUTONG_ARGON2_MEMORY_KIB": "1024"}
    if settings.database_url:
        env["HUTONG_DATABASE_URL"] = settings.database_url
    return env


def hutong(settings, *args: str, stdin: str | None = None):
    return runner.invoke(
        app, [*args, "--data-dir", str(settings.data_dir)], input=stdin, env=env_for(settings)
    )
