"""Catalog entries: create, edit (a new version each time), read, history and diff.

Every operation passes ``authorize()`` and writes its audit event in the same transaction;
the save rules of ``rules.py`` hold for every saved state.
"""

from __future__ import annotations

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from hutong.audit.service import Category, record
from hutong.catalog import overlaps, protection, revisions, rules
from hutong.catalog.entries import by_code, read, search_text, target
from hutong.catalog.models import Classification, InformationSystem, Item, Resource, ResourceVersion
from hutong.catalog.schemas import FieldChange, GradeIn, ResourceIn, ResourceOut, VersionOut
from hutong.catalog.search import reindex
from hutong.catalog.versions import diff, snapshot
from hutong.catalog.vocab import Status, SystemKind
from hutong.core.clock import utcnow
from hutong.core.errors import Conflict, InvalidInput, NotFound
from hutong.identity.authz import Actor, Target, authorize
from hutong.identity.roles import Action
from hutong.identity.service import unit_by_code

EDITABLE = {Status.DRAFT, Status.RETURNED, Status.PUBLISHED}


def classification(session: Session, code: str) -> Classification:
    node = session.scalar(select(Classification).where(Classification.code == code))
    if node is None:
        raise InvalidInput(
            "分类代码不存在", "unknown classification code", field="classification_code"
        )
    return node


def next_code(session: Session, node: Classification) -> str:
    """资源代码 = 分类代码 (前段码) + '/' + 6-digit sequence within that classification (后段码)."""
    prefix = f"{node.code}/"
    last = session.scalar(select(func.max(Resource.code)).where(Resource.code.startswith(prefix)))
    sequence = int(last.rsplit("/", 1)[1]) + 1 if last else 1
    return f"{prefix}{sequence:06d}"


def _apply(session: Session, resource: Resource, data: ResourceIn) -> None:
    """Copy validated input onto the row (items replaced wholesale, positions kept)."""
    unit = unit_by_code(session, data.provider_unit_code, "provider_unit_code")
    node = classification(session, data.classification_code)
    if (
        data.source_system_id is not None
        and session.get(InformationSystem, data.source_system_id) is None
    ):
        raise InvalidInput("来源系统不存在", "unknown source system", field="source_system_id")
    skip = {"classification_code", "provider_unit_code", "items", "secret", "overlap_justification"}
    for field, value in data.model_dump(exclude=skip).items():
        setattr(resource, field, value)
    resource.classification = node
    resource.provider_unit = unit
    resource.search_text = search_text(data, unit.name)
    resource.updated_at = utcnow()
    session.add(resource)
    existing = {item.name: item for item in resource.items}
    rows = []
    for position, item in enumerate(data.items, start=1):
        row = existing.get(item.name) or Item(name=item.name)
        row.position = position
        for field, value in item.model_dump(exclude={"name"}).items():
            setattr(row, field, value)
        rows.append(row)
    resource.items = rows  # rows left out are deleted (delete-orphan)
    session.flush()
    reindex(session, resource)


def _version(session: Session, resource: Resource, actor: Actor, note: str = "") -> ResourceVersion:
    session.flush()
    version = ResourceVersion(
        resource_id=resource.id,
        version=resource.version,
        status=resource.status,
        snapshot=snapshot(resource),
        note=note,
        changed_by=actor.name,
    )
    session.add(version)
    return version


def create(session: Session, actor: Actor, data: ResourceIn) -> Resource:
    """A new draft entry of the actor's unit (or a unit the steward may edit)."""
    unit = unit_by_code(session, data.provider_unit_code, "provider_unit_code")
    authorize(session, actor, Action.CATALOG_EDIT, Target("resource", None, unit.id))
    data = rules.enforce(data)
    node = classification(session, data.classification_code)
    resource = Resource(
        code=next_code(session, node),
        status=Status.DRAFT.value,
        version=1,
        created_by=int(actor.id) if actor.kind == "user" else None,
    )
    _apply(session, resource, data)
    overlaps.require_justification(session, actor, resource, data)
    _version(session, resource, actor, "创建")
    record(
        session, actor, "catalog.create", category=Category.INSERT, target=target(resource), rows=1
    )
    return resource


