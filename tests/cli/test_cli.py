"""The ``hutong`` CLI: init, scripted provisioning, audit verify and purge."""

from __future__ import annotations

import gzip
import json

import pytest
from openpyxl import load_workbook
from sqlalchemy import func, select
from typer.testing import CliRunner

from hutong.audit.models import AuditAnchor, AuditEvent
from hutong.audit.verify import verify_chain
from hutong.cli import app
from hutong.core.clock import now_us
from hutong.core.identifiers import uscc_with_check
from hutong.identity.models import User

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


def test_init_creates_admin_with_one_time_password_once(settings, db):
    first = hutong(settings, "init")
    assert first.exit_code == 0, first.output
    assert "一次性密码" in first.output
    with db.sessions() as session:
        admin = session.scalar(select(User).where(User.username == "sysadmin"))
        assert admin.must_change_password and admin.roles == {"system_admin"}
    again = hutong(settings, "init")
    assert again.exit_code == 0 and "一次性密码" not in again.output
    with db.sessions() as session:
        assert session.scalar(select(func.count()).select_from(User)) == 1


def test_scripted_provisioning(settings, db):
    hutong(settings, "init")
    code = uscc_with_check("11440000" + "006940123")
    result = hutong(
        settings,
        "units",
        "create",
        "--code",
        code,
        "--name",
        "广东省教育厅",
        "--kind",
        "provincial_department",
        "--parent",
        "MOE",
    )
    assert result.exit_code == 0, result.output
    result = hutong(
        settings,
        "users",
        "create",
        "--username",
        "gd.steward",
        "--unit",
        code,
        "--role",
        "data_steward",
        "--role",
        "data_consumer",
        "--password-stdin",
        stdin="Guangdong-Data-2026\n",
    )
    assert result.exit_code == 0, result.output
    with db.sessions() as session:
        user = session.scalar(select(User).where(User.username == "gd.steward"))
        assert user.roles == {"data_steward", "data_consumer"} and not user.must_change_password
    listed = hutong(settings, "units", "list")
    assert "广东省教育厅" in listed.output


def test_cli_refuses_bad_input_with_field_and_exit_code(settings, db):
    hutong(settings, "init")
    bad_unit = hutong(
        settings, "units", "create", "--code", "123", "--name", "x", "--kind", "school"
    )
    assert bad_unit.exit_code == 2 and "code" in bad_unit.output
    two_hats = hutong(
        settings,
        "users",
        "create",
        "--username",
        "two.hats",
        "--unit",
        "MOE",
        "--role",
        "system_admin",
        "--role",
        "auditor",
    )
    assert two_hats.exit_code == 2 and "三员分立" in two_hats.output
    weak = hutong(
        settings,
        "users",
        "create",
        "--username",
        "weak.pw",
        "--unit",
        "MOE",
        "--role",
        "data_steward",
        "--password-stdin",
        stdin="weak\n",
    )
    assert weak.exit_code == 2 and "password" in weak.output
    with db.sessions() as session:
        assert session.scalar(select(func.count()).select_from(User)) == 1


def age_events(db, days: int, up_to_seq: int) -> None:
    """Back-date events as if they were written `days` ago (rewrites their hashes too)."""
    from hutong.audit.chain import CHAINED_COLUMNS, GENESIS, hasher, link

    with db.engine.begin() as connection:
        trigger = "audit_events_no_update" if db.dialect == "sqlite" else None
        if trigger:
            connection.exec_driver_sql(f"DROP TRIGGER {trigger}")
        else:
            connection.exec_driver_sql(
                "ALTER TABLE audit_events DISABLE TRIGGER audit_events_append_only"
            )
        rows = connection.execute(
            select(*(getattr(AuditEvent, c) for c in CHAINED_COLUMNS)).order_by(AuditEvent.seq)
        ).all()
        digest, prev = hasher(db.settings.audit_hash), GENESIS
        old = now_us() - days * 86_400_000_000
        for row in rows:
            values = list(row)
            if values[0] <= up_to_seq:
                values[1] = old + values[0]
            current = link(digest, prev, values)
            connection.execute(
                AuditEvent.__table__.update()
                .where(AuditEvent.seq == values[0])
                .values(ts_us=values[1], prev_hash=prev, hash=current)
            )
            prev = current
        if trigger:
            connection.exec_driver_sql(
                "CREATE TRIGGER audit_events_no_update BEFORE UPDATE ON audit_events "
                "BEGIN SELECT RAISE(ABORT, 'audit events are append-only'); END"
            )
        else:
            connection.exec_driver_sql(
                "ALTER TABLE audit_events ENABLE TRIGGER audit_events_append_only"
            )


