"""The release gate as an explicit state machine (N2021 tasks 7–8, M2018 §25–26).

A 主动公开 entry's dataset version becomes public only after the automatic check
(``checks.py``), the publisher's approval and the security reviewer's approval with a
recorded policy-risk note; withdrawal is immediate everywhere, because every public route
reads ``public.py``, which only sees releases in state ``public``::

    submit ─▶ check_failed
       └────▶ awaiting_publisher ─approve─▶ awaiting_security ─clear─▶ public ─withdraw─▶ withdrawn
                     └─reject─▶ rejected           └─refuse─▶ rejected     └─(newer public)─▶ superseded

Each transition checks who may make it (``authorize``), changes the row, bumps the catalog
generation (so cached public search results are dropped) and audits, in one transaction.
"""

from __future__ import annotations

from dataclasses import dataclass

from sqlalchemy import select
from sqlalchemy.orm import Session

from hutong.audit.service import Category, record
from hutong.catalog.facet_index import bump
from hutong.catalog.models import Resource
from hutong.catalog.service import by_code
from hutong.catalog.vocab import OpenType, Status
from hutong.core.clock import utcnow
from hutong.core.errors import Conflict, InvalidInput, NotFound
from hutong.data.access import open_version
from hutong.data.engine import opened
from hutong.data.ingest import current
from hutong.data.models import DatasetVersion
from hutong.identity.authz import Actor, Target, authorize
from hutong.identity.roles import Action
from hutong.openportal.checks import run_check
from hutong.openportal.models import Release

CHECK_FAILED = "check_failed"
AWAITING_PUBLISHER = "awaiting_publisher"
AWAITING_SECURITY = "awaiting_security"
PUBLIC = "public"
REJECTED = "rejected"
WITHDRAWN = "withdrawn"
SUPERSEDED = "superseded"
OPEN_STATES = (AWAITING_PUBLISHER, AWAITING_SECURITY)

STATE_ZH = {
    CHECK_FAILED: "自动检查未通过",
    AWAITING_PUBLISHER: "待发布审核",
    AWAITING_SECURITY: "待安全审核",
    PUBLIC: "已公开",
    REJECTED: "未通过审核",
    WITHDRAWN: "已撤回",
    SUPERSEDED: "已被新版本替代",
}


@dataclass(frozen=True)
class Transition:
    source: str
    target: str
    action: Action
    note_required: bool
    zh: str


TRANSITIONS: dict[str, Transition] = {
    "approve": Transition(AWAITING_PUBLISHER, AWAITING_SECURITY, Action.RELEASE_APPROVE, False, "发布审核通过"),
    "reject": Transition(AWAITING_PUBLISHER, REJECTED, Action.RELEASE_APPROVE, True, "发布审核退回"),
    # 网信办: the policy-risk note is the record of the assessment (N2021 task 7).
    "clear": Transition(AWAITING_SECURITY, PUBLIC, Action.RELEASE_REVIEW, True, "安全审核通过并公开"),
    "refuse": Transition(AWAITING_SECURITY, REJECTED, Action.RELEASE_REVIEW, True, "安全审核不通过"),
    "withdraw": Transition(PUBLIC, WITHDRAWN, Action.RELEASE_WITHDRAW, True, "撤回公开"),
}  # fmt: skip


def release_target(release: Release, resource: Resource) -> Target:
    return Target(
        "release",
        str(release.id),
        unit_id=resource.provider_unit_id,
        requester_unit_id=release.requested_unit_id,
        extra={"code": resource.code, "version": str(release.version)},
    )


def _version(session: Session, resource: Resource, number: int | None) -> DatasetVersion:
    if number is None:
        found = current(session, resource.id)
    else:
        found = session.scalar(
            select(DatasetVersion).where(
                DatasetVersion.resource_id == resource.id, DatasetVersion.version == number
            )
        )
    if found is None:
        raise NotFound("该资源没有此数据版本", "no such dataset version", field="version")
    return found


