"""`hutong demo`, open-portal part: public datasets released through the real gate, download
history for the charts, and 依申请公开 requests in every state.

Two more datasets are generated here — an enrolment aggregate (school × grade × sex, cells
below ``release_small_cell`` and their complementary partners withheld by the provider, as
the gate requires) and de-identified fitness microdata
of university students (``students + 1`` rows, over a million by default; quasi-identifiers
balanced so k ≥ 5) — and every 主动公开 entry with data goes through submit → publisher →
security reviewer. Entries that are not 主动公开 stay off the portal. Idempotent.
"""

from __future__ import annotations

import tempfile
from collections.abc import Callable
from datetime import timedelta
from pathlib import Path

from rich.console import Console
from sqlalchemy import func, select

from hutong.audit.service import Category, record
from hutong.catalog.models import Resource
from hutong.catalog.vocab import OpenType, Status
from hutong.core.clock import today_local, utcnow
from hutong.core.db import Database
from hutong.data.engine import Connection, scratch
from hutong.data.ingest import current, ingest_file
from hutong.data.sql import literal
from hutong.demo.catalog import steward_name
from hutong.demo.datasets import demo_schools
from hutong.identity.auth import actor_for
from hutong.identity.authz import Actor, Target, public_actor, system_actor
from hutong.identity.service import user_by_name
from hutong.openportal import disclosure, release
from hutong.openportal.models import DisclosureRequest, DownloadCount, Release
from hutong.privacy.release import protect_table, withheld_sql

PUBLISHER = "publisher.bgt"
SECURITY_REVIEWER = "secreviewer.wxb"
ENROLMENT = ("各校分年级分性别在校生人数", "MOE-FGS")
FITNESS = ("高校学生体质健康监测数据（去标识化）", "MOE-GJS")
PROVINCES = [f"{p}0000" for p in (11, 12, 13, 14, 15, 21, 22, 23, 31, 32, 33, 34, 35, 36, 37,
                                  41, 42, 43, 44, 45, 46, 50, 51, 52, 53, 54, 61, 62, 63, 64, 65)]  # fmt: skip


def _actor(db: Database, username: str) -> Actor:
    with db.sessions() as session:
        return actor_for(user_by_name(session, username))


def enrolment_sql(schools: list[tuple[str, str, int, int]]) -> str:
    """School × grade × sex counts, before any suppression."""
    values = ", ".join(f"({literal(c)}, {literal(n)}, {a}, {b})" for c, n, a, b in schools)
    return f"""
    WITH s(code, name, first, last) AS (VALUES {values}),
    cells AS (
        SELECT code, name, grade, sex, (hash(code, grade, sex) % 260)::BIGINT AS n
        FROM s, range(1, 13) g(grade), (VALUES ('1'), ('2')) x(sex)
        WHERE grade BETWEEN first AND last
    )
    SELECT code AS 学校标识码, name AS 学校名称, lpad(grade::VARCHAR, 2, '0') AS 年级, sex AS 性别,
        n::VARCHAR AS 在校生人数
    FROM cells ORDER BY code, grade, sex
    """


def withheld_enrolment(
    connection: Connection, schools: list[tuple[str, str, int, int]], threshold: int
) -> str:
    """The enrolment table as the provider publishes it: small cells and their complementary
    partners withheld (NULL), so that no school's, grade's or sex's total gives one away."""
    connection.execute(f"CREATE TABLE enrolment AS {enrolment_sql(schools)}")
    cells = protect_table(
        connection, "enrolment", ["学校标识码", "年级", "性别"], "在校生人数", threshold
    )
    return withheld_sql("enrolment", "在校生人数", cells)


