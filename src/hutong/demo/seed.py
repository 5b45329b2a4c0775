"""``hutong demo``: a realistic organisation and one account per role, idempotently.

Demo passwords are random, generated once, printed, and kept in
``<data dir>/demo-accounts.json`` (mode 0600) so a rerun reuses them. The three officers get
their TOTP enrolled, and the file holds their secrets so the demo can sign in.
"""

from __future__ import annotations

import json
import os
import secrets
from pathlib import Path

import pyotp
from rich.console import Console
from rich.progress import track
from sqlalchemy import select

from hutong.audit.service import Category, record
from hutong.core.db import Database
from hutong.core.keys import SecretBox
from hutong.demo.catalog import seed_catalog, steward_accounts
from hutong.demo.compliance import seed_compliance
from hutong.demo.datasets import seed_datasets
from hutong.demo.exchange import seed_exchange
from hutong.demo.org_data import DEMO_USERS, all_units
from hutong.demo.portal import seed_portal
from hutong.demo.privacy import seed_privacy
from hutong.identity.authz import Target, system_actor
from hutong.identity.models import Unit, UnitKind, User
from hutong.identity.roles import ROLE_NAMES_ZH, Role
from hutong.identity.schemas import UnitCreate, UserCreate
from hutong.identity.service import create_unit, create_user, user_by_name

ACCOUNTS_FILE = "demo-accounts.json"
DEFAULT_STUDENTS = 1_000_000


def demo_password() -> str:
    return f"Demo-{secrets.token_hex(3)}-{secrets.randbelow(90) + 10}"


def _load_accounts(path: Path) -> dict[str, dict[str, str]]:
    return json.loads(path.read_text(encoding="utf-8")) if path.exists() else {}


def _save_accounts(path: Path, accounts: dict[str, dict[str, str]]) -> None:
    fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600)
    with os.fdopen(fd, "w", encoding="utf-8") as handle:
        json.dump(accounts, handle, ensure_ascii=False, indent=2)
    path.chmod(0o600)


def seed_units(db: Database, schools: int) -> int:
    """Create the units that do not exist yet; returns how many were created."""
    actor = system_actor("demo")
    specs = all_units(schools)
    with db.transaction() as session:
        existing = set(session.scalars(select(Unit.code)))
        missing = [spec for spec in specs if spec.code not in existing]
        for spec in track(missing, description="创建演示单位…", disable=not missing):
            create_unit(
                session,
                actor,
                UnitCreate(
                    code=spec.code,
                    name=spec.name,
                    kind=UnitKind(spec.kind),
                    parent_code=spec.parent_code,
                ),
            )
    return len(missing)


def seed_users(db: Database, accounts_path: Path) -> dict[str, dict[str, str]]:
    actor = system_actor("demo")
    accounts = _load_accounts(accounts_path)
    with db.transaction() as session:
        box = SecretBox.for_dir(db.settings.keys_dir)
        for spec in [*DEMO_USERS, *steward_accounts()]:
            if session.scalar(select(User.id).where(User.username == spec.username)) is not None:
                continue
            password = demo_password()
            create_user(
                session,
                actor,
                UserCreate(
                    username=spec.username,
                    display_name=spec.display_name,
                    unit_code=spec.unit_code,
                    roles=list(spec.roles),
                    password=password,
                ),
            )
            entry = {"password": password, "roles": ",".join(spec.roles), "unit": spec.unit_code}
            if set(spec.roles) & {Role.SYSTEM_ADMIN, Role.SECURITY_ADMIN, Role.AUDITOR}:
                user = user_by_name(session, spec.username)
                session.flush()
                secret = pyotp.random_base32()
                user.totp_secret = box.seal(secret, f"totp:{user.id}")
                user.totp_enabled = True
                record(
                    session,
                    actor,
                    "auth.totp_enrol",
                    category=Category.CONFIG,
                    target=Target("user", user.username, user.unit_id),
                )
                entry["totp_secret"] = secret
            accounts[spec.username] = entry
    _save_accounts(accounts_path, accounts)
    return accounts


def seed(
    db: Database,
    schools: int = 300,
    console: Console | None = None,
    students: int = DEFAULT_STUDENTS,
) -> Path:
    """Organisation, accounts, catalog, then the datasets behind four entries (``students``
    rows of pupils; the other files follow from it and from ``schools``)."""
    console = console or Console()
    created = seed_units(db, schools)
    accounts_path = db.settings.data_dir / ACCOUNTS_FILE
    accounts = seed_users(db, accounts_path)
    console.print(f"演示单位：新建 {created} 个")
    with console.status("编制演示资源目录…"):
        entries = seed_catalog(db)
    console.print(f"演示资源目录：新建 {entries} 条信息资源")
    seed_datasets(db, schools, students, console)
    seed_portal(db, schools, students, console)
    with console.status("登记信息系统、运行合规规则、下发整改通知单…"):
        findings = seed_compliance(db)
    if findings:
        console.print(f"演示监督检查：{findings} 项未关闭问题，其中 1 份整改通知单已逾期通报")
    with console.status("发布个人信息收集使用规则、导入同意记录、生成研究用去标识化数据…"):
        consents = seed_privacy(db)
    if consents:
        console.print(
            f"演示个人信息保护：{consents} 条同意记录（含监护人同意与撤回），1 份研究数据提取，2 件投诉"
        )
    applications = seed_exchange(db)
    console.print(f"演示共享申请：新建 {applications} 件（各种状态，含一件逾期）")
    console.print("[bold]演示账号[/bold]（用户名 / 密码 / 角色；三员另附 TOTP 密钥）：")
    for username, entry in accounts.items():
        roles = "、".join(ROLE_NAMES_ZH[Role(r)] for r in entry["roles"].split(","))
        totp = f"  TOTP 密钥 {entry['totp_secret']}" if "totp_secret" in entry else ""
        console.print(f"  {username:<16} {entry['password']:<16} {roles}{totp}", soft_wrap=True)
    return accounts_path
