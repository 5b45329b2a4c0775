"""The ``hutong`` command: one Typer group per domain; commands parse, call a service, print."""

from __future__ import annotations

import sys
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Annotated, NoReturn, TypeVar

import typer
from rich.console import Console
from rich.table import Column, Table

from hutong.core.db import Database
from hutong.core.errors import HutongError
from hutong.core.settings import Settings

app = typer.Typer(
    help="Hutong 互通 — 教育数据目录、共享交换、开放平台与数据安全", no_args_is_help=True
)
units_app = typer.Typer(help="单位（组织机构树）", no_args_is_help=True)
users_app = typer.Typer(help="用户与角色", no_args_is_help=True)
audit_app = typer.Typer(help="审计日志：校验、检查点、保留期清除", no_args_is_help=True)
app.add_typer(units_app, name="units")
app.add_typer(users_app, name="users")
app.add_typer(audit_app, name="audit")
catalog_app = typer.Typer(help="教育政务信息资源目录：检索、导入、导出、查看", no_args_is_help=True)
calendar_app = typer.Typer(help="工作日历：载入国务院办公厅公布的放假安排", no_args_is_help=True)
app.add_typer(catalog_app, name="catalog")
app.add_typer(calendar_app, name="calendar")
data_app = typer.Typer(help="数据集：导入与版本", no_args_is_help=True)
app.add_typer(data_app, name="data")
compliance_app = typer.Typer(
    help="监督检查：信息系统登记、合规规则、问题、整改通知单", no_args_is_help=True
)
app.add_typer(compliance_app, name="compliance")
exchange_app = typer.Typer(
    help="共享交换：共享申请、审核、授权、撤销、逾期提醒、泄露文件溯源", no_args_is_help=True
)
app.add_typer(exchange_app, name="exchange")
privacy_app = typer.Typer(
    help="个人信息保护：收集使用规则、同意、去标识化、统计发布、投诉", no_args_is_help=True
)
app.add_typer(privacy_app, name="privacy")
portal_app = typer.Typer(
    help="开放平台：数据公开审核（自动检查、发布审核、安全审核、撤回）", no_args_is_help=True
)
app.add_typer(portal_app, name="portal")
disclosure_app = typer.Typer(help="依申请公开：列表、查看、补正、延期、答复", no_args_is_help=True)
app.add_typer(disclosure_app, name="disclosure")

out = Console()
err = Console(stderr=True)
T = TypeVar("T")

DataDir = Annotated[
    Path | None,
    typer.Option("--data-dir", envvar="HUTONG_DATA_DIR", help="数据目录（默认 ./hutong-data）"),
]


def settings_for(data_dir: Path | None) -> Settings:
    return Settings(data_dir=data_dir) if data_dir else Settings()


def fail(error: HutongError) -> NoReturn:
    """Print a domain error in Chinese (English below) and end the command with exit code 2."""
    field = f"（{error.field}）" if error.field else ""
    err.print(f"[red]错误{field}：{error.zh}[/red]\n[dim]{error.en}[/dim]")
    raise typer.Exit(2) from error


@contextmanager
def opened(data_dir: Path | None, create: bool = False) -> Iterator[Database]:
    """A migrated database for one command; domain errors end the command with exit code 2.
    Only ``create`` (``init``, ``demo``) may start a new data directory: every other command
    refuses a missing or uninitialised one before anything is created."""
    from hutong.migrations import require_initialised, upgrade

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
    finally:
        db.dispose()


def in_transaction(db: Database, work: Callable[..., T]) -> T:
    with db.transaction() as session:
        return work(session)


@app.command()
def init(
    data_dir: DataDir = None,
    unit_code: Annotated[str, typer.Option(help="平台运营单位代码")] = "MOE",
    unit_name: Annotated[str, typer.Option(help="平台运营单位名称")] = "中华人民共和国教育部",
    admin: Annotated[str, typer.Option(help="首个系统管理员用户名")] = "sysadmin",
) -> None:
    """创建数据目录、应用数据库迁移，并创建首个系统管理员（打印一次性密码）。"""
    from hutong.identity.bootstrap import bootstrap

    with opened(data_dir, create=True) as db:
        created = in_transaction(db, lambda s: bootstrap(s, unit_code, unit_name, admin))
    if created is None:
        out.print("[green]已初始化；数据库已是最新版本。[/green]")
        return
    out.print(f"[green]已创建系统管理员[/green] {admin}，一次性密码：[bold]{created}[/bold]")
    out.print("首次登录须修改密码，并绑定动态验证码（三员账号要求）。")


@app.command()
def serve(
    data_dir: DataDir = None,
    host: Annotated[str | None, typer.Option(help="监听地址")] = None,
    port: Annotated[int | None, typer.Option(help="端口")] = None,
) -> None:
    """应用迁移后启动 Web 服务（控制台 /console，公开门户 /，API /api/v1）。"""
    from hutong.migrations import upgrade
    from hutong.web import app as web

    settings = settings_for(data_dir)
    db = Database(settings)
    upgrade(db)
    from hutong.compliance import scheduler

    bind_host, bind_port = host or settings.host, port or settings.port
    schedule = scheduler.start(db)  # compliance rules every compliance_interval_minutes
    out.print(f"Hutong 互通 运行于 http://{bind_host}:{bind_port}/console")
    try:
        web.serve(web.create_app(settings, db), bind_host, bind_port)
    finally:
        if schedule is not None:
            schedule.shutdown(wait=False)


