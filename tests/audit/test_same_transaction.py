"""An audit event lives and dies with the work it records (DESIGN rule 3)."""

from __future__ import annotations

import pytest
from sqlalchemy import func, select

from hutong.audit.models import AuditEvent
from hutong.core.errors import UnauditedChange
from hutong.identity.models import Unit, UnitKind
from hutong.identity.schemas import UnitCreate
from hutong.identity.service import create_unit


def count_events(db, event: str | None = None) -> int:
    with db.sessions() as session:
        stmt = select(func.count()).select_from(AuditEvent)
        if event:
            stmt = stmt.where(AuditEvent.event == event)
        return session.scalar(stmt)


def test_audit_event_of_a_failed_transaction_does_not_exist(db, system):
    class Boom(Exception):
        pass

    with pytest.raises(Boom), db.transaction() as session:
        create_unit(
            session,
            system,
            UnitCreate(code="MOE", name="教育部", kind=UnitKind.MINISTRY_DEPARTMENT),
        )
        assert session.scalar(select(func.count()).select_from(AuditEvent)) == 1  # written…
        raise Boom  # …then the work fails
    assert count_events(db, "unit.create") == 0
    with db.sessions() as session:
        assert session.scalar(select(func.count()).select_from(Unit)) == 0


def test_change_without_audit_event_cannot_be_committed(db):
    with pytest.raises(UnauditedChange), db.transaction() as session:
        session.add(Unit(code="MOE", name="教育部", kind="ministry_department"))
    with db.sessions() as session:
        assert session.scalar(select(func.count()).select_from(Unit)) == 0


def test_change_flushed_early_without_audit_still_refused(db):
    with pytest.raises(UnauditedChange), db.transaction() as session:
        session.add(Unit(code="MOE", name="教育部", kind="ministry_department"))
        session.flush()  # the row reached the database inside the transaction
    with db.sessions() as session:
        assert session.scalar(select(func.count()).select_from(Unit)) == 0


def test_committed_work_has_exactly_its_event(db, system):
    with db.transaction() as session:
        create_unit(
            session,
            system,
            UnitCreate(code="MOE", name="教育部", kind=UnitKind.MINISTRY_DEPARTMENT),
        )
    assert count_events(db, "unit.create") == 1
