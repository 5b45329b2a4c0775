"""The runner: one finding per (rule, subject), closed and re-opened by later runs with its
history kept; incremental runs from services; an ingest mismatch becomes a finding."""

from __future__ import annotations

from datetime import timedelta

from sqlalchemy import func, select

from hutong.audit.models import AuditEvent
from hutong.audit.service import Category, record
from hutong.catalog import service
from hutong.compliance import findings, runner
from hutong.compliance.models import Finding, FindingEvent
from hutong.core.clock import utcnow
from hutong.data.ingest import ingest_file
from hutong.identity.models import User
from tests.support import entry


def _dormant(db, system, when):
    with db.transaction() as session:
        user = session.scalar(select(User).where(User.username == "publisher"))
        user.last_login_at = when
        record(session, system, "test.arrange", category=Category.UPDATE)


def _run(db, system, **kw):
    with db.transaction() as session:
        return runner.run(session, system, ["user.dormant"], **kw)


def test_a_finding_is_opened_once_closed_and_reopened_with_its_history(db, org, system):
    _dormant(db, system, utcnow() - timedelta(days=200))
    first, second = _run(db, system), _run(db, system)
    assert (first.opened, second.opened, second.failing) == (1, 0, 1)
    _dormant(db, system, utcnow())
    assert _run(db, system).closed == 1
    _dormant(db, system, utcnow() - timedelta(days=200))
    assert _run(db, system).reopened == 1
    with db.sessions() as session:
        finding = session.scalar(select(Finding).where(Finding.rule_id == "user.dormant"))
        history = session.scalars(
            select(FindingEvent.change)
            .where(FindingEvent.finding_id == finding.id)
            .order_by(FindingEvent.id)
        ).all()
        assert session.scalar(select(func.count()).select_from(Finding)) == 1
    assert (finding.status, finding.times_opened, finding.unit_id is not None) == ("open", 2, True)
    assert history == ["opened", "closed", "reopened"]


def test_a_run_is_audited_and_refused_to_those_who_may_not_run_it(db, org, system, actors):
    import pytest

    from hutong.core.errors import PermissionDenied

    run = _run(db, system)
    with db.sessions() as session:
        events = session.scalars(
            select(AuditEvent.target_id).where(AuditEvent.event == "compliance.run")
        ).all()
    assert str(run.id) in events
    for role in ("system_admin", "auditor", "data_steward"):
        with pytest.raises(PermissionDenied), db.transaction() as session:
            runner.run(session, actors[role])


def test_steward_sees_only_own_units_findings(db, org, classes, system, actors):
    from tests.compliance import builders as b

    with db.transaction() as session:
        b.resource(session, "MOE-JSGZS", share_type="not_shared")  # steward's unit
        b.resource(session, "MOE-FGS", share_type="not_shared")
        record(session, system, "test.arrange", category=Category.INSERT)
    with db.transaction() as session:
        runner.run(session, system, ["resource.not_shared.legal_basis"])
    with db.transaction() as session:
        mine = findings.list_findings(session, actors["data_steward"])
        every = findings.list_findings(session, actors["catalog_reviewer"])
    assert {f.unit_code for f in mine} == {"MOE-JSGZS"}
    assert {f.unit_code for f in every} == {"MOE-JSGZS", "MOE-FGS"}


def test_an_ingest_whose_data_disagrees_with_the_catalog_becomes_a_finding(
    db, org, classes, actors, tmp_path
):
    steward = actors["data_steward"]
    items = [{"name": "姓名", "data_type": "字符型"}, {"name": "任教学科", "data_type": "字符型"}]
    with db.transaction() as session:
        code = service.create(
            session, steward, entry(org, has_pi=False, grade="general", items=items)
        ).code
    path = tmp_path / "t.csv"
    path.write_text("姓名,任教学科\n张伟,数学\n李娜,语文\n", encoding="utf-8")
    ingest_file(db, steward, code, path)
    subject = f"{code}#v1"
    with db.sessions() as session:
        status = session.scalar(
            select(Finding.status).where(
                Finding.rule_id == "dataset.catalog_mismatch", Finding.subject_id == subject
            )
        )
    assert status == "open"  # the ingest ran the dataset rules itself
    fixed = [{"name": "姓名", "data_type": "字符型", "pi_category": "identity"}, items[1]]
    with db.transaction() as session:
        service.update(session, steward, code, entry(org, grade="general", items=fixed))
    with db.transaction() as session:
        runner.run(session, actors["catalog_reviewer"], subjects=["dataset"])
    with db.sessions() as session:
        status = session.scalar(select(Finding.status).where(Finding.subject_id == subject))
    assert status == "closed"