@app.command()
def demo(
    data_dir: DataDir = None,
    schools: Annotated[int, typer.Option(help="演示学校数量")] = 300,
    students: Annotated[
        int, typer.Option(min=100, help="演示学籍数据的学生人数（教师约为其 1/14）")
    ] = 1_000_000,
) -> None:
    """创建演示组织、每个角色一个演示账号、演示目录与数据集（幂等，可重复运行）。"""
    from hutong.demo.seed import seed

    with opened(data_dir, create=True) as db:
        accounts_file = seed(db, schools=schools, console=out, students=students)
    out.print(f"演示账号已写入 [bold]{accounts_file}[/bold]（仅所有者可读）")


# --- units ------------------------------------------------------------------------------


@units_app.command("create")
def units_create(
    code: Annotated[str, typer.Option(help="统一社会信用代码 / 学校标识码 / 内部代码")],
    name: Annotated[str, typer.Option(help="单位名称")],
    kind: Annotated[
        str,
        typer.Option(
            help="ministry_department | affiliated_unit | provincial_department | school | other_government"
        ),
    ],
    parent: Annotated[str | None, typer.Option(help="上级单位代码")] = None,
    data_dir: DataDir = None,
) -> None:
    """创建单位。"""
    from hutong.identity.authz import system_actor
    from hutong.identity.schemas import UnitCreate
    from hutong.identity.service import create_unit

    with opened(data_dir) as db:
        data = _parsed(UnitCreate, code=code, name=name, kind=kind, parent_code=parent)
        in_transaction(db, lambda s: create_unit(s, system_actor("cli"), data))
    out.print(f"[green]已创建单位[/green] {code} {name}")


@units_app.command("list")
def units_list(data_dir: DataDir = None) -> None:
    """列出单位。"""
    from hutong.identity.authz import system_actor
    from hutong.identity.models import UNIT_KIND_ZH, UnitKind
    from hutong.identity.service import list_units

    with opened(data_dir) as db:
        rows = in_transaction(
            db, lambda s: [(u.code, u.name, u.kind) for u in list_units(s, system_actor("cli"))]
        )
    table = Table("代码", "名称", "类型")
    for code, name, kind in rows:
        table.add_row(code, name, UNIT_KIND_ZH[UnitKind(kind)])
    out.print(table)


# --- users ------------------------------------------------------------------------------


@users_app.command("create")
def users_create(
    username: Annotated[str, typer.Option(help="用户名")],
    unit: Annotated[str, typer.Option(help="所属单位代码")],
    role: Annotated[list[str], typer.Option(help="角色，可重复")],
    display_name: Annotated[str | None, typer.Option(help="姓名（默认同用户名）")] = None,
    password_stdin: Annotated[
        bool, typer.Option("--password-stdin", help="从标准输入读取密码")
    ] = False,
    data_dir: DataDir = None,
) -> None:
    """创建用户；不给密码时生成一次性密码，首次登录须修改。"""
    from hutong.identity.authz import system_actor
    from hutong.identity.schemas import UserCreate
    from hutong.identity.service import create_user

    password = sys.stdin.readline().rstrip("\n") if password_stdin else None
    with opened(data_dir) as db:
        data = _parsed(
            UserCreate,
            username=username,
            display_name=display_name or username,
            unit_code=unit,
            roles=role,
            password=password,
        )
        created = in_transaction(db, lambda s: create_user(s, system_actor("cli"), data))
    out.print(f"[green]已创建用户[/green] {username}（{', '.join(created.roles)}）")
    if created.one_time_password:
        out.print(f"一次性密码：[bold]{created.one_time_password}[/bold]（首次登录须修改）")


@users_app.command("roles")
def users_roles(
    username: Annotated[str, typer.Option(help="用户名")],
    role: Annotated[list[str], typer.Option(help="新的角色集合，可重复")],
    data_dir: DataDir = None,
) -> None:
    """替换用户的角色（三员互斥）。"""
    from hutong.identity.authz import system_actor
    from hutong.identity.schemas import RolesUpdate
    from hutong.identity.service import set_roles

    with opened(data_dir) as db:
        roles = _parsed(RolesUpdate, roles=role).roles
        in_transaction(db, lambda s: set_roles(s, system_actor("cli"), username, roles))
    out.print(f"[green]已更新角色[/green] {username}")


@users_app.command("disable")
def users_disable(
    username: Annotated[str, typer.Option(help="用户名")], data_dir: DataDir = None
) -> None:
    """停用账号（如离职、长期未使用）；停用后其令牌与会话立即失效。"""
    _set_enabled(username, False, data_dir)


@users_app.command("enable")
def users_enable(
    username: Annotated[str, typer.Option(help="用户名")], data_dir: DataDir = None
) -> None:
    """启用账号，并清除锁定。"""
    _set_enabled(username, True, data_dir)


def _set_enabled(username: str, enabled: bool, data_dir: Path | None) -> None:
    from hutong.identity.authz import system_actor
    from hutong.identity.service import set_enabled

    with opened(data_dir) as db:
        in_transaction(db, lambda s: set_enabled(s, system_actor("cli"), username, enabled))
    out.print(f"[green]已{'启用' if enabled else '停用'}账号[/green] {username}")


# --- audit ------------------------------------------------------------------------------


