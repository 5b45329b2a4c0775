"""Snapshots of catalog entries and readable diffs between any two versions."""

from __future__ import annotations

from typing import Any

from hutong.catalog.models import Resource
from hutong.catalog.schemas import FieldChange
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
FIELD_LABELS = {
    "name": "信息资源名称",
    "status": "状态",
    "classification_code": "分类",
    "attribute": "资源属性",
    "provider_unit_code": "提供方",
    "summary": "摘要",
    "format": "格式",
    "share_type": "共享类型",
    "share_conditions": "共享条件",
    "share_method": "共享方式",
    "share_legal_basis": "不予共享依据",
    "open_type": "公开类型",
    "open_conditions": "公开条件",
    "open_method": "公开方式",
    "update_cycle": "更新周期",
    "release_date": "发布日期",
    "related_codes": "关联资源代码",
    "usage_requirements": "使用要求",
    "responsible_person": "责任人",
    "data_kind": "数据类别",
    "source_system_id": "来源系统",
    "grade": "数据级别",
    "general_level": "一般数据子级",
    "has_pi": "含个人信息",
    "sensitive_categories": "敏感个人信息类别",
    "has_child_pi": "含儿童个人信息",
    "approx_persons": "涉及人数（约）",
    "deidentified": "已去标识化",
    "retention_days": "保存期限（天）",
}
#: The item attributes a version records, with the labels its change list shows.
ITEM_LABELS = {
    "data_type": "数据类型",
    "length": "长度",
    "precision": "精度",
    "min_value": "取值下限",
    "max_value": "取值上限",
    "element_ref": "标准数据元",
    "description": "说明",
    "pi_category": "个人信息类别",
    "sensitive": "敏感",
    "default_mask": "共享默认脱敏",
}
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
