"""The ``hutong`` command: the list of its commands and groups, each in the module it names.

``hutong units create`` lives in ``cli/units.py``, ``hutong serve`` in ``cli/serve.py``: the
command names the file. A module is imported only when its command runs, so ``hutong --help``
loads no domain code and ``hutong units …`` loads only what units need (importing the web app
or the demo seed alone takes over a second). ``COMMANDS`` is the one list: its order is the
order of ``hutong --help``, its lines are what that help shows for each entry."""

from __future__ import annotations

import importlib
from collections.abc import Iterator, MutableMapping
from typing import Any, NamedTuple

import typer
import typer.main
from typer.core import TyperCommand, TyperGroup


class Entry(NamedTuple):
    """One command or group of ``hutong``: its name, the module that holds it as ``app``,
    its line in ``hutong --help`` (Chinese, then English), and whether it is a group (a
    group of one command, like ``calendar load``, must stay a group)."""

    name: str
    module: str
    help: str
    group: bool = True

    def load(self) -> Any:
        """The Click command of this entry, built from its module's Typer app."""
        app = importlib.import_module(self.module).app
        command = typer.main.get_group(app) if self.group else typer.main.get_command(app)
        command.name = self.name
        command.short_help = self.help
        command.help = command.help or self.help
        return command


#: Setup first, then the domains in the order a platform is put to work, supervision last.
COMMANDS = (
    Entry(
        "init",
        "hutong.cli.init",
        "创建数据目录、迁移数据库、创建首个系统管理员 — initialise",
        group=False,
    ),
    Entry(
        "serve",
        "hutong.cli.serve",
        "启动 Web 服务：控制台、公开门户、API — run the web server",
        group=False,
    ),
    Entry(
        "demo", "hutong.cli.demo", "创建演示组织、账号、目录与数据集 — load the demo", group=False
    ),
    Entry("units", "hutong.cli.units", "单位（组织机构树） — units: the organisation tree"),
    Entry("users", "hutong.cli.users", "用户与角色 — users and their roles"),
    Entry(
        "catalog",
        "hutong.cli.catalog",
        "教育政务信息资源目录：检索、导入、导出、查看 — the resource catalog",
    ),
    Entry("data", "hutong.cli.data", "数据集：导入与版本 — datasets: ingest and versions"),
    Entry(
        "exchange",
        "hutong.cli.exchange",
        "共享交换：共享申请、审核、授权、撤销、逾期提醒、泄露文件溯源 — data sharing",
    ),
    Entry(
        "portal",
        "hutong.cli.portal",
        "开放平台：数据公开审核（自动检查、发布审核、安全审核、撤回） — open data releases",
    ),
    Entry(
        "disclosure",
        "hutong.cli.disclosure",
        "依申请公开：列表、查看、补正、延期、答复 — disclosure on request",
    ),
    Entry(
        "privacy",
        "hutong.cli.privacy",
        "个人信息保护：收集使用规则、同意、去标识化、统计发布、投诉 — personal information",
    ),
    Entry(
        "compliance",
        "hutong.cli.compliance",
        "监督检查：信息系统登记、合规规则、问题、整改通知单 — supervision",
    ),
    Entry("audit", "hutong.cli.audit", "审计日志：校验、检查点、保留期清除 — the audit log"),
    Entry(
        "calendar",
        "hutong.cli.calendar",
        "工作日历：载入国务院办公厅公布的放假安排 — the working calendar",
    ),
)


class Commands(MutableMapping[str, Any]):
    """``hutong``'s commands by name, each built from its module the first time it is asked
    for; its keys are every name, so Click's listing and typo suggestions see them all."""

    def __init__(self, entries: tuple[Entry, ...]) -> None:
        self.entries = {entry.name: entry for entry in entries}
        self.loaded: dict[str, Any] = {}

    def __getitem__(self, name: str) -> Any:
        if name not in self.loaded:
            self.loaded[name] = self.entries[name].load()
        return self.loaded[name]

    def __setitem__(self, name: str, command: Any) -> None:
        self.loaded[name] = command

    def __delitem__(self, name: str) -> None:
        del self.entries[name]
        self.loaded.pop(name, None)

    def __iter__(self) -> Iterator[str]:
        yield from self.entries
        yield from (name for name in self.loaded if name not in self.entries)

    def __len__(self) -> int:
        return len(self.entries.keys() | self.loaded.keys())


class LazyGroup(TyperGroup):
    """The root group: a command's module is imported when the command is resolved; while
    the root's own help is written, commands not yet loaded stand in by their help line."""

    def __init__(self, **attrs: Any) -> None:
        super().__init__(**attrs)
        self.commands = Commands(COMMANDS)
        self.listing = False

    def list_commands(self, ctx: Any) -> list[str]:
        return list(self.commands)

    def get_command(self, ctx: Any, cmd_name: str) -> Any:
        commands = self.commands
        assert isinstance(commands, Commands)
        entry = commands.entries.get(cmd_name)
        if self.listing and entry is not None and cmd_name not in commands.loaded:
            return TyperCommand(cmd_name, help=entry.help, short_help=entry.help)
        return commands.get(cmd_name)

    def format_help(self, ctx: Any, formatter: Any) -> None:
        self.listing = True
        try:
            super().format_help(ctx, formatter)
        finally:
            self.listing = False


app = typer.Typer(
    cls=LazyGroup,
    help="Hutong 互通 — 教育数据目录、共享交换、开放平台与数据安全",
    no_args_is_help=True,
)


@app.callback()
def hutong() -> None:
    """Every command is a subcommand; the callback only makes the root a group."""