@audit_app.command("verify")
def audit_verify(
    data_dir: DataDir = None,
    checkpoints: Annotated[
        Path | None,
        typer.Option(
            help="在平台之外保存的签名检查点导出文件（audit export-checkpoints 的输出）；"
            "链中对应序号的哈希须与之一致，可发现被替换的数据库或重建的审计链"
        ),
    ] = None,
    allow_empty: Annotated[
        bool, typer.Option(help="没有任何审计事件也视为通过（仅限确知尚未使用的数据目录）")
    ] = False,
) -> None:
    """校验整条审计哈希链与签名检查点；发现篡改时指出第一个异常事件并以非零状态退出。"""
    from hutong.audit.checkpoints import read_exported
    from hutong.audit.verify import record_verification, verify_chain
    from hutong.identity.authz import system_actor

    with opened(data_dir) as db:
        exported = read_exported(checkpoints) if checkpoints else None
        report = verify_chain(db.engine, db.settings, exported=exported, allow_empty=allow_empty)
        in_transaction(db, lambda s: record_verification(s, system_actor("verify"), report))
    if report.ok:
        out.print(
            f"[green]审计链完整[/green]：{report.events} 个事件，{report.checkpoints} 个签名检查点，"
            f"链头序号 {report.head_seq}"
        )
        if exported is not None:
            out.print(
                f"与导出的 {report.exported} 个签名检查点一致"
                + (f"（其中 {report.exported_purged} 个早于保留期清除，无法比对）"
                   if report.exported_purged else "")
            )  # fmt: skip
        return
    bad = report.first_bad
    assert bad is not None
    err.print(f"[red]审计链被篡改[/red]：第一个异常事件序号 {bad.seq} — {bad.reason_zh}")
    err.print(f"[dim]audit chain broken: first bad event seq {bad.seq} — {bad.reason_en}[/dim]")
    raise typer.Exit(1)


@audit_app.command("checkpoint")
def audit_checkpoint(data_dir: DataDir = None) -> None:
    """立即对链头签名一个检查点。"""
    from hutong.audit.service import checkpoint_now

    with opened(data_dir) as db:
        seq = in_transaction(db, checkpoint_now)
    out.print(f"已签名检查点，序号 {seq}")


@audit_app.command("export-checkpoints")
def audit_export_checkpoints(file: Path, data_dir: DataDir = None) -> None:
    """导出签名检查点与公钥（JSON），供离线核验。"""
    from hutong.audit.checkpoints import export_checkpoints

    with opened(data_dir) as db:
        count = in_transaction(db, lambda s: export_checkpoints(s, file))
    out.print(f"已导出 {count} 个检查点到 {file}")


@audit_app.command("purge")
def audit_purge(
    retention_days: Annotated[int | None, typer.Option(help="保留天数（不少于 180）")] = None,
    data_dir: DataDir = None,
) -> None:
    """把超过保留期的事件导出为签名归档后清除；链在清除后仍可校验。"""
    from hutong.audit.retention import purge
    from hutong.identity.authz import system_actor

    with opened(data_dir) as db:
        result = in_transaction(db, lambda s: purge(s, system_actor("retention"), retention_days))
    if result.purged:
        out.print(
            f"已清除 {result.purged} 个事件（序号 {result.first_seq}–{result.last_seq}），"
            f"归档：{result.archive}"
        )
    else:
        out.print("没有超过保留期的事件。")


# --- catalog ----------------------------------------------------------------------------

ActingUser = Annotated[str, typer.Option("--as", help="以该用户身份执行（须为已启用的账号）")]


def acting(session, username: str):  # type: ignore[no-untyped-def]
    """The actor for a command run on behalf of a user from the host's shell."""
    from hutong.core.errors import AuthenticationFailed
    from hutong.identity.auth import actor_for
    from hutong.identity.service import user_by_name

    user = user_by_name(session, username)
    if not user.enabled:
        raise AuthenticationFailed("账号已停用", "account disabled", field="as")
    return actor_for(user, client_address="cli")


@catalog_app.command("search")
def catalog_search(
    q: str,
    user: ActingUser,
    data_dir: DataDir = None,
    limit: Annotated[int, typer.Option(help="显示条数")] = 20,
) -> None:
    """检索已发布的目录（中文全文检索）。"""
    from hutong.catalog.search import Query, search
    from hutong.catalog.vocab import ShareType

    with opened(data_dir) as db, db.transaction() as session:
        page = search(session, acting(session, user), Query(q=q, limit=limit))
        rows = [
            (r.code, r.name, r.provider_unit.name, ShareType(r.share_type).zh)
            for r in page.resources
        ]
    table = Table("资源代码", "名称", "提供方", "共享类型", title=f"共 {page.total} 条")
    for row in rows:
        table.add_row(*row)
    out.print(table)


@catalog_app.command("show")
def catalog_show(code: str, user: ActingUser, data_dir: DataDir = None) -> None:
    """以 JSON 显示一条信息资源。"""
    from hutong.catalog import service

    with opened(data_dir) as db, db.transaction() as session:
        text = service.out(service.read(session, acting(session, user), code)).model_dump_json(
            indent=2
        )
    out.print_json(text)


@catalog_app.command("import")
def catalog_import(file: Path, user: ActingUser, data_dir: DataDir = None) -> None:
    """导入目录（.xlsx 工作簿、.json 或 .csv）；有任何错误则全部不导入，并逐行列出错误。"""
    from hutong.catalog import revisions, service, workbook
    from hutong.core.errors import ImportRejected

    suffix = file.suffix.lower().lstrip(".")
    try:
        with opened(data_dir) as db:
            with out.status(f"校验 {file.name}…"):
                parsed = workbook.parse(file.read_bytes(), suffix)
            with out.status(f"写入 {len(parsed.entries)} 条信息资源…"), db.transaction() as session:
                actor = acting(session, user)
                saved = service.import_entries(session, actor, parsed, suffix)
                pending = revisions.awaiting_review(session, actor, saved)
    except typer.Exit as stop:
        if isinstance(stop.__cause__, ImportRejected):
            for problem in stop.__cause__.problems[:200]:
                err.print(f"  {problem['message']}")
        raise
    out.print(f"[green]已导入 {len(saved)} 条信息资源[/green]")
    if pending:
        out.print(
            f"其中 {len(pending)} 条已发布资源的修改放宽了保护，已提交目录审核员审核，"
            f"审核通过前不生效：{'、'.join(pending)}",
            soft_wrap=True,
        )


