"""依申请公开: disclosure on request (M2018 §24; 《政府信息公开条例》 2019 第二十七—三十六条).

A member of the public files a request and gets a tracking number; the handling staff answer
within 20 working days of receipt (第三十三条), counted on the one working-day calendar. The
clock pauses while the applicant is asked to complete the request (补正, 第三十条) and resumes
when they answer; the deadline can be extended once, by at most 20 working days, with the
approval of the office's head and a reason the applicant sees. Decisions follow 第三十六条:
disclose, partly disclose, not disclose (a legal reason is required), does not exist, not
ours (naming the office that holds it).

A request is addressed to an office (行政机关, a unit; the platform's operator unless the
applicant names another) and handled by that office's staff only (``identity/scopes.py``):
another unit's staff are told no such request exists. The applicant's name, ID and contact
are sealed with AES-256-GCM and shown only to the handling staff, each read audited; the
ID number is also kept as a keyed pseudonym (same applicant, no clear value). Neither ever
appears in a URL, a log line or an error message.

States and transitions::

    received ─ask_correction─▶ correction ─(applicant answers)─▶ received
    received ─extend (once)─▶ received
    received ─decide─▶ answered
"""

from __future__ import annotations

import json
import re
import secrets
from dataclasses import dataclass
from datetime import date

from sqlalchemy import select
from sqlalchemy.orm import Session

from hutong.audit.service import Category, record
from hutong.core.calendar import WorkingCalendar
from hutong.core.clock import local, today_local, utcnow
from hutong.core.errors import Conflict, InvalidInput, NotFound
from hutong.core.identifiers import is_citizen_id
from hutong.core.keys import SecretBox
from hutong.identity import scopes
from hutong.identity.authz import Actor, Target, authorize
from hutong.identity.models import Unit
from hutong.identity.roles import Action
from hutong.openportal.models import DisclosureEvent, DisclosureRequest
from hutong.openportal.schemas import DisclosureStepIn
from hutong.privacy.keys import for_domain

RECEIVED = "received"
CORRECTION = "correction"
ANSWERED = "answered"
STATE_ZH = {RECEIVED: "办理中", CORRECTION: "待申请人补正", ANSWERED: "已答复"}
DUE_WORKING_DAYS = 20
MAX_EXTENSION = 20
PSEUDONYM_DOMAIN = "disclosure-applicant"

ID_TYPES = {  # code → (label, validity check of the number)
    "citizen_id": ("居民身份证", is_citizen_id),
    "passport": ("护照", re.compile(r"[A-Z0-9]{5,17}").fullmatch),
    "hk_macao": ("港澳居民来往内地通行证", re.compile(r"[HM][0-9]{8,10}").fullmatch),
    "taiwan": ("台湾居民来往大陆通行证", re.compile(r"[0-9]{8}([0-9]{2})?").fullmatch),
    "uscc": (
        "统一社会信用代码（法人或其他组织）",
        re.compile(r"[0-9A-HJ-NPQRTUWXY]{18}").fullmatch,
    ),
}
FORMATS = {"electronic": "电子数据", "paper": "纸质文本", "onsite": "当场查阅"}
DECISIONS = {
    "disclose": "予以公开",
    "partial": "部分公开",
    "refuse": "不予公开",
    "not_exist": "信息不存在",
    "not_ours": "非本机关负责公开",
}


@dataclass(frozen=True)
class Application:
    """What the public form collects (第二十九条)."""

    name: str
    id_type: str
    id_number: str
    contact: str
    description: str
    purpose: str
    preferred_format: str
    #: the code of the unit applied to; empty: the platform's operator
    office_code: str = ""

    def validated(self) -> Application:
        fields = {
            "name": (self.name, 64),
            "contact": (self.contact, 128),
            "description": (self.description, 4000),
            "purpose": (self.purpose, 1000),
        }
        for field, (value, most) in fields.items():
            if not value.strip() and field != "purpose":
                raise InvalidInput("请填写此项", f"{field} is required", field=field)
            if len(value) > most:
                raise InvalidInput(
                    f"不能超过 {most} 个字", f"at most {most} characters", field=field
                )
        if self.id_type not in ID_TYPES:
            raise InvalidInput("证件类型无效", "unknown ID type", field="id_type")
        number = self.id_number.strip().upper()
        if not ID_TYPES[self.id_type][1](number):
            # The message names the field, never the value typed (DESIGN rule 6).
            raise InvalidInput("证件号码无效", "invalid ID number", field="id_number")
        if self.preferred_format not in FORMATS:
            raise InvalidInput("获取方式无效", "unknown format", field="preferred_format")
        return Application(
            self.name.strip(), self.id_type, number, self.contact.strip(),
            self.description.strip(), self.purpose.strip(), self.preferred_format,
            self.office_code.strip(),
        )  # fmt: skip


