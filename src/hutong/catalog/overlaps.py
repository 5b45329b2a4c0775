"""一数一源 (M2018 §8, N2021 task 4): items another unit's entry already provides.

An item of entry E overlaps when an earlier published entry of another unit provides the
same item: the same standard data element (``element_ref``) or the same normalised name and
data type. The *source* of an item is the earliest published entry that has it; later
entries of other units that register it again need a recorded justification (why it cannot
be obtained by sharing). Saving an entry with unjustified overlaps is refused; the catalog
reviewer lists every overlap with its justification, or its lack of one.

Everything is set-based: one grouped query finds each item's source, joined to the items
that repeat it (no loop over entries).
"""

from __future__ import annotations

from sqlalchemy import Select, and_, func, literal_column, select, true, union_all
from sqlalchemy.orm import Session, aliased

from hutong.audit.service import Category, record
from hutong.catalog.models import Item, OverlapJustification, Resource, name_key
from hutong.catalog.schemas import OverlapOut, ResourceIn
from hutong.catalog.vocab import Status
from hutong.core.errors import InvalidInput
from hutong.identity.authz import Actor, Target, authorize
from hutong.identity.models import Unit
from hutong.identity.roles import Action

MATCHED_BY_ZH = {"element": "同一标准数据元", "name": "同名同类型"}


def _matches(by: str, keys: set[str] | None) -> Select:  # type: ignore[type-arg]
    """(resource id, item name, source id) of items whose source belongs to another unit."""
    if by == "element":
        columns = (Item.element_ref,)
        wanted = Item.element_ref != ""
        if keys is not None:
            wanted = and_(wanted, Item.element_ref.in_(keys))
    else:
        columns = (Item.name_key, Item.data_type)
        wanted = Item.name_key.in_(keys) if keys is not None else true()
    sources = (
        select(*columns, func.min(Resource.id).label("source_id"))
        .join(Resource, Resource.id == Item.resource_id)
        .where(Resource.status == Status.PUBLISHED.value, wanted)
        .group_by(*columns)
        .subquery()
    )
    source = aliased(Resource)
    same = and_(*(column == sources.c[column.key] for column in columns))
    return (
        select(
            Resource.id.label("resource_id"),
            Item.name.label("item"),
            Item.position.label("position"),
            literal_column(f"'{by}'").label("matched_by"),  # a constant, not a parameter
            source.id.label("source_id"),
        )
        .join(Resource, Resource.id == Item.resource_id)
        .join(sources, same)
        .join(source, source.id == sources.c.source_id)
        .where(
            Resource.status != Status.RETIRED.value,
            Resource.id > source.id,
            Resource.provider_unit_id != source.provider_unit_id,
        )
    )


def _overlaps(keys: tuple[set[str], set[str]] | None = None):  # type: ignore[no-untyped-def]
    """One row per overlapping item; a standard data element match wins over a name match."""
    both = union_all(
        _matches("element", keys[0] if keys else None), _matches("name", keys[1] if keys else None)
    ).subquery()
    ranked = select(
        both,
        func.row_number()
        .over(partition_by=(both.c.resource_id, both.c.item), order_by=both.c.matched_by)
        .label("rank"),
    ).subquery()
    return select(ranked).where(ranked.c.rank == 1).subquery()


def unjustified():  # type: ignore[no-untyped-def]
    """(resource id, item) of every overlap without a recorded justification (the compliance
    rule ``collection.duplicate`` reads this)."""
    found = _overlaps()
    return (
        select(found.c.resource_id, found.c.item)
        .outerjoin(
            OverlapJustification,
            and_(
                OverlapJustification.resource_id == found.c.resource_id,
                OverlapJustification.item_name == found.c.item,
            ),
        )
        .where(OverlapJustification.id.is_(None))
    )


def _query(
    resource_ids: list[int] | None = None,
    missing_only: bool = False,
    keys: tuple[set[str], set[str]] | None = None,
) -> Select:  # type: ignore[type-arg]
    found = _overlaps(keys)
    entry, source = aliased(Resource), aliased(Resource)
    entry_unit, source_unit = aliased(Unit), aliased(Unit)
    query = (
        select(
            entry.code,
            entry.name,
            entry_unit.name.label("unit"),
            entry.status,
            found.c.item,
            found.c.matched_by,
            source.code.label("source_code"),
            source.name.label("source_name"),
            source_unit.name.label("source_unit"),
            OverlapJustification.justification,
            OverlapJustification.recorded_by,
            OverlapJustification.recorded_at,
        )
        .join(entry, entry.id == found.c.resource_id)
        .join(entry_unit, entry_unit.id == entry.provider_unit_id)
        .join(source, source.id == found.c.source_id)
        .join(source_unit, source_unit.id == source.provider_unit_id)
        .outerjoin(
            OverlapJustification,
            and_(
                OverlapJustification.resource_id == found.c.resource_id,
                OverlapJustification.item_name == found.c.item,
            ),
        )
        .order_by(entry.code, found.c.position)
    )
    if resource_ids is not None:
        query = query.where(found.c.resource_id.in_(resource_ids))
    if missing_only:
        query = query.where(OverlapJustification.id.is_(None))
    return query


