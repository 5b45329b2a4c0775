"""``hutong calendar``: the official holiday schedule, which answer periods count against."""

from __future__ import annotations

from hutong.audit.service import Category, record
from hutong.cli.common import DataDir, InputFile, group, opened, out, read_text
from hutong.core.calendar import load_schedule, parse_schedule_csv
from hutong.identity.authz import Target, authorize, system_actor
from hutong.identity.roles import Action

app = group()


@app.command("load")
def calendar_load(file: InputFile, data_dir: DataDir = None) -> None:
    """载入官方放假与调休安排（CSV：date,is_workday,note），用于库中尚无的年份。"""
    actor = system_actor("calendar")
    with opened(data_dir) as db:
        rows = parse_schedule_csv(read_text(file))
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
