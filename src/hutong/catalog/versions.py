"""Snapshots of catalog entries and readable diffs between any two versions."""

from __future__ import annotations

from typing import Any

from hutong.catalog.models import Resource
from hutong.catalog.schemas import FIELD_LABELS, ITEM_LABELS, FieldChange
from hutong.catalog.vocab import (
    DataKind,
    Grade,
    Labelled,
    Mask,
    OpenType,
    PiCategory,
    ResourceAttribute,
    ResourceFormat,
    ShareType,
    Status,
    UpdateCycle,
)

#: Chinese labels of the fields a diff may show, in reading order.
ITEM_FIELDS = tuple(ITEM_LABELS)


def snapshot(resource: Resource) -> dict[str, Any]:
    """A JSON-ready picture of the entry as it is now, items included."""
    data: dict[str, Any] = {
        field: getattr(resource, field)
        for field in FIELD_LABELS
        if field not in ("classification_code", "provider_unit_code")
    }
    data["classification_code"] = resource.classification.code
    data["provider_unit_code"] = resource.provider_unit.code
    data["release_date"] = resource.release_date.isoformat() if resource.release_date else None
    data["items"] = [
        {"name": i.name, **{f: getattr(i, f) for f in ITEM_FIELDS}} for i in resource.items
    ]
    return data


def _text(value: Any) -> str:
    if value is None:
        return ""
    if isinstance(value, bool):
        return "是" if value else "否"
    if isinstance(value, list):
        return "、".join(map(str, value))
    return str(value)


def diff(before: dict[str, Any], after: dict[str, Any]) -> list[FieldChange]:
    """Field-by-field changes, then items added, removed or changed."""
    changes = [
        FieldChange(field=f, label=label, before=_text(before.get(f)), after=_text(after.get(f)))
        for f, label in FIELD_LABELS.items()
        if before.get(f) != after.get(f)
    ]
    old = {i["name"]: i for i in before.get("items", [])}
    new = {i["name"]: i for i in after.get("items", [])}
    for name in new.keys() - old.keys():
        changes.append(
            FieldChange(field=f"items.{name}", label=f"信息项「{name}」", before="", after="新增")
        )
    for name in old.keys() - new.keys():
        changes.append(
            FieldChange(
                field=f"items.{name}", label=f"信息项「{name}」", before="存在", after="删除"
            )
        )
    for name in sorted(old.keys() & new.keys()):
        for f in ITEM_FIELDS:
            if old[name].get(f) != new[name].get(f):
                changes.append(
                    FieldChange(
                        field=f"items.{name}.{f}",
                        label=f"信息项「{name}」{ITEM_LABELS[f]}",
                        before=_text(old[name].get(f)),
                        after=_text(new[name].get(f)),
                    )
                )
    return changes


#: Fields (of the entry or of an item) whose values are codes of a vocabulary.
VALUE_LABELS: dict[str, type[Labelled]] = {
    "status": Status,
    "attribute": ResourceAttribute,
    "format": ResourceFormat,
    "share_type": ShareType,
    "open_type": OpenType,
    "update_cycle": UpdateCycle,
    "data_kind": DataKind,
    "grade": Grade,
    "sensitive_categories": PiCategory,
    "pi_category": PiCategory,
    "default_mask": Mask,
}


def in_chinese(change: FieldChange) -> FieldChange:
    """A change as people read it: codes of a vocabulary replaced by their Chinese labels
    (the API keeps the codes)."""
    whole_item = change.field.startswith("items.") and change.field.count(".") == 1
    kind = None if whole_item else VALUE_LABELS.get(change.field.rsplit(".", 1)[-1])
    if kind is None:
        return change
    labels = {m.value: m.zh for m in kind}

    def read(text: str) -> str:
        return "、".join(labels.get(part, part) for part in text.split("、")) if text else text

    return change.model_copy(update={"before": read(change.before), "after": read(change.after)})