def test_purge_archives_then_deletes_only_expired_events_and_chain_still_verifies(
    settings, db, org
):
    age_events(db, 200, up_to_seq=10)
    with db.sessions() as session:
        total = session.scalar(select(func.count()).select_from(AuditEvent))
    assert hutong(settings, "audit", "purge", "--retention-days", "179").exit_code == 2
    result = hutong(settings, "audit", "purge", "--retention-days", "180")
    assert result.exit_code == 0, result.output
    with db.sessions() as session:
        remaining = session.scalar(select(func.min(AuditEvent.seq)))
        anchor = session.scalar(select(AuditAnchor))
        assert remaining == 11 and anchor.seq == 10
        assert session.scalar(select(func.count()).select_from(AuditEvent)) == total - 10 + 1
    archive = settings.data_dir / "audit-archive" / anchor.archive
    with gzip.open(archive, "rt", encoding="utf-8") as handle:
        archived = [json.loads(line) for line in handle]
    assert [e["seq"] for e in archived] == list(range(1, 11))
    manifest = json.loads(
        archive.with_suffix("").with_suffix(".manifest.json").read_text(encoding="utf-8")
    )
    assert manifest["manifest"]["last_seq"] == 10 and manifest["signature"]
    assert verify_chain(db.engine, settings).ok
    verified = hutong(settings, "audit", "verify")
    assert verified.exit_code == 0, verified.output
    # nothing younger than the retention can be deleted, even directly, while guards stand
    with pytest.raises(Exception, match="retention purge"), db.engine.begin() as connection:
        connection.exec_driver_sql("DELETE FROM audit_events WHERE seq = 11")


def test_export_checkpoints(settings, db, org, tmp_path):
    assert hutong(settings, "audit", "checkpoint").exit_code == 0
    target = tmp_path / "cp.json"
    assert hutong(settings, "audit", "export-checkpoints", str(target)).exit_code == 0
    document = json.loads(target.read_text(encoding="utf-8"))
    assert document["checkpoints"] and "BEGIN PUBLIC KEY" in document["public_key"]


def test_catalog_commands_act_as_a_named_user(settings, db, org, classes, actors, tmp_path):
    from tests.support import entry, published

    code = published(db, actors, entry(org))
    found = hutong(settings, "catalog", "search", "教师", "--as", "data.consumer")
    assert found.exit_code == 0 and "全国教师基本信息" in found.output
    target = tmp_path / "目录.xlsx"
    assert (
        hutong(settings, "catalog", "export", str(target), "--as", "catalog.reviewer").exit_code
        == 0
    )
    imported = hutong(settings, "catalog", "import", str(target), "--as", "data.steward")
    assert imported.exit_code == 0 and "已导入 1 条" in imported.output
    assert "已提交目录审核员审核" not in imported.output
    book = load_workbook(target)
    headers = [c.value for c in book["信息资源"][1]]
    book["信息资源"].cell(row=2, column=headers.index("公开类型") + 1, value="依申请公开")
    book.save(target)
    loosened = hutong(settings, "catalog", "import", str(target), "--as", "data.steward")
    assert loosened.exit_code == 0 and f"已提交目录审核员审核，审核通过前不生效：{code}" in (
        loosened.output
    )
    refused = hutong(settings, "catalog", "import", str(target), "--as", "data.consumer")
    assert refused.exit_code == 2 and "第 1 条信息资源" in refused.output
    assert hutong(settings, "catalog", "show", code, "--as", "no.such.user").exit_code == 2