def _box(session: Session) -> SecretBox:
    return SecretBox.for_dir(session.info["settings"].keys_dir)


def _calendar(session: Session) -> WorkingCalendar:
    return WorkingCalendar.from_session(session)


def tracking_number(today: date) -> str:
    """Unguessable: it is all an applicant needs to see their request's status."""
    alphabet = "ABCDEFGHJKLMNPQRSTUVWXYZ23456789"
    return f"YSQ-{today:%Y%m%d}-" + "".join(secrets.choice(alphabet) for _ in range(10))


def target(request: DisclosureRequest) -> Target:
    return Target("disclosure", request.tracking_no)


def _event(session: Session, request: DisclosureRequest, kind: str, note: str) -> None:
    session.add(DisclosureEvent(request_id=request.id, kind=kind, note=note))


def submit(session: Session, actor: Actor, application: Application) -> DisclosureRequest:
    """File a request; returns it with its tracking number and due date."""
    authorize(session, actor, Action.DISCLOSURE_SUBMIT)
    clean = application.validated()
    office = _office(session, clean.office_code)
    now = utcnow()
    number = tracking_number(today_local())
    sealed = _box(session).seal(
        json.dumps(
            {"name": clean.name, "id_number": clean.id_number, "contact": clean.contact},
            ensure_ascii=False,
        ),
        f"disclosure:{number}",
    )
    key = for_domain(session.info["settings"].keys_dir, PSEUDONYM_DOMAIN)
    request = DisclosureRequest(
        tracking_no=number,
        state=RECEIVED,
        applicant_sealed=sealed,
        applicant_key=key.pseudonym(f"{clean.id_type}:{clean.id_number}"),
        office_unit_id=office,
        id_type=clean.id_type,
        description=clean.description,
        purpose=clean.purpose,
        preferred_format=clean.preferred_format,
        received_at=now,
        due_date=_calendar(session).due_date(now, DUE_WORKING_DAYS),
    )
    session.add(request)
    session.flush()
    _event(
        session,
        request,
        "received",
        f"已收到申请，答复期限为 {request.due_date.isoformat()}（20 个工作日）",
    )
    record(session, actor, "disclosure.submit", category=Category.INSERT, target=target(request))
    return request


def _office(session: Session, code: str) -> int | None:
    """The unit applied to: the one named, else the platform's operator."""
    if not code:
        return scopes.platform_unit_id(session)
    unit = session.scalar(select(Unit.id).where(Unit.code == code))
    if unit is None:
        raise InvalidInput("受理机关不存在", "unknown office", field="office_code")
    return unit


def _by_number(session: Session, number: str) -> DisclosureRequest:
    found = session.scalar(
        select(DisclosureRequest).where(DisclosureRequest.tracking_no == number.strip())
    )
    if found is None:
        raise _unknown()
    return found


def _unknown() -> NotFound:
    return NotFound("未找到该申请编号", "no request with this tracking number", field="tracking_no")


def _handled(session: Session, actor: Actor, number: str) -> DisclosureRequest:
    """A request the actor's office handles; another office's is refused as unknown."""
    request = _by_number(session, number)
    scopes.guard(
        session,
        actor,
        target(request),
        _unknown(),
        (Action.DISCLOSURE_HANDLE, [request.office_unit_id]),
    )
    return request


@dataclass(frozen=True)
class Status:
    """What the applicant sees with the tracking number: no personal information."""

    tracking_no: str
    state: str
    received_on: date
    due_date: date
    extended: bool
    decision: str
    answer: str
    decision_reason: str
    other_office: str
    events: list[tuple[str, str, str]]  # (when, kind, note)