def listing(
    session: Session,
    actor: Actor,
    missing_only: bool = False,
    offset: int = 0,
    limit: int = 100,
) -> tuple[int, list[OverlapOut]]:
    """For the catalog reviewer: (how many, one page) of every overlap in the catalog."""
    authorize(session, actor, Action.CATALOG_OVERLAPS, Target("catalog"))
    query = _query(missing_only=missing_only)
    total = session.scalar(select(func.count()).select_from(query.subquery())) or 0
    rows = [
        OverlapOut.model_validate(row._mapping)
        for row in session.execute(query.offset(offset).limit(limit))
    ]
    record(
        session,
        actor,
        "catalog.overlaps",
        category=Category.QUERY,
        target=Target("catalog"),
        rows=len(rows),
        details={"missing_only": missing_only, "total": total},
    )
    return total, rows


def grouped(rows: list[OverlapOut]) -> list[tuple[OverlapOut, list[str]]]:
    """Consecutive rows of one entry, one source and one justification, with their items."""
    groups: list[tuple[OverlapOut, list[str]]] = []
    for row in rows:
        if groups and (
            groups[-1][0].code,
            groups[-1][0].source_code,
            groups[-1][0].justification,
        ) == (
            row.code,
            row.source_code,
            row.justification,
        ):
            groups[-1][1].append(row.item)
        else:
            groups.append((row, [row.item]))
    return groups


def of_entries(
    session: Session, resources: list[Resource], missing_only: bool = False
) -> dict[str, list[OverlapOut]]:
    """The overlaps of these entries by resource code, in one query (the caller has read or
    saved the entries)."""
    keys: tuple[set[str], set[str]] = (set(), set())
    for resource in resources:
        keys[0].update(i.element_ref for i in resource.items if i.element_ref)
        keys[1].update(i.name_key or name_key(i.name) for i in resource.items)
    found: dict[str, list[OverlapOut]] = {}
    if not resources:
        return found
    query = _query([r.id for r in resources], missing_only, keys)
    for row in session.execute(query):
        found.setdefault(row.code, []).append(OverlapOut.model_validate(row._mapping))
    return found


def refusal(overlaps: list[OverlapOut]) -> str:
    """What the steward reads when a save needs a justification."""
    listed = "；".join(
        f"“{o.item}”（{MATCHED_BY_ZH[o.matched_by]}：{o.source_unit}《{o.source_name}》"
        f" {o.source_code}）"
        for o in overlaps
    )
    return (
        "以下信息项已由其他单位的信息资源提供，按“一数一源”原则应优先通过共享获取"
        f"（办法第八条）：{listed}。确需重复登记的，请填写一数一源说明。"
    )


def justify(
    session: Session, actor: Actor, resource: Resource, overlaps: list[OverlapOut], text: str
) -> None:
    """Record the steward's justification for each of these items, audited."""
    sources = dict(
        session.execute(
            select(Resource.code, Resource.id).where(
                Resource.code.in_({o.source_code for o in overlaps})
            )
        ).all()
    )
    session.add_all(
        OverlapJustification(
            resource_id=resource.id,
            item_name=o.item,
            matched_by=o.matched_by,
            source_resource_id=sources[o.source_code],
            justification=text,
            recorded_by=actor.name,
        )
        for o in overlaps
    )
    record(
        session,
        actor,
        "catalog.overlap_justify",
        category=Category.INSERT,
        target=Target("resource", resource.code, resource.provider_unit_id),
        rows=len(overlaps),
        details={"items": [o.item for o in overlaps], "sources": sorted(sources)},
    )


def require_justification(
    session: Session, actor: Actor, resource: Resource, data: ResourceIn
) -> None:
    """Called by every save once the entry's items are flushed: items that newly overlap
    need ``data.overlap_justification``, recorded per item. Without it the save is refused
    (the transaction rolls back, nothing is saved)."""
    new = of_entries(session, [resource], missing_only=True).get(resource.code, [])
    if not new:
        return
    text = data.overlap_justification.strip()
    if not text:
        raise InvalidInput(
            refusal(new),
            f"{len(new)} items are already provided by another unit's entry (一数一源, "
            "M2018 §8); give a justification to register them again",
            field="overlap_justification",
            overlaps=[
                {
                    "item": o.item,
                    "matched_by": o.matched_by,
                    "source_code": o.source_code,
                    "source_name": o.source_name,
                    "source_unit": o.source_unit,
                }
                for o in new
            ],
        )
    justify(session, actor, resource, new, text)