@catalog_app.command("export")
def catalog_export(
    file: Path,
    user: ActingUser,
    data_dir: DataDir = None,
    q: Annotated[str, typer.Option(help="只导出匹配的条目")] = "",
) -> None:
    """导出已发布的目录；格式由文件扩展名决定（.xlsx / .json / .csv）。"""
    from hutong.catalog import service, workbook

    fmt = file.suffix.lower().lstrip(".")
    with opened(data_dir) as db:
        fmt = workbook.check_format(fmt)  # refuse a bad extension before anything is read
        with db.transaction() as session:
            entries = service.export_entries(session, acting(session, user), q, fmt)
        file.write_bytes(workbook.export(entries, fmt))
    out.print(f"已导出 {len(entries)} 条信息资源到 {file}")


@catalog_app.command("overlaps")
def catalog_overlaps(
    user: ActingUser,
    data_dir: DataDir = None,
    missing: Annotated[bool, typer.Option("--missing", help="只列出尚未说明理由的")] = False,
    limit: Annotated[int, typer.Option(help="显示条数")] = 100,
) -> None:
    """一数一源：列出已由其他单位信息资源提供、又被重复登记的信息项及其说明（目录审核员）。"""
    from hutong.catalog.overlaps import grouped, listing

    with opened(data_dir) as db, db.transaction() as session:
        total, rows = listing(session, acting(session, user), missing, 0, limit)
    out.print(f"共 {total} 个重复登记的信息项")
    for first, items in grouped(rows):
        why = first.justification or "[red]未说明理由[/red]"
        out.print(
            f"{first.code} {first.name}（{first.unit}）：{'、'.join(items)}\n"
            f"  已由 {first.source_code} {first.source_name}（{first.source_unit}）提供；说明：{why}",
            soft_wrap=True,
        )


# --- data -------------------------------------------------------------------------------


@data_app.command("ingest")
def data_ingest(
    code: str,
    file: Path,
    user: ActingUser,
    data_dir: DataDir = None,
    map_: Annotated[list[str] | None, typer.Option("--map", help="列名=信息项名，可重复")] = None,
    on_invalid: Annotated[
        str,
        typer.Option(help="reject：有无效值则整个文件不导入；quarantine：无效行另存 rejects.csv"),
    ] = "reject",
    key: Annotated[
        list[str] | None, typer.Option(help="主键信息项，可重复（用于唯一性检查）")
    ] = None,
) -> None:
    """把 CSV（UTF-8 或 GBK）、XLSX、JSON Lines 或 Parquet 文件导入为信息资源的新数据版本；失败时保留原版本。"""
    from hutong.data.ingest import ingest_file
    from hutong.data.mapping import from_pairs
    from hutong.data.service import summary

    with opened(data_dir) as db:
        mapping = from_pairs(map_)
        with db.transaction() as session:
            actor = acting(session, user)
        with out.status(f"导入 {file.name}（编码识别、校验、转换为 Parquet）…"):
            version = ingest_file(db, actor, code, file, mapping, on_invalid, key)
        told, encoding, score = summary(version), version.source_encoding, version.quality_score
    out.print(
        f"[green]已发布第 {told.version} 版[/green]（源文件编码 {encoding}，质量得分 {score}）："
        f"{told.zh}",
        soft_wrap=True,
    )
    if told.set_aside:
        out.print(
            f"被隔离的行及原因：hutong data rejects {code} {told.version} --as {user}",
            soft_wrap=True,
        )


@data_app.command("rejects")
def data_rejects(
    code: str,
    version: int,
    user: ActingUser,
    data_dir: DataDir = None,
    output: Annotated[
        Path | None, typer.Option("--out", help="写入的文件（默认 rejects-v版本号.csv）")
    ] = None,
) -> None:
    """导出某一数据版本被隔离的行（含行号与原因）为 CSV，供修改后重新导入（本单位数据管理员）。"""
    from hutong.data.service import rejects_file

    target = output or Path(f"rejects-v{version}.csv")
    with opened(data_dir) as db:
        with db.transaction() as session:
            chunks = rejects_file(session, acting(session, user), code, version)
        with target.open("wb") as handle:
            handle.writelines(chunks)
    out.print(f"已写出被隔离的行：{target}")


@data_app.command("rotate-master-key")
def data_rotate_master_key(user: ActingUser, data_dir: DataDir = None) -> None:
    """轮换主密钥：所有数据密钥在一个事务中重新封装，数据文件不重写；旧主密钥随后销毁（安全保密管理员）。"""
    from hutong.data import keys

    with opened(data_dir) as db:
        with db.transaction() as session:
            new_id, rewrapped, retired = keys.rotate_master(session, acting(session, user))
        with db.sessions() as session:
            keys.erase_retired(session, retired)
    out.print(
        f"[green]新主密钥 {new_id}[/green]：重新封装 {rewrapped} 个数据密钥，销毁旧主密钥 {len(retired)} 个"
    )


@data_app.command("destroy-key")
def data_destroy_key(
    code: str,
    user: ActingUser,
    reason: Annotated[str, typer.Option(help="销毁原因（必填，记入审计）")],
    data_dir: DataDir = None,
) -> None:
    """销毁信息资源的数据密钥：其所有加密版本从此不可读取，不可恢复（安全保密管理员）。"""
    from hutong.data import keys

    with opened(data_dir) as db, db.transaction() as session:
        count = keys.destroy(session, acting(session, user), code, reason)
    out.print(f"已销毁 {code} 的 {count} 个数据密钥；其加密版本已不可读取")


# --- compliance -------------------------------------------------------------------------


