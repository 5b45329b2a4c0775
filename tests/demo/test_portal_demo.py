"""``hutong demo`` fills the open portal through the real release gate: public datasets of
each kind, download history, and disclosure requests in every state."""

from __future__ import annotations

from sqlalchemy import func, select

from hutong.catalog.models import Resource
from hutong.data.access import open_version
from hutong.data.engine import DuckDBEngine
from hutong.data.models import DatasetVersion
from hutong.demo.seed import seed
from hutong.openportal import public
from hutong.openportal.models import DisclosureRequest, Release

SMALL = 500


def test_demo_publishes_through_the_gate_and_files_requests_in_every_state(db):
    seed(db, schools=40, students=SMALL)
    with db.sessions() as session:
        titles = {d.title: d for d in public.index(session).datasets}
        states = dict(
            session.execute(select(Release.state, func.count()).group_by(Release.state)).all()
        )
        requests = session.execute(
            select(DisclosureRequest.state, DisclosureRequest.decision)
        ).all()
        entries = session.scalar(select(func.count()).select_from(Resource))
    for title in ("义务教育学校名录", "全国教育事业统计年鉴分省学校数", "各校分年级分性别在校生人数",
                  "高校学生体质健康监测数据（去标识化）"):  # fmt: skip
        assert title in titles, title
    assert titles["高校学生体质健康监测数据（去标识化）"].rows == SMALL + 1
    assert states == {"public": len(titles)} and len(titles) < entries  # the rest stay off
    assert {s for s, _d in requests} == {"received", "correction", "answered"}
    assert {d for _s, d in requests} >= {"disclose", "refuse", "not_ours"}
    seed(db, schools=40, students=SMALL)  # idempotent
    with db.sessions() as session:
        assert session.scalar(select(func.count()).select_from(DisclosureRequest)) == len(requests)


def _published(db, title: str):
    """A DuckDB connection over the public version of ``title`` (view ``dataset``)."""
    with db.sessions() as session:
        version = session.scalar(
            select(DatasetVersion)
            .join(Release, Release.version_id == DatasetVersion.id)
            .join(Resource, Resource.id == Release.resource_id)
            .where(Resource.name == title, Release.state == "public")
        )
        return DuckDBEngine().connect(open_version(session, version))


def _lone_withheld(connection, dims: list[str], count: str) -> int:
    """Withheld cells that are alone in a line (all dimensions fixed but one), so that the
    line's total minus its published cells gives them away; counted in SQL, independently."""
    lone = 0
    for varying in dims:
        fixed = ", ".join(f'"{d}"' for d in dims if d != varying)
        lone += connection.execute(
            f"SELECT count(*) FROM (SELECT {fixed} FROM dataset GROUP BY ALL "
            f'HAVING count(*) > 1 AND count(*) - count("{count}") = 1)'
        ).fetchone()[0]
    return lone


def test_the_demos_public_tables_of_counts_have_no_small_or_derivable_cell(db):
    seed(db, schools=40, students=SMALL)
    tables = {
        "全国教育事业统计年鉴分省学校数": (
            ["统计年度", "行政区划", "学段"],
            ["学校数", "在校生数", "专任教师数"],
        ),
        "各校分年级分性别在校生人数": (["学校标识码", "年级", "性别"], ["在校生人数"]),
    }
    for title, (dims, counts) in tables.items():
        connection = _published(db, title)
        try:
            for count in counts:
                value = f'TRY_CAST("{count}" AS BIGINT)'
                small = connection.execute(
                    f"SELECT count(*) FROM dataset WHERE {value} BETWEEN 1 AND 4"
                ).fetchone()[0]
                assert small == 0, (title, count)
                assert _lone_withheld(connection, dims, count) == 0, (title, count)
        finally:
            connection.close()
    with db.sessions() as session:
        reports = dict(
            session.execute(
                select(Resource.name, Release.check_report)
                .join(Release, Release.resource_id == Resource.id)
                .where(Resource.name.in_(tables))
            ).all()
        )
    assert {t: (r["kind"], r["counts"]) for t, r in reports.items()} == {
        t: ("aggregate", counts) for t, (_dims, counts) in tables.items()
    }
