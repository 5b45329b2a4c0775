"""What every command shares: the data directory, the acting user, the one place the database
is opened, and the one way an error reaches the shell (Chinese, English below, exit code 2).

A command parses its options (``parsed`` validates them with the API's schema), opens the
database with ``opened``, calls one service and prints. Files the user names are checked by
``readable``/``writable`` before anything else runs, so a mistyped path is a clear refusal
and never a traceback."""

from __future__ import annotations

import json
import os
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Annotated, Any, NoReturn, TypeVar

import typer
from pydantic import BaseModel, ValidationError
from rich.console import Console
from sqlalchemy.orm import Session

from hutong.core.db import Database
from hutong.core.errors import AuthenticationFailed, HutongError, InvalidInput, invalid_input
from hutong.core.settings import Settings
from hutong.identity.auth import actor_for
from hutong.identity.authz import Actor
from hutong.identity.service import user_by_name
from hutong.migrations import require_initialised, upgrade

out = Console()
err = Console(stderr=True)
T = TypeVar("T")
M = TypeVar("M", bound=BaseModel)


def group() -> typer.Typer:
    """A command group's Typer app; its help line is its entry in ``hutong.cli.COMMANDS``."""
    return typer.Typer(no_args_is_help=True, add_completion=False)


def settings_for(data_dir: Path | None) -> Settings:
    return Settings(data_dir=data_dir) if data_dir else Settings()


def fail(error: HutongError) -> NoReturn:
    """Print a domain error in Chinese (English below) and end the command with exit code 2."""
    field = f"（{error.field}）" if error.field else ""
    err.print(f"[red]错误{field}：{error.zh}[/red]\n[dim]{error.en}[/dim]")
    raise typer.Exit(2) from error


@contextmanager
def opened(data_dir: Path | None, create: bool = False) -> Iterator[Database]:
    """The one place a command opens the database: migrated, disposed of at the end; domain
    errors and invalid input end the command with exit code 2. Only ``create`` (``init``,
    ``demo``, ``serve``) may start a new data directory: every other command refuses a
    missing or uninitialised one before anything is created."""
    settings = settings_for(data_dir)
    if not create:
        try:
            require_initialised(settings)
        except HutongError as error:
            fail(error)
    from hutong.wiring import wire  # deferred: a command loads only its own domain code

    wire()
    db = Database(settings)
    try:
        upgrade(db)
        yield db
    except HutongError as error:
        fail(error)
    except ValidationError as error:
        fail(invalid_input(error))
    finally:
        db.dispose()


def in_transaction(db: Database, work: Callable[[Session], T]) -> T:
    with db.transaction() as session:
        return work(session)


DataDir = Annotated[
    Path | None,
    typer.Option("--data-dir", envvar="HUTONG_DATA_DIR", help="数据目录（默认 ./hutong-data）"),
]
ActingUser = Annotated[str, typer.Option("--as", help="以该用户身份执行（须为已启用的账号）")]


def acting(session: Session, username: str) -> Actor:
    """The actor for a command run on behalf of a user from the host's shell."""
    user = user_by_name(session, username)
    if not user.enabled:
        raise AuthenticationFailed("账号已停用", "account disabled", field="as")
    return actor_for(user, client_address="cli")


def parsed(model: type[M], **values: object) -> M:
    """Validate CLI input with the API's schema, so both reject the same things the same way;
    a refusal ends the command with the field's Chinese name and exit code 2."""
    try:
        return model.model_validate(values)
    except ValidationError as error:
        fail(invalid_input(error, model))


# --- files the user names ---------------------------------------------------------------


def readable(ctx: typer.Context, param: typer.CallbackParam, path: Path | None) -> Path | None:
    """A file to read must exist, be a file and be readable before the command starts."""
    if path is None or ctx.resilient_parsing:
        return path
    if not path.exists():
        _refuse(param, f"文件 {path} 不存在", f"file {path} does not exist")
    if not path.is_file():
        _refuse(param, f"{path} 不是文件", f"{path} is not a file")
    if not os.access(path, os.R_OK):
        _refuse(param, f"无权读取文件 {path}", f"file {path} cannot be read")
    return path


def writable(ctx: typer.Context, param: typer.CallbackParam, path: Path | None) -> Path | None:
    """A file to write must go into an existing directory and not be a directory itself."""
    if path is None or ctx.resilient_parsing:
        return path
    if path.is_dir():
        _refuse(param, f"{path} 是目录，须给出文件名", f"{path} is a directory, not a file")
    if not path.parent.is_dir():
        _refuse(param, f"目录 {path.parent} 不存在", f"directory {path.parent} does not exist")
    if not os.access(path.parent, os.W_OK) or (path.exists() and not os.access(path, os.W_OK)):
        _refuse(param, f"无权写入文件 {path}", f"file {path} cannot be written")
    return path


def _refuse(param: typer.CallbackParam, zh: str, en: str) -> NoReturn:
    fail(InvalidInput(zh, en, field=param.name))


InputFile = Annotated[Path, typer.Argument(callback=readable, show_default=False)]
OutputFile = Annotated[Path, typer.Argument(callback=writable, show_default=False)]


def read_text(path: Path) -> str:
    """A UTF-8 text file (a byte-order mark allowed); any other encoding is refused."""
    try:
        return path.read_text(encoding="utf-8-sig")
    except UnicodeDecodeError:
        raise InvalidInput(
            f"文件 {path.name} 须为 UTF-8 编码", f"file {path.name} is not UTF-8", field="file"
        ) from None


def read_json(path: Path) -> dict[str, Any]:
    """A JSON object from a UTF-8 file, or a refusal that says the file is not one."""
    try:
        document = json.loads(read_text(path))
    except json.JSONDecodeError as error:
        raise InvalidInput(
            f"文件 {path.name} 不是有效的 JSON（第 {error.lineno} 行）",
            f"file {path.name} is not valid JSON (line {error.lineno})",
            field="file",
        ) from None
    if not isinstance(document, dict):
        raise InvalidInput(
            f"文件 {path.name} 须为一个 JSON 对象", f"file {path.name} must hold one JSON object",
            field="file",
        )  # fmt: skip
    return document