@compliance_app.command("run")
def compliance_run(
    data_dir: DataDir = None,
    rule: Annotated[list[str] | None, typer.Option(help="只运行这些规则，可重复")] = None,
    subject: Annotated[
        list[str] | None, typer.Option(help="只运行这类对象的规则（system、resource…），可重复")
    ] = None,
) -> None:
    """立即运行合规规则（默认全部），新开、关闭或重新打开问题。"""
    from rich.progress import Progress

    from hutong.compliance import runner
    from hutong.compliance.rules import selected
    from hutong.identity.authz import system_actor

    with opened(data_dir) as db, Progress(console=out, transient=True) as progress:
        task = progress.add_task("运行合规规则…", total=len(selected(rule, subject)))
        done = in_transaction(
            db,
            lambda s: runner.run(
                s,
                system_actor("compliance"),
                rule,
                subject,
                progress=lambda r: progress.update(task, advance=1, description=r.id),
            ),
        )
    out.print(
        f"[green]已运行 {done.rules} 条规则[/green]（{done.seconds:.2f} 秒）：未通过 {done.failing} 项，"
        f"新开 {done.opened}，重新打开 {done.reopened}，关闭 {done.closed}"
    )


@compliance_app.command("rules")
def compliance_rules(data_dir: DataDir = None) -> None:
    """列出全部合规规则及其依据条款（不读数据库；--data-dir 仅为与其他命令一致）。"""

    from hutong.compliance.findings import rules_catalog

    table = Table(
        Column("规则", no_wrap=True), Column("依据", no_wrap=True), "级别", "对象", "标题"
    )
    for row in rules_catalog():
        table.add_row(row["id"], row["article"], row["severity"], row["subject"], row["title_zh"])
    out.print(table)


@compliance_app.command("findings")
def compliance_findings(
    user: ActingUser,
    data_dir: DataDir = None,
    unit: Annotated[str | None, typer.Option(help="责任单位代码")] = None,
    status: Annotated[str, typer.Option(help="open | closed | all")] = "open",
    limit: Annotated[int, typer.Option(help="显示条数")] = 100,
) -> None:
    """列出问题（本单位人员只能看到本单位的问题）。"""
    from hutong.compliance import findings

    with opened(data_dir) as db, db.transaction() as session:
        rows = findings.list_findings(
            session,
            acting(session, user),
            status=None if status == "all" else status,
            unit_code=unit,
            limit=limit,
        )

    table = Table(
        "编号",
        "规则",
        Column("依据", no_wrap=True),
        "对象",
        "单位",
        "状态",
        title=f"共 {len(rows)} 项",
    )
    for f in rows:
        table.add_row(str(f.id), f.title_zh, f.article, f.subject_id, f.unit_code or "", f.status)
    out.print(table)


@compliance_app.command("notices")
def compliance_notices(
    user: ActingUser,
    data_dir: DataDir = None,
    state: Annotated[
        str | None, typer.Option(help="issued | answered | escalated | closed")
    ] = None,
    overdue: Annotated[bool, typer.Option("--overdue", help="只列逾期未整改的")] = False,
) -> None:
    """列出整改通知单；--state escalated 即通报名单。"""
    from hutong.compliance import notices

    with opened(data_dir) as db, db.transaction() as session:
        rows = [
            (n.number, n.unit.name, notices.STATE_ZH[n.state], n.deadline.isoformat())
            for n in notices.list_notices(
                session, acting(session, user), state=state, overdue_only=overdue
            )
        ]
    table = Table("编号", "责任单位", "状态", "整改期限")
    for row in rows:
        table.add_row(*row)
    out.print(table)


@compliance_app.command("escalate")
def compliance_escalate(data_dir: DataDir = None) -> None:
    """通报：把逾期未整改的通知单转为已通报（定时任务也会执行）。"""
    from hutong.compliance import notices
    from hutong.identity.authz import system_actor

    with opened(data_dir) as db:
        numbers = in_transaction(
            db,
            lambda s: [n.number for n in notices.escalate_overdue(s, system_actor("compliance"))],
        )
    out.print(f"已通报 {len(numbers)} 份通知单" + (f"：{'、'.join(numbers)}" if numbers else ""))


@compliance_app.command("systems")
def compliance_systems(user: ActingUser, data_dir: DataDir = None) -> None:
    """列出信息系统登记（人数、等级保护、负责人、备案、未关闭问题）。"""
    from hutong.compliance import registry

    with opened(data_dir) as db, db.transaction() as session:
        rows = registry.list_systems(session, acting(session, user))
    table = Table("编号", "名称", "主管单位", "个人信息人数", "等保", "保护负责人", "问题")
    for s in rows:
        p = s.profile
        table.add_row(
            str(s.id),
            s.name,
            s.owner_unit_name,
            f"{p.persons_pi:,}" if p else "未登记",
            str(p.mlps_level or "—") if p else "—",
            (p.pi_officer_username or "—") if p else "—",
            str(s.open_findings),
        )
    out.print(table)


@compliance_app.command("register-system")
def compliance_register_system(file: Path, user: ActingUser, data_dir: DataDir = None) -> None:
    """按 JSON 文件（与 POST /api/v1/systems 相同）登记一个信息系统。"""
    import json

    from hutong.compliance import registry
    from hutong.compliance.schemas import SystemIn

    with opened(data_dir) as db:
        data = _parsed(SystemIn, **json.loads(file.read_text(encoding="utf-8")))
        with db.transaction() as session:
            system_id = registry.register(session, acting(session, user), data).id
    out.print(f"[green]已登记信息系统[/green] {data.name}（编号 {system_id}）")


# --- privacy ----------------------------------------------------------------------------


@privacy_app.command("publish-notice")
def privacy_publish_notice(file: Path, user: ActingUser, data_dir: DataDir = None) -> None:
    """按 JSON 文件（与 POST /api/v1/collection-notices 相同）公布信息系统的新版收集使用规则。"""
    import json

    from hutong.privacy import notices
    from hutong.privacy.schemas import NoticeIn

    with opened(data_dir) as db:
        data = _parsed(NoticeIn, **json.loads(file.read_text(encoding="utf-8")))
        with db.transaction() as session:
            notice = notices.publish(session, acting(session, user), data)
            version, material = notice.version, notice.material_change
    note = "（目的、方式或种类已变更：此前的同意须重新取得）" if material else ""
    out.print(f"[green]已公布第 {version} 版收集使用规则[/green]{note}")