def history(session: Session, request: DisclosureRequest) -> list[tuple[str, str, str]]:
    """(when, kind, note) of a request's events, oldest first (the caller has audited)."""
    events = session.scalars(
        select(DisclosureEvent)
        .where(DisclosureEvent.request_id == request.id)
        .order_by(DisclosureEvent.id)
    ).all()
    return [(local(e.at).strftime("%Y-%m-%d %H:%M"), e.kind, e.note) for e in events]


def status(session: Session, actor: Actor, number: str) -> Status:
    authorize(session, actor, Action.DISCLOSURE_SUBMIT)
    request = _by_number(session, number)
    record(
        session, actor, "disclosure.status", category=Category.QUERY, target=target(request), rows=1
    )
    return Status(
        request.tracking_no,
        request.state,
        local(request.received_at).date(),
        request.due_date,
        request.extended,
        request.decision,
        request.answer,
        request.decision_reason,
        request.other_office,
        history(session, request),
    )


def answer_correction(
    session: Session, actor: Actor, number: str, supplement: str
) -> DisclosureRequest:
    """The applicant completes the request (补正); the paused clock resumes."""
    authorize(session, actor, Action.DISCLOSURE_SUBMIT)
    request = _by_number(session, number)
    if request.state != CORRECTION:
        raise Conflict(
            "该申请无需补正", "this request is not waiting for a correction", field="state"
        )
    if not supplement.strip():
        raise InvalidInput("请填写补正内容", "the correction is required", field="supplement")
    calendar = _calendar(session)
    paused = calendar.workdays_between(request.correction_asked_on, today_local())
    request.due_date = calendar.add_workdays(request.due_date, paused)
    request.description = (request.description + "\n【补正】" + supplement.strip())[:8000]
    request.state, request.correction_asked_on = RECEIVED, None
    _event(
        session,
        request,
        "corrected",
        f"申请人已补正，答复期限顺延至 {request.due_date.isoformat()}",
    )
    record(session, actor, "disclosure.correct", category=Category.UPDATE, target=target(request))
    return request


# --- staff ---------------------------------------------------------------------------------


def listing(session: Session, actor: Actor, state: str | None = None) -> list[DisclosureRequest]:
    """The requests addressed to the actor's office, earliest due first."""
    authorize(session, actor, Action.DISCLOSURE_HANDLE)
    handled = scopes.where(
        session, actor, Action.DISCLOSURE_HANDLE, DisclosureRequest.office_unit_id
    )
    stmt = (
        select(DisclosureRequest)
        .where(handled)
        .order_by(DisclosureRequest.due_date, DisclosureRequest.id)
    )
    if state:
        stmt = stmt.where(DisclosureRequest.state == state)
    rows = list(session.scalars(stmt.limit(500)))
    record(
        session,
        actor,
        "disclosure.list",
        category=Category.QUERY,
        target=Target("disclosure"),
        rows=len(rows),
    )
    return rows


def get(session: Session, actor: Actor, number: str) -> DisclosureRequest:
    request = _handled(session, actor, number)
    record(
        session, actor, "disclosure.read", category=Category.QUERY, target=target(request), rows=1
    )
    return request


def applicant(session: Session, actor: Actor, number: str) -> dict[str, str]:
    """The applicant's personal information, for the handling staff only; every read audited."""
    request = _handled(session, actor, number)
    clear = json.loads(
        _box(session).open(request.applicant_sealed, f"disclosure:{request.tracking_no}")
    )
    record(
        session, actor, "disclosure.applicant_read", category=Category.QUERY,
        target=target(request), rows=1, purpose="办理依申请公开",
    )  # fmt: skip
    return {**clear, "id_type": ID_TYPES[request.id_type][0]}


def _open(session: Session, actor: Actor, number: str) -> DisclosureRequest:
    request = _handled(session, actor, number)
    if request.state != RECEIVED:
        raise Conflict(
            f"申请当前状态为“{STATE_ZH[request.state]}”，不能办理此操作",
            f"a request in state {request.state} cannot take this step",
            field="state",
        )
    return request