def update(session: Session, actor: Actor, code: str, data: ResourceIn, note: str = "") -> Resource:
    """Edit an entry; each saved change is a new version. A published entry stays published;
    a change that loosens its protection waits for the catalog reviewer (``save``)."""
    resource = by_code(session, code)
    authorize(session, actor, Action.CATALOG_EDIT, target(resource))
    if Status(resource.status) not in EDITABLE:
        raise Conflict(
            f"「{Status(resource.status).zh}」状态的资源不能修改",
            f"an entry in state {resource.status} cannot be edited",
            field="status",
        )
    if data.provider_unit_code != resource.provider_unit.code:
        raise InvalidInput(
            "不能更改提供方单位", "the provider unit cannot change", field="provider_unit_code"
        )
    if data.classification_code != resource.classification.code:
        raise InvalidInput(
            "已编码资源不能更改分类",
            "a coded entry cannot change classification",
            field="classification_code",
        )
    return save(session, actor, resource, data, note or "修改")


def change_grade(session: Session, actor: Actor, code: str, change: GradeIn) -> Resource:
    """The security administrator grades a published entry (GRADE_MANAGE, N2021 task 3): a
    higher grade applies at once, a lower one waits for the catalog reviewer (``save``)."""
    resource = by_code(session, code)
    authorize(session, actor, Action.GRADE_MANAGE, target(resource))
    if resource.status != Status.PUBLISHED:
        raise Conflict(
            "只有已发布资源的数据级别由安全保密管理员调整；草稿的级别随目录审核",
            "only a published entry's grade is changed here; a draft's is reviewed with it",
            field="status",
        )
    current = ResourceIn.model_validate(
        out(resource).model_dump(include=set(ResourceIn.model_fields))
    )
    data = current.model_copy(update={"grade": change.grade, "general_level": change.general_level})
    return save(
        session, actor, resource, data, f"调整数据级别：{change.reason.strip()}", "catalog.grade"
    )


def save(
    session: Session,
    actor: Actor,
    resource: Resource,
    data: ResourceIn,
    note: str,
    event: str = "catalog.update",
    reviewed: bool = False,
) -> Resource:
    """Apply a change the caller may make, as a new version, unless the entry is published
    and the change loosens its protection (``protection.py``): then it is filed as a revision
    for the catalog reviewer and the version in force stays as it is (M2018 §11, §30).
    Changing a published entry's grade needs GRADE_MANAGE whatever the direction.
    ``reviewed``: the catalog reviewer approved this change as a revision (both checks were
    made when it was filed)."""
    data = rules.enforce(data)
    if data.release_date is None and resource.release_date is not None:
        data = data.model_copy(update={"release_date": resource.release_date})  # set at publication
    published = resource.status == Status.PUBLISHED
    before = snapshot(resource)
    regraded = (data.grade, data.general_level) != (resource.grade, resource.general_level)
    if published and regraded and not reviewed:
        authorize(session, actor, Action.GRADE_MANAGE, target(resource))
    trial = session.begin_nested()  # kept with its audit event, or rolled back and filed
    _apply(session, resource, data)
    overlaps.require_justification(session, actor, resource, data)
    after = snapshot(resource)
    loosened = protection.loosenings(before, after) if published and not reviewed else []
    if loosened:
        trial.rollback()
        revisions.file(session, actor, resource, data, after, loosened, note)
        return resource
    if after == before:
        record(session, actor, event, category=Category.UPDATE, target=target(resource))
    else:
        resource.version += 1
        _version(session, resource, actor, note)
        if published:
            revisions.took_effect(session, actor, resource)
        record(
            session,
            actor,
            event,
            category=Category.UPDATE,
            target=target(resource),
            rows=1,
            details={"version": resource.version},
        )
    trial.commit()
    return resource