@privacy_app.command("import-consents")
def privacy_import_consents(
    system_id: int,
    notice_version: int,
    file: Path,
    user: ActingUser,
    receipts: Annotated[Path, typer.Option(help="凭证码输出文件（CSV：line,code）")],
    data_dir: DataDir = None,
) -> None:
    """从 CSV 批量导入同意记录（每行一项用途或一类敏感信息）；有错误则整个文件不导入。"""
    import csv

    from hutong.privacy import consent

    with opened(data_dir) as db, db.transaction() as session:
        count, codes = consent.import_file(
            session, acting(session, user), system_id, notice_version, file.read_bytes()
        )
    with receipts.open("w", encoding="utf-8", newline="") as handle:
        writer = csv.DictWriter(handle, fieldnames=["line", "code"])
        writer.writeheader()
        writer.writerows(codes)
    receipts.chmod(0o600)
    out.print(f"[green]已导入 {count} 项同意[/green]；凭证码写入 {receipts}（仅所有者可读）")


@privacy_app.command("check-consents")
def privacy_check_consents(
    system_id: int,
    purpose: str,
    file: Path,
    user: ActingUser,
    column: Annotated[str, typer.Option(help="证件号所在列")] = "subject_id",
    sensitive: Annotated[list[str] | None, typer.Option(help="还须单独同意的敏感类别")] = None,
    data_dir: DataDir = None,
) -> None:
    """回答“这些人的数据能否为此目的处理”：对 CSV/Parquet 文件的证件号列做一次批量连接。"""
    import duckdb

    from hutong.data.sql import literal
    from hutong.privacy import ledger

    with opened(data_dir) as db:
        with db.transaction() as session:
            consents = ledger.open_check(
                session, acting(session, user), system_id, purpose, sensitive or []
            )
        reader = "read_parquet" if file.suffix == ".parquet" else "read_csv_auto"
        relation = (
            f"{reader}({literal(str(file))}, all_varchar=true)"
            if reader != "read_parquet"
            else f"read_parquet({literal(str(file))})"
        )
        allowed, refused = ledger.count(duckdb.connect(), relation, column, consents)
    out.print(f"可处理 {allowed:,} 行，不可处理 {refused:,} 行")


@privacy_app.command("anonymize")
def privacy_anonymize(
    file: Path,
    quasi: Annotated[list[str], typer.Option(help="准标识符列，可重复")],
    k: Annotated[int, typer.Option(help="目标 k")] = 5,
    budget: Annotated[float, typer.Option(help="最多隐匿的行比例")] = 0.05,
    output: Annotated[Path | None, typer.Option(help="写出泛化后的 Parquet 文件")] = None,
) -> None:
    """对本地 Parquet 文件测量 k-匿名、给出泛化方案并（可选）写出结果，打印前后风险。"""
    import duckdb

    from hutong.data.sql import literal
    from hutong.privacy import anonymity

    connection = duckdb.connect()
    connection.execute(f"CREATE VIEW t AS SELECT * FROM read_parquet({literal(str(file))})")
    try:
        before = anonymity.measure(connection, "t", quasi, k=k)
        proposals = anonymity.propose_generalizations(connection, "t", quasi, k, budget=budget)
        sql = anonymity.generalized_sql(connection, "t", quasi, proposals, k)
        after = anonymity.measure(connection, f"({sql})", quasi, k=k)
    except HutongError as error:
        err.print(f"[red]错误（{error.field}）：{error.zh}[/red]")
        raise typer.Exit(2) from error
    for p in proposals:
        out.print(f"· {p.zh}")
    out.print(
        f"之前：k={before.k_achieved}，最大重识别风险 {before.max_risk:.3f}，平均 {before.average_risk:.4f}；"
        f"之后：k={after.k_achieved}，最大 {after.max_risk:.3f}，平均 {after.average_risk:.4f}，{after.rows:,} 行"
    )
    if output:
        connection.execute(f"COPY ({sql}) TO {literal(str(output))} (FORMAT PARQUET)")


@privacy_app.command("complaints")
def privacy_complaints(
    user: ActingUser,
    data_dir: DataDir = None,
    state: Annotated[str | None, typer.Option(help="received | answered")] = None,
) -> None:
    """列出个人信息投诉（个人信息保护负责人、安全保密管理员），逾期标红。"""
    from hutong.privacy import complaints

    with opened(data_dir) as db, db.transaction() as session:
        rows = complaints.list_all(session, acting(session, user), state)
    table = Table("受理编号", "类别", "状态", "答复期限")
    for c in rows:
        due = f"[red]{c.due_date}[/red]" if c.overdue else str(c.due_date)
        table.add_row(c.number, c.category, c.state, due)
    out.print(table)


# --- calendar ---------------------------------------------------------------------------


# --- open portal ----------------------------------------------------------------------


@portal_app.command("releases")
def portal_releases(
    user: ActingUser,
    data_dir: DataDir = None,
    state: Annotated[str, typer.Option(help="只列出该状态（如 awaiting_publisher、public）")] = "",
) -> None:
    """列出数据公开申请及其状态、自动检查结果。"""
    from hutong.openportal import release

    with opened(data_dir) as db, db.transaction() as session:
        rows = release.queue(session, acting(session, user), (state,) if state else ())
        lines = [
            (str(r.id), e.code, e.name, str(r.version), release.STATE_ZH[r.state],
             "；".join(p["zh"] for p in r.check_report.get("problems", [])) or "—")
            for r, e in rows
        ]  # fmt: skip
    table = Table(
        "编号", "资源代码", "名称", "版本", "状态", "自动检查", title=f"共 {len(lines)} 条"
    )
    for line in lines:
        table.add_row(*line)
    out.print(table)


