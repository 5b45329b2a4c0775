"""`hutong demo` supervision part: some units pass and some fail, notices in every state."""

from __future__ import annotations

from sqlalchemy import func, select

from hutong.catalog.models import Resource
from hutong.compliance import notices
from hutong.compliance.models import Finding, Notice, SystemProfile
from hutong.demo.org_data import province_code
from hutong.demo.seed import seed
from hutong.identity.models import Unit


def test_demo_gives_a_mix_of_passing_and_failing_units_and_an_overdue_notice(db):
    seed(db, schools=20)
    with db.sessions() as session:
        no_officer = session.scalar(
            select(func.count())
            .select_from(SystemProfile)
            .where(
                SystemProfile.persons_pi >= 1_000_000, SystemProfile.pi_officer_user_id.is_(None)
            )
        )
        states = dict(
            session.execute(select(Notice.state, func.count()).group_by(Notice.state)).all()
        )
        providers = set(session.scalars(select(Resource.provider_unit_id).distinct()))
        failing = set(
            session.scalars(select(Finding.unit_id).where(Finding.status == "open").distinct())
        )
        shanghai = session.scalar(select(Unit.id).where(Unit.code == province_code("31")))
        escalated = session.scalar(select(Notice).where(Notice.state == "escalated"))
        assert notices.overdue(escalated) and notices.approval_blocked(session, shanghai)
    assert no_officer >= 2
    assert states == {"escalated": 1, "issued": 1, "closed": 1}
    assert providers - failing and providers & failing  # some pass, some fail
    seed(db, schools=20)  # idempotent: nothing added the second time
    with db.sessions() as session:
        assert session.scalar(select(func.count()).select_from(Notice)) == 3