def out(resource: Resource, pending_revision: int | None = None) -> ResourceOut:
    snap = snapshot(resource)
    return ResourceOut.model_validate(
        {
            **snap,
            "code": resource.code,
            "status": resource.status,
            "version": resource.version,
            "provider_unit_name": resource.provider_unit.name,
            "classification_name": resource.classification.name,
            "updated_at": resource.updated_at,
            "pending_revision": pending_revision,
        }
    )


def history(session: Session, actor: Actor, code: str) -> list[VersionOut]:
    resource = read(session, actor, code)
    rows = session.scalars(
        select(ResourceVersion)
        .where(ResourceVersion.resource_id == resource.id)
        .order_by(ResourceVersion.version)
    )
    return [
        VersionOut(
            version=v.version,
            status=v.status,
            note=v.note,
            changed_by=v.changed_by,
            changed_at=v.changed_at,
        )
        for v in rows
    ]


def compare(session: Session, actor: Actor, code: str, old: int, new: int) -> list[FieldChange]:
    resource = read(session, actor, code)
    snaps = dict(
        session.execute(
            select(ResourceVersion.version, ResourceVersion.snapshot).where(
                ResourceVersion.resource_id == resource.id, ResourceVersion.version.in_([old, new])
            )
        ).all()
    )
    for wanted, field in ((old, "from"), (new, "to")):
        if wanted not in snaps:
            raise NotFound("版本不存在", "unknown version", field=field)
    return diff(snaps[old], snaps[new])


def add_classification(
    session: Session, actor: Actor, code: str, name: str, parent_code: str | None = None
) -> Classification:
    """发展规划司 maintains the classification (类/项/目/细目) the catalog is coded by."""
    authorize(session, actor, Action.CATALOG_CLASSIFY, Target("classification", code))
    parent = classification(session, parent_code) if parent_code else None
    if not code.isalnum() or (parent and not code.startswith(parent.code)) or len(code) > 16:
        raise InvalidInput(
            "分类代码须由字母数字组成并以上级代码开头",
            "classification code must be alphanumeric and start with its parent's code",
            field="code",
        )
    if session.scalar(select(Classification.id).where(Classification.code == code)):
        raise Conflict("分类代码已存在", "classification code exists", field="code")
    node = Classification(
        code=code,
        name=name,
        level=(parent.level + 1) if parent else 1,
        parent_id=parent.id if parent else None,
    )
    if node.level > 4:
        raise InvalidInput(
            "分类最多四级（类/项/目/细目）", "at most four levels", field="parent_code"
        )
    session.add(node)
    session.flush()
    record(
        session,
        actor,
        "catalog.classify",
        category=Category.INSERT,
        target=Target("classification", code),
        rows=1,
    )
    return node


def register_system(
    session: Session,
    actor: Actor,
    name: str,
    kind: SystemKind,
    owner_unit_code: str,
    operator_unit_code: str,
    proposed: bool = False,
) -> InformationSystem:
    """Register a survey project or administrative system (N2021 task 2); a proposed one
    needs a pre-compiled catalog draft before approval (M2018 §31)."""
    owner = unit_by_code(session, owner_unit_code, "owner_unit_code")
    operator = unit_by_code(session, operator_unit_code, "operator_unit_code")
    authorize(session, actor, Action.CATALOG_EDIT, Target("system", name, owner.id))
    system = InformationSystem(
        name=name,
        kind=kind.value,
        owner_unit=owner,
        operator_unit=operator,
        approval_status="proposed" if proposed else "operating",
    )
    session.add(system)
    session.flush()
    record(
        session,
        actor,
        "system.register",
        category=Category.INSERT,
        target=Target("system", str(system.id), owner.id),
        rows=1,
    )
    return system


def catalog_drafts_of(session: Session, system: InformationSystem) -> list[Resource]:
    """The pre-compiled catalog entries attached to a system (M2018 §31's approval document)."""
    return list(session.scalars(select(Resource).where(Resource.source_system_id == system.id)))


def ready_for_approval(session: Session, system: InformationSystem) -> bool:
    """A proposed system may go to approval only with at least one catalog draft attached."""
    return bool(catalog_drafts_of(session, system))