def submit(session: Session, actor: Actor, code: str, version: int | None = None) -> Release:
    """The steward asks for a version (default: the newest) to go public; the automatic check
    runs now and decides whether the request reaches the publisher."""
    resource = by_code(session, code)
    authorize(
        session, actor, Action.RELEASE_SUBMIT, Target("resource", code, resource.provider_unit_id)
    )
    if resource.open_type != OpenType.PROACTIVE.value or resource.status != Status.PUBLISHED.value:
        raise Conflict(
            "只有已发布的主动公开资源才能申请公开",
            "only published 主动公开 entries can be released",
            field="code",
        )
    row = _version(session, resource, version)
    pending = session.scalar(
        select(Release.id).where(
            Release.resource_id == resource.id,
            Release.version == row.version,
            Release.state.in_((*OPEN_STATES, PUBLIC)),
        )
    )
    if pending is not None:
        raise Conflict(
            "该版本已在审核中或已公开",
            "this version is already under review or public",
            field="version",
        )
    settings = session.info["settings"]
    files = open_version(session, row)
    connection = opened(files)
    try:
        report = run_check(
            connection, row, resource, settings.release_k, settings.release_small_cell
        )
    finally:
        connection.close()
    release = Release(
        resource_id=resource.id,
        version_id=row.id,
        version=row.version,
        state=AWAITING_PUBLISHER if report["passed"] else CHECK_FAILED,
        check_passed=bool(report["passed"]),
        check_report=report,
        requested_by=actor.name,
        requested_unit_id=resource.provider_unit_id,
    )
    session.add(release)
    session.flush()
    record(
        session,
        actor,
        "release.submit",
        category=Category.INSERT,
        target=release_target(release, resource),
        rows=row.rows,
        details={"state": release.state, "problems": len(report["problems"])},
    )
    return release


def get(session: Session, actor: Actor, release_id: int) -> tuple[Release, Resource]:
    authorize(session, actor, Action.RELEASE_READ)
    release = session.get(Release, release_id)
    if release is None:
        raise NotFound("公开申请不存在", "no such release", field="id")
    return release, session.get(Resource, release.resource_id)


def transition(
    session: Session, actor: Actor, release_id: int, name: str, note: str = ""
) -> Release:
    """Apply one named transition; the note is the reason, or the policy-risk note."""
    step = TRANSITIONS.get(name)
    if step is None:
        raise InvalidInput("未知的操作", "unknown transition", field="transition")
    release, resource = get(session, actor, release_id)
    authorize(session, actor, step.action, release_target(release, resource))
    if release.state != step.source:
        raise Conflict(
            f"当前状态“{STATE_ZH[release.state]}”不能{step.zh}",
            f"a release in state {release.state} cannot be moved by {name}",
            field="state",
        )
    note = note.strip()
    if step.note_required and not note:
        field = "risk_note" if step.action is Action.RELEASE_REVIEW else "reason"
        raise InvalidInput(
            "必须填写意见（安全审核须记录政策风险评估）", "a note is required", field=field
        )
    now = utcnow()
    if step.action is Action.RELEASE_APPROVE:
        release.approved_by, release.approved_at, release.approval_note = actor.name, now, note
    elif step.action is Action.RELEASE_REVIEW:
        release.reviewed_by, release.reviewed_at, release.risk_note = actor.name, now, note
    if step.target == PUBLIC:
        _supersede(session, release)
        release.published_at = now
    if step.target in (REJECTED, WITHDRAWN):
        release.closed_by, release.closed_at, release.close_reason = actor.name, now, note
    release.state = step.target
    bump(session.connection())  # public pages, API and DCAT see the change at once
    record(
        session,
        actor,
        f"release.{name}",
        category=Category.DECISION,
        target=release_target(release, resource),
        details={"state": release.state},
    )
    return release


def _supersede(session: Session, release: Release) -> None:
    for older in session.scalars(
        select(Release).where(
            Release.resource_id == release.resource_id,
            Release.state == PUBLIC,
            Release.id != release.id,
        )
    ):
        older.state = SUPERSEDED
        older.closed_at = utcnow()


def queue(
    session: Session, actor: Actor, states: tuple[str, ...] = ()
) -> list[tuple[Release, Resource]]:
    """Releases with their entries, newest first; ``states`` narrows the list."""
    authorize(session, actor, Action.RELEASE_READ)
    stmt = select(Release, Resource).join(Resource, Resource.id == Release.resource_id)
    if states:
        stmt = stmt.where(Release.state.in_(states))
    rows = [(r, e) for r, e in session.execute(stmt.order_by(Release.id.desc()).limit(500)).all()]
    record(
        session,
        actor,
        "release.list",
        category=Category.QUERY,
        target=Target("release"),
        rows=len(rows),
    )
    return rows