@portal_app.command("submit")
def portal_submit(
    code: str,
    user: ActingUser,
    data_dir: DataDir = None,
    version: Annotated[int | None, typer.Option(help="数据版本（默认最新版本）")] = None,
) -> None:
    """申请公开一个主动公开资源的数据版本；立即运行自动检查（直接标识符、k-匿名、小单元格）。"""
    from hutong.openportal import release

    with opened(data_dir) as db, db.transaction() as session:
        row = release.submit(session, acting(session, user), code, version)
        state, report = row.state, row.check_report
        number = row.id
    out.print(f"公开申请 {number}：{release.STATE_ZH[state]}")
    for problem in report["problems"]:
        rows = (
            f"（行 {', '.join(map(str, problem['sample_rows']))}）"
            if problem.get("sample_rows")
            else ""
        )
        out.print(f"  [red]✗[/red] {problem['zh']}{rows}")
        for proposal in problem.get("proposals", []):
            out.print(f"      建议：{proposal['zh']}")


@portal_app.command("step")
def portal_step(
    release_id: int,
    name: Annotated[str, typer.Argument(help="approve / reject / clear / refuse / withdraw")],
    user: ActingUser,
    data_dir: DataDir = None,
    note: Annotated[
        str, typer.Option(help="意见或理由；安全审核（clear/refuse）须填写政策风险评估意见")
    ] = "",
) -> None:
    """审核数据公开申请：发布审核（approve/reject）、安全审核（clear/refuse）或撤回公开（withdraw）。"""
    from hutong.openportal import release

    with opened(data_dir) as db, db.transaction() as session:
        state = release.transition(session, acting(session, user), release_id, name, note).state
    out.print(f"公开申请 {release_id}：{release.STATE_ZH[state]}")


@disclosure_app.command("list")
def disclosure_list(
    user: ActingUser,
    data_dir: DataDir = None,
    state: Annotated[str, typer.Option(help="received / correction / answered")] = "",
) -> None:
    """列出依申请公开申请（不含申请人个人信息），按答复期限排序。"""
    from hutong.openportal import disclosure

    with opened(data_dir) as db, db.transaction() as session:
        rows = [
            (r.tracking_no, disclosure.STATE_ZH[r.state], r.due_date.isoformat(),
             "已延期" if r.extended else "", r.description[:40])
            for r in disclosure.listing(session, acting(session, user), state or None)
        ]  # fmt: skip
    table = Table("申请编号", "状态", "答复期限", "延期", "申请内容", title=f"共 {len(rows)} 件")
    for row in rows:
        table.add_row(*row)
    out.print(table)


@disclosure_app.command("step")
def disclosure_step(
    tracking_no: str,
    name: Annotated[str, typer.Argument(help="ask_correction / extend / decide")],
    user: ActingUser,
    data_dir: DataDir = None,
    note: Annotated[str, typer.Option(help="补正：需申请人补充的内容")] = "",
    days: Annotated[int, typer.Option(help="延期：工作日数（≤ 20，仅一次）")] = 0,
    reason: Annotated[str, typer.Option(help="延期理由，或不予公开、部分公开的法律依据")] = "",
    approver: Annotated[str, typer.Option(help="延期：批准的负责人")] = "",
    decision: Annotated[
        str, typer.Option(help="答复：disclose / partial / refuse / not_exist / not_ours")
    ] = "",
    answer: Annotated[str, typer.Option(help="答复：公开的内容及获取方式")] = "",
    other_office: Annotated[str, typer.Option(help="答复 not_ours：负责公开的机关")] = "",
) -> None:
    """办理依申请公开：要求补正、延长答复期限（一次）或答复。"""
    from hutong.openportal import disclosure
    from hutong.openportal.schemas import DisclosureStepIn

    body = DisclosureStepIn(
        note=note, days=days, reason=reason, approver=approver, decision=decision,
        answer=answer, other_office=other_office,
    )  # fmt: skip
    with opened(data_dir) as db, db.transaction() as session:
        request = disclosure.apply(session, acting(session, user), tracking_no, name, body)
        state, due = request.state, request.due_date
    out.print(f"{tracking_no}：{disclosure.STATE_ZH[state]}，答复期限 {due.isoformat()}")


@calendar_app.command("load")
def calendar_load(file: Path, data_dir: DataDir = None) -> None:
    """载入官方放假与调休安排（CSV：date,is_workday,note），用于库中尚无的年份。"""
    from hutong.audit.service import Category, record
    from hutong.core.calendar import load_schedule, parse_schedule_csv
    from hutong.identity.authz import Target, authorize, system_actor
    from hutong.identity.roles import Action

    actor = system_actor("calendar")
    with opened(data_dir) as db:
        rows = parse_schedule_csv(file.read_text(encoding="utf-8-sig"))
        with db.transaction() as session:
            authorize(session, actor, Action.CONFIG_MANAGE, Target("calendar"))
            count = load_schedule(session, rows)
            record(
                session,
                actor,
                "calendar.load",
                category=Category.CONFIG,
                target=Target("calendar"),
                rows=count,
            )
    out.print(f"已载入 {count} 个日期")


# --- exchange ---------------------------------------------------------------------------


