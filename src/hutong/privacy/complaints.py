"""PI complaints (N2021 task 14: 及时受理投诉): filed on the public form, due within
``complaint_working_days`` working days, answered by the PI officer or the security
administrator, the only roles that see them — the PI officers of the unit that runs the
system complained about and the security administrators above it (``identity/scopes.py``).
The complainant's contact and text are sealed at rest (AES-256-GCM under the local secret)
and opened only for them, audited."""

from __future__ import annotations

import secrets

from sqlalchemy import func, select
from sqlalchemy.orm import Session
from sqlalchemy.sql import ColumnElement

from hutong.audit.service import Category, record
from hutong.catalog.models import InformationSystem
from hutong.core.calendar import WorkingCalendar
from hutong.core.clock import local, today_local, utcnow
from hutong.core.errors import Conflict, NotFound
from hutong.core.keys import SecretBox
from hutong.identity import scopes
from hutong.identity.authz import Actor, Target, authorize
from hutong.identity.roles import Action
from hutong.privacy import notices
from hutong.privacy.models import Complaint
from hutong.privacy.schemas import AnswerIn, ComplaintIn, ComplaintOut


def _box(session: Session) -> SecretBox:
    return SecretBox.for_dir(session.info["settings"].keys_dir)


def target(row: Complaint) -> Target:
    return Target("complaint", row.number)


def file(session: Session, actor: Actor, data: ComplaintIn) -> Complaint:
    """A complaint from the public form; returns it with its tracking number and due date."""
    if data.system_id is not None:
        notices.system_by_id(session, data.system_id)
    now = utcnow()
    days = session.info["settings"].complaint_working_days
    year = local(now).year
    count = session.scalar(select(func.count()).select_from(Complaint)) or 0
    number = f"GR{year}{count + 1:05d}{secrets.randbelow(100):02d}"
    box = _box(session)
    row = Complaint(
        number=number,
        system_id=data.system_id,
        category=data.category,
        contact_sealed=box.seal(data.contact, f"complaint:{number}:contact"),
        text_sealed=box.seal(data.text, f"complaint:{number}:text"),
        received_at=now,
        due_date=WorkingCalendar.from_session(session).due_date(now, days),
    )
    session.add(row)
    session.flush()
    record(session, actor, "complaint.file", category=Category.INSERT, target=target(row), rows=1)
    return row


def out(session: Session, row: Complaint, reveal: bool = False) -> ComplaintOut:
    box = _box(session) if reveal else None
    return ComplaintOut(
        id=row.id,
        number=row.number,
        system_id=row.system_id,
        category=row.category,
        state=row.state,
        received_at=row.received_at,
        due_date=row.due_date,
        overdue=row.state != "answered" and row.due_date < today_local(),
        answer=row.answer,
        answered_by=row.answered_by,
        answered_at=row.answered_at,
        contact=box.open(row.contact_sealed, f"complaint:{row.number}:contact") if box else None,
        text=box.open(row.text_sealed, f"complaint:{row.number}:text") if box else None,
    )


def by_number(session: Session, number: str) -> Complaint:
    row = session.scalar(select(Complaint).where(Complaint.number == number))
    if row is None:
        raise _missing()
    return row


def _missing() -> NotFound:
    return NotFound("投诉不存在", "unknown complaint", field="number")


def _unit(session: Session) -> ColumnElement[int]:
    """The unit a complaint belongs to: its system's owner, else the platform's operator."""
    owner = (
        select(InformationSystem.owner_unit_id)
        .where(InformationSystem.id == Complaint.system_id)
        .scalar_subquery()
    )
    return func.coalesce(owner, scopes.platform_unit_id(session))


def handled(session: Session, actor: Actor, number: str) -> Complaint:
    """A complaint the actor handles; one outside their units is refused as unknown."""
    row = by_number(session, number)
    unit = session.scalar(select(_unit(session)).where(Complaint.id == row.id))
    scopes.guard(session, actor, target(row), _missing(), (Action.COMPLAINT_HANDLE, [unit]))
    return row


def list_all(session: Session, actor: Actor, state: str | None = None) -> list[ComplaintOut]:
    """The complaints of the units the actor handles, earliest due first."""
    authorize(session, actor, Action.COMPLAINT_HANDLE, Target("complaint"))
    query = (
        select(Complaint)
        .where(scopes.where(session, actor, Action.COMPLAINT_HANDLE, _unit(session)))
        .order_by(Complaint.due_date, Complaint.id)
    )
    if state:
        query = query.where(Complaint.state == state)
    rows = list(session.scalars(query))
    record(
        session,
        actor,
        "complaint.read",
        category=Category.QUERY,
        target=Target("complaint"),
        rows=len(rows),
    )
    return [out(session, row) for row in rows]


def read(session: Session, actor: Actor, number: str) -> ComplaintOut:
    row = handled(session, actor, number)
    record(session, actor, "complaint.read", category=Category.QUERY, target=target(row), rows=1)
    return out(session, row, reveal=True)


def answer(session: Session, actor: Actor, number: str, data: AnswerIn) -> Complaint:
    row = handled(session, actor, number)
    if row.state == "answered":
        raise Conflict("该投诉已答复", "the complaint is already answered", field="number")
    row.state, row.answer, row.answered_by, row.answered_at = (
        "answered",
        data.answer,
        actor.name,
        utcnow(),
    )
    record(
        session, actor, "complaint.answer", category=Category.DECISION, target=target(row), rows=1
    )
    return row


def status(session: Session, actor: Actor, number: str) -> ComplaintOut:
    """What the complainant sees with the tracking number: state, due date, the answer."""
    row = by_number(session, number)
    record(session, actor, "complaint.status", category=Category.QUERY, target=target(row), rows=1)
    return out(session, row)