def test_calendar_load(settings, db, tmp_path):
    from datetime import date

    from hutong.core.calendar import WorkingCalendar

    schedule = tmp_path / "2031.csv"
    schedule.write_text(
        "date,is_workday,note\n2031-10-01,0,国庆节\n2031-09-27,1,调休上班\n", encoding="utf-8"
    )
    result = hutong(settings, "calendar", "load", str(schedule))
    assert result.exit_code == 0 and "已载入 2 个日期" in result.output
    with db.sessions() as session:
        assert WorkingCalendar.from_session(session).is_workday(date(2031, 9, 27))
    bad = tmp_path / "bad.csv"
    bad.write_text("date,is_workday\n2031-13-01,1\n", encoding="utf-8")
    assert hutong(settings, "calendar", "load", str(bad)).exit_code == 2


def test_disable_and_enable_an_account(settings, db, org):
    from hutong.core.errors import AuthenticationFailed
    from hutong.identity import auth

    assert hutong(settings, "users", "disable", "--username", "data.steward").exit_code == 0
    with pytest.raises(AuthenticationFailed), db.transaction() as session:
        auth.authenticate(session, "data.steward", org.password)
    assert hutong(settings, "users", "enable", "--username", "data.steward").exit_code == 0
    with db.transaction() as session:
        assert auth.authenticate(session, "data.steward", org.password).username == "data.steward"


def test_data_ingest_command(settings, db, org, classes, actors, tmp_path):
    from hutong.catalog import service
    from tests.support import entry

    with db.transaction() as session:
        code = service.create(
            session,
            actors["data_steward"],
            entry(
                org,
                items=[
                    {"name": "学校标识码", "data_type": "字符型"},
                    {"name": "学校名称", "data_type": "字符型"},
                ],
            ),
        ).code
    path = tmp_path / "学校.csv"
    path.write_text(
        "学校标识码,学校名称\n4111010001,北京大学\n4199010001,不存在的学校\n", encoding="gbk"
    )
    refused = hutong(settings, "data", "ingest", code, str(path), "--as", "data.steward")
    assert refused.exit_code == 2 and "第 3 行“学校标识码”" in refused.output.replace("\n", "")
    result = hutong(
        settings,
        "data",
        "ingest",
        code,
        str(path),
        "--as",
        "data.steward",
        "--on-invalid",
        "quarantine",
    )
    assert result.exit_code == 0, result.output
    assert (
        "已发布第 1 版" in result.output
        and "隔离 1 行" in result.output
        and "gb18030" in result.output
    )
    assert "主要原因：“学校标识码”学校标识码无效" in result.output
    assert f"hutong data rejects {code} 1 --as data.steward" in result.output
    rejects = tmp_path / "rejects.csv"
    written = hutong(
        settings, "data", "rejects", code, "1", "--as", "data.steward", "--out", str(rejects)
    )
    assert written.exit_code == 0, written.output
    lines = rejects.read_text(encoding="utf-8").splitlines()
    assert lines[0].startswith("行号,错误,") and lines[1].startswith("3,学校标识码：学校标识码无效")
    nothing_valid = tmp_path / "bad.csv"
    nothing_valid.write_text("学校标识码,学校名称\n1211010001,某校\n", encoding="utf-8")
    refused = hutong(
        settings,
        "data",
        "ingest",
        code,
        str(nothing_valid),
        "--as",
        "data.steward",
        "--on-invalid",
        "quarantine",
    )
    assert refused.exit_code == 2
    assert "全部 1 行均未通过校验，未发布新版本" in refused.output.replace("\n", "")


def test_catalog_overlaps_lists_repeated_items_for_the_reviewer(
    settings, db, org, classes, actors, province_steward
):
    from hutong.catalog import service
    from tests.support import entry, published

    published(db, actors, entry(org))
    with db.transaction() as session:
        service.create(
            session,
            province_steward,
            entry(
                org,
                name="北京市教师信息",
                provider_unit_code=org.province,
                overlap_justification="本市系统为数据源",
            ),
        )
    listed = hutong(settings, "catalog", "overlaps", "--as", "catalog.reviewer")
    assert listed.exit_code == 0, listed.output
    assert "共 4 个重复登记的信息项" in listed.output and "说明：本市系统为数据源" in listed.output
    assert "北京市教师信息（北京市教育委员会）：姓名、性别、出生日期、任教学科" in listed.output
    assert (
        "共 0 个"
        in hutong(settings, "catalog", "overlaps", "--missing", "--as", "catalog.reviewer").output
    )
    assert hutong(settings, "catalog", "overlaps", "--as", "steward.bj").exit_code == 2