def ask_correction(session: Session, actor: Actor, number: str, what: str) -> DisclosureRequest:
    """补正: tell the applicant what is missing; the clock stops until they answer."""
    request = _open(session, actor, number)
    if not what.strip():
        raise InvalidInput("请说明需要补正的内容", "say what must be completed", field="note")
    request.state, request.correction_asked_on = CORRECTION, today_local()
    request.handled_by = actor.name
    _event(session, request, "correction", "请补正：" + what.strip())
    record(
        session,
        actor,
        "disclosure.ask_correction",
        category=Category.DECISION,
        target=target(request),
    )
    return request


def extend(
    session: Session, actor: Actor, number: str, days: int, reason: str, approver: str
) -> DisclosureRequest:
    """Extend once, by at most 20 working days, with the approval of the office's head
    (第三十三条); the reason is sent to the applicant."""
    request = _open(session, actor, number)
    if request.extended:
        raise Conflict(
            "答复期限只能延长一次", "the deadline can be extended only once", field="days"
        )
    if not 1 <= days <= MAX_EXTENSION:
        raise InvalidInput(
            f"延长天数须为 1–{MAX_EXTENSION} 个工作日",
            f"days must be 1–{MAX_EXTENSION}",
            field="days",
        )
    if not reason.strip():
        raise InvalidInput("请填写延期理由", "a reason is required", field="reason")
    if not approver.strip():
        raise InvalidInput(
            "请填写批准延期的负责人", "the approving head is required", field="approver"
        )
    request.due_date = _calendar(session).add_workdays(request.due_date, days)
    request.extended, request.extension_reason = True, reason.strip()
    request.extension_approver, request.handled_by = approver.strip()[:64], actor.name
    _event(
        session,
        request,
        "extended",
        f"经负责人同意延长 {days} 个工作日，至 {request.due_date.isoformat()}。理由：{reason.strip()}",
    )
    record(
        session, actor, "disclosure.extend", category=Category.DECISION, target=target(request),
        details={"days": days},
    )  # fmt: skip
    return request


def decide(
    session: Session,
    actor: Actor,
    number: str,
    decision: str,
    answer: str = "",
    reason: str = "",
    other_office: str = "",
) -> DisclosureRequest:
    """The answer (第三十六条). Not disclosing needs its legal reason; partial disclosure
    says what is withheld and why; "not ours" names the office that holds it."""
    request = _open(session, actor, number)
    if decision not in DECISIONS:
        raise InvalidInput("答复类型无效", "unknown decision", field="decision")
    if decision in ("refuse", "partial") and not reason.strip():
        raise InvalidInput(
            "不予公开或部分公开须说明法律依据和理由", "a legal reason is required", field="reason"
        )
    if decision == "not_ours" and not other_office.strip():
        raise InvalidInput(
            "请写明负责公开该信息的机关", "name the office that holds it", field="other_office"
        )
    if decision in ("disclose", "partial") and not answer.strip():
        raise InvalidInput(
            "请填写公开的内容或获取方式", "say what is disclosed and how", field="answer"
        )
    request.state, request.decision, request.answered_at = ANSWERED, decision, utcnow()
    request.answer, request.decision_reason = answer.strip(), reason.strip()
    request.other_office, request.handled_by = other_office.strip()[:200], actor.name
    _event(session, request, "answered", f"答复：{DECISIONS[decision]}")
    record(
        session, actor, "disclosure.decide", category=Category.DECISION, target=target(request),
        details={"decision": decision, "on_time": today_local() <= request.due_date},
    )  # fmt: skip
    return request


STEPS = ("ask_correction", "extend", "decide")


def apply(
    session: Session, actor: Actor, number: str, name: str, body: DisclosureStepIn
) -> DisclosureRequest:
    """One handling step by name (the API, the console and the CLI share it)."""
    if name == "ask_correction":
        return ask_correction(session, actor, number, body.note)
    if name == "extend":
        return extend(session, actor, number, body.days, body.reason, body.approver)
    if name == "decide":
        return decide(
            session, actor, number, body.decision, body.answer, body.reason, body.other_office
        )
    raise InvalidInput("未知的操作", "unknown step (ask_correction, extend, decide)", field="name")