def fitness_sql(rows: int) -> str:
    """Birth month × sex × province balanced by row number, so every class has about
    rows / classes members (k well above 5 at any size ≥ 400)."""
    months = max(1, min(96, rows // (2 * len(PROVINCES) * 40)))
    regions = "[" + ", ".join(literal(p) for p in PROVINCES) + "]"
    classes = 2 * len(PROVINCES) * months
    return f"""
    SELECT strftime(DATE '2000-01-01' + to_months((c % {months})::INTEGER), '%Y-%m') AS 出生年月,
        ((c // {months}) % 2 + 1)::VARCHAR AS 性别,
        {regions}[(c // {2 * months}) % {len(PROVINCES)} + 1] AS 生源地行政区划,
        (155 + hash(i, 1) % 40)::VARCHAR AS 身高,
        (45 + hash(i, 2) % 45)::VARCHAR AS 体重,
        (2500 + hash(i, 3) % 3000)::VARCHAR AS 肺活量,
        round(6.5 + (hash(i, 4) % 40) / 10.0, 1)::VARCHAR AS 五十米跑
    FROM (SELECT i, i % {classes} AS c FROM range({rows}) t(i))
    """


def _ingest(
    db: Database,
    name: str,
    unit: str,
    query: Callable[[Connection], str],
    console: Console,
) -> None:
    """Write the file ``query`` selects on a scratch DuckDB connection, and ingest it."""
    with db.sessions() as session:
        resource = session.scalar(select(Resource).where(Resource.name == name))
        if resource is None or current(session, resource.id) is not None:
            return
        code = resource.code
    actor = _actor(db, steward_name(unit))
    with tempfile.TemporaryDirectory(dir=db.settings.data_dir) as folder:
        path = Path(folder) / "data.parquet"
        connection = scratch()
        try:
            connection.execute(
                f"COPY ({query(connection)}) TO {literal(str(path))} (FORMAT parquet)"
            )
        finally:
            connection.close()
        with console.status(f"导入公开数据：{name}…"):
            version = ingest_file(db, actor, code, path)
    console.print(f"公开数据 {name}：第 {version.version} 版 {version.rows:,} 行")


def release_all(db: Database, console: Console) -> int:
    """Take every 主动公开 entry with data and no release through the gate."""
    with db.sessions() as session:
        released = set(session.scalars(select(Release.resource_id)))
        todo = [
            (r.code, r.name, r.provider_unit.code)
            for r in session.scalars(
                select(Resource).where(
                    Resource.open_type == OpenType.PROACTIVE.value,
                    Resource.status == Status.PUBLISHED.value,
                )
            )
            if r.id not in released and current(session, r.id) is not None
        ]
    publisher, reviewer = _actor(db, PUBLISHER), _actor(db, SECURITY_REVIEWER)
    count = 0
    for code, name, unit in todo:
        with db.transaction() as session:
            row = release.submit(session, _actor(db, steward_name(unit)), code)
            state, rid = row.state, row.id
        if state != release.AWAITING_PUBLISHER:
            console.print(f"[yellow]公开申请未通过自动检查：{name}[/yellow]")
            continue
        with db.transaction() as session:
            release.transition(session, publisher, rid, "approve", "数据已按规定去标识化，同意公开")
        with db.transaction() as session:
            release.transition(
                session, reviewer, rid, "clear",
                "经评估：不含个人信息或已去标识化（k ≥ 5、小单元格已抑制），不涉及国家秘密和工作秘密，政策风险低。",
            )  # fmt: skip
        count += 1
    return count


def _download_history(db: Database) -> None:
    """Thirty days of downloads per public dataset, so the charts have something to show."""
    with db.transaction() as session:
        if session.scalar(select(func.count()).select_from(DownloadCount)):
            return
        public = session.scalars(select(Release.resource_id).where(Release.state == "public")).all()
        today = today_local()
        for rid in public:
            for day in range(30):
                for n, fmt in enumerate(("csv", "xlsx", "json")):
                    count = (rid * 7 + day * 3 + n * 5) % (12 - 3 * n)
                    if count:
                        session.add(
                            DownloadCount(
                                resource_id=rid,
                                day=today - timedelta(days=day),
                                format=fmt,
                                count=count,
                            )
                        )
        record(
            session,
            system_actor("demo"),
            "demo.download_history",
            category=Category.INSERT,
            target=Target("portal"),
        )


def citizen_id(first17: str) -> str:
    """A 公民身份号码 with its GB 11643 (ISO 7064 MOD 11-2) check character."""
    weights = (7, 9, 10, 5, 8, 4, 2, 1, 6, 3, 7, 9, 10, 5, 8, 4, 2)
    return (
        first17 + "10X98765432"[sum(int(d) * w for d, w in zip(first17, weights, strict=True)) % 11]
    )


def _disclosures(db: Database) -> int:
    """Requests in each state: new, awaiting a correction, extended, answered (disclosed and
    refused) and one filed long ago that is overdue."""
    with db.sessions() as session:
        if session.scalar(select(func.count()).select_from(DisclosureRequest)):
            return 0
    handler = _actor(db, PUBLISHER)
    visitor = public_actor("203.0.113.10")
    people = [
        ("张明", "11010119900307123", "关于 2025 年本市义务教育阶段学校招生计划的分校明细"),
        ("李华", "31010419851212002", "2024 年度教育经费执行情况中各直属高校的项目支出明细"),
        ("王芳", "44010619920715004", "本省特殊教育学校名单及在校生人数"),
        ("赵强", "51010719880101001", "某高校 2023 年新校区建设项目的环境评价报告"),
        ("刘洋", "42010219951111003", "2025 年教师资格认定各批次通过人数"),
        ("陈静", "32010219930909002", "全国中小学教师培训经费分配办法"),
    ]
    numbers = []
    for name, first17, what in people:
        with db.transaction() as session:
            filed = disclosure.submit(
                session, visitor,
                disclosure.Application(
                    name, "citizen_id", citizen_id(first17), "demo@example.cn", what, "了解情况", "electronic"
                ),
            )  # fmt: skip
            numbers.append(filed.tracking_no)
    steps = [
        lambda s, n: disclosure.ask_correction(s, handler, n, "请写明所需信息的年份和学校范围"),
        lambda s, n: disclosure.extend(
            s, handler, n, 15, "需向多所直属高校汇总数据", "办公厅负责人"
        ),
        lambda s, n: disclosure.decide(
            s,
            handler,
            n,
            "disclose",
            answer="特殊教育学校名单及在校生人数见附件，已发送至申请人邮箱。",
        ),
        lambda s, n: disclosure.decide(
            s,
            handler,
            n,
            "refuse",
            reason="《政府信息公开条例》第十六条：属于内部事务信息，可不予公开。",
        ),
        lambda s, n: disclosure.decide(s, handler, n, "not_ours", other_office="四川省教育厅"),
    ]
    for step, number in zip(steps, numbers[1:], strict=True):
        with db.transaction() as session:
            step(session, number)
    with db.transaction() as session:  # the first one was filed 40 days ago and is overdue
        request = session.scalar(
            select(DisclosureRequest).where(DisclosureRequest.tracking_no == numbers[0])
        )
        request.received_at = utcnow() - timedelta(days=40)
        request.due_date = disclosure._calendar(session).due_date(request.received_at, 20)
        record(
            session,
            system_actor("demo"),
            "demo.disclosure_backdate",
            category=Category.UPDATE,
            target=disclosure.target(request),
        )
    return len(numbers)


def seed_portal(db: Database, school_count: int, students: int, console: Console) -> int:
    schools = [(s.code, s.name, s.first_grade, s.last_grade) for s in demo_schools(school_count)]
    if schools:
        threshold = db.settings.release_small_cell
        _ingest(db, *ENROLMENT, lambda c: withheld_enrolment(c, schools, threshold), console)
    _ingest(db, *FITNESS, lambda _c: fitness_sql(students + 1), console)
    count = release_all(db, console)
    _download_history(db)
    requests = _disclosures(db)
    console.print(f"开放平台：经审核公开 {count} 个数据集；依申请公开演示申请 {requests} 件")
    return count