@exchange_app.command("apply")
def exchange_apply(
    code: str,
    user: ActingUser,
    purpose: Annotated[str, typer.Option(help="用途")],
    item: Annotated[list[str], typer.Option(help="申请的信息项，可重复（最小必要）")],
    category: Annotated[str, typer.Option(help="用途类别，如 verification、statistics")] = (
        "administration"
    ),
    mode: Annotated[str, typer.Option(help="online_only（用而不存）| file_delivery")] = (
        "online_only"
    ),
    measures: Annotated[str, typer.Option(help="安全保护措施")] = "专人负责，专网访问",
    until: Annotated[str | None, typer.Option(help="使用期限截止日 YYYY-MM-DD")] = None,
    data_dir: DataDir = None,
) -> None:
    """申请共享一条信息资源（无条件共享即时授权；不予共享被拒并给出依据）。"""
    from hutong.exchange import applications
    from hutong.exchange.schemas import ApplicationIn

    data = _parsed(
        ApplicationIn,
        resource_code=code,
        purpose=purpose,
        purpose_category=category,
        items=item,
        access_mode=mode,
        security_measures=measures,
        period_until=until,
    )
    with opened(data_dir) as db, db.transaction() as session:
        application = applications.submit(session, acting(session, user), data)
        status, due = application.status, application.due_date
        number = application.id
    out.print(f"[green]共享申请 {number}[/green]：{status}" + (f"，答复期限 {due}" if due else ""))


@exchange_app.command("list")
def exchange_list(
    user: ActingUser,
    view: Annotated[str, typer.Option(help="mine | review | overdue | all")] = "mine",
    data_dir: DataDir = None,
) -> None:
    """列出共享申请及其答复期限。"""
    from hutong.exchange import service

    with opened(data_dir) as db, db.transaction() as session:
        rows = [
            service.out(session, a) for a in service.listing(session, acting(session, user), view)
        ]
    table = Table(Column("编号", no_wrap=True), "信息资源", "申请单位", "状态", "答复期限", "逾期")
    for a in rows:
        due = "暂停" if a.paused else str(a.due_date or "—")
        table.add_row(
            str(a.id),
            a.resource_name,
            a.applicant_unit,
            a.status_label,
            due,
            "是" if a.overdue else "",
        )
    out.print(table)


@exchange_app.command("step")
def exchange_step(
    application_id: int,
    name: Annotated[
        str,
        typer.Argument(
            help="request_info | supplement | approve | refuse | security_approve | security_refuse | withdraw"
        ),
    ],
    user: ActingUser,
    reason: Annotated[str, typer.Option(help="理由（拒绝、要求补充材料时必填）")] = "",
    data_dir: DataDir = None,
) -> None:
    """推进共享申请：答复、补充、安全审核、撤回。"""
    from hutong.exchange import applications

    with opened(data_dir) as db, db.transaction() as session:
        status = applications.transition(
            session, acting(session, user), application_id, name, reason
        ).status
    out.print(f"[green]共享申请 {application_id}[/green]：{status}")


@exchange_app.command("grants")
def exchange_grants(user: ActingUser, data_dir: DataDir = None) -> None:
    """列出本单位使用或提供的共享授权。"""
    from hutong.exchange import grants, service

    with opened(data_dir) as db, db.transaction() as session:
        rows = [service.grant_out(g) for g in grants.visible(session, acting(session, user))]
    table = Table(Column("授权", no_wrap=True), "信息资源", "使用单位", "方式", "有效期至", "状态")
    for g in rows:
        table.add_row(
            g.code,
            g.resource_name,
            g.consumer_unit,
            g.access_mode,
            str(g.valid_until.date()),
            g.state,
        )
    out.print(table)


@exchange_app.command("revoke")
def exchange_revoke(
    grant: str,
    user: ActingUser,
    reason: Annotated[str, typer.Option(help="撤销理由")],
    data_dir: DataDir = None,
) -> None:
    """撤销共享授权（下一次查询即被拒绝）。"""
    from hutong.exchange import grants

    with opened(data_dir) as db, db.transaction() as session:
        grants.revoke(session, acting(session, user), grant, reason)
    out.print(f"[green]已撤销[/green] {grant}")


@exchange_app.command("overdue")
def exchange_overdue(data_dir: DataDir = None) -> None:
    """标记逾期未答复的共享申请，通知提供单位与目录审核员（可由定时任务运行）。"""
    from hutong.exchange import applications
    from hutong.identity.authz import system_actor

    with opened(data_dir) as db, db.transaction() as session:
        flagged = [
            (a.id, str(a.due_date))
            for a in applications.flag_overdue(session, system_actor("exchange"))
        ]
    for number, due in flagged:
        out.print(f"[red]逾期[/red] 共享申请 {number}（答复期限 {due}）")
    out.print(f"新标记逾期 {len(flagged)} 件")


@exchange_app.command("trace")
def exchange_trace(file: Path, user: ActingUser, data_dir: DataDir = None) -> None:
    """泄露文件溯源：由文件中的交付指纹（或整个文件的摘要）找到授权与接收方。"""
    from hutong.exchange import access

    with opened(data_dir) as db, db.transaction() as session:
        found = access.trace(session, acting(session, user), file)
        grant = found.grant
        line = (
            f"授权 {grant.code}：{grant.resource.name} → {grant.consumer_unit.name}；"
            f"接收人 {found.recipient}，{found.created_at:%Y-%m-%d %H:%M} UTC，"
            f"{found.rows} 行，格式 {found.format}"
        )
    out.print(line)


def _parsed(model: type[T], **values: object) -> T:
    """Validate CLI input with the API's schema so both reject the same things the same way."""
    from pydantic import ValidationError

    from hutong.core.errors import InvalidInput

    try:
        return model.model_validate(values)  # type: ignore[attr-defined]
    except ValidationError as error:
        first = error.errors()[0]
        field = ".".join(str(p) for p in first["loc"])
        raise InvalidInput(
            f"参数 {field} 无效", f"invalid {field}: {first['msg']}", field=field
        ) from None


if __name__ == "__main__":
    app()
