"""``hutong demo`` fills the open portal through the real release gate: public datasets of
each kind, download history, and disclosure requests in every state."""

from __future__ import annotations

from sqlalchemy import func, select

from hutong.catalog.models import Resource
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
