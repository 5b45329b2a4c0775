"""Rules every catalog entry must satisfy when saved; each cites its source.

``violations()`` returns all breaches (the workbook import reports every one by row);
``enforce()`` raises the first as a typed error for the API and console.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

from hutong.catalog.schemas import ItemIn, ResourceIn
from hutong.catalog.vocab import (
    ITEM_TYPE_SHAPES,
    SENSITIVE_PI,
    Grade,
    ItemType,
    OpenType,
    PiCategory,
    ShareType,
)
from hutong.core.errors import InvalidInput

#: A cited legal basis names a document: 《…》 (a law, regulation or central policy).
CITATION = re.compile(r"《[^》]{2,}》")


@dataclass(frozen=True)
class Violation:
    field: str
    zh: str
    en: str


def normalise(data: ResourceIn) -> ResourceIn:
    """Derive what items already say: PI flags and sensitive categories (N2021 task 11)."""
    items = [
        item.model_copy(update={"sensitive": True}) if item.pi_category in SENSITIVE_PI else item
        for item in data.items
    ]
    item_sensitive = {i.pi_category for i in items if i.pi_category in SENSITIVE_PI}
    has_pi = data.has_pi or any(i.pi_category is not PiCategory.NONE for i in items)
    sensitive = sorted(set(data.sensitive_categories) | item_sensitive)
    return data.model_copy(
        update={"items": items, "has_pi": has_pi, "sensitive_categories": sensitive}
    )


def item_shape(position: int, item: ItemIn) -> list[Violation]:
    """A length or precision the item's data type cannot hold: every row would fail its
    checks (a 日期型 of length 4 sets every date aside). ``position`` counts from 0, as
    the ``items`` field of the API does."""
    shape = ITEM_TYPE_SHAPES[item.data_type]
    name = f"信息项「{item.name[:64]}」"
    kind = ItemType(item.data_type).name.lower()
    found = []
    if item.length is not None and item.length < shape.min_length:
        found.append(
            Violation(
                f"items.{position}.length",
                f"{name}：{item.data_type}的长度至少为 {shape.min_length}"
                f"（{shape.length_means}），不能为 {item.length}",
                f"item {position}: a {kind} item needs a length of at least {shape.min_length}",
            )
        )
    if item.length is not None and shape.max_length and item.length > shape.max_length:
        found.append(
            Violation(
                f"items.{position}.length",
                f"{name}：{item.data_type}至多 {shape.max_length} 位"
                f"（{shape.length_means}），不能为 {item.length}",
                f"item {position}: a {kind} item has at most {shape.max_length} digits",
            )
        )
    if item.precision and not shape.has_precision:
        found.append(
            Violation(
                f"items.{position}.precision",
                f"{name}：{item.data_type}没有小数位，不能设精度",
                f"item {position}: only a number has decimal places",
            )
        )
    elif item.precision and item.length is not None and item.precision > item.length:
        found.append(
            Violation(
                f"items.{position}.precision",
                f"{name}：精度（小数位数 {item.precision}）不能大于长度（总位数 {item.length}）",
                f"item {position}: more decimal places than digits",
            )
        )
    return found


def violations(data: ResourceIn) -> list[Violation]:
    found: list[Violation] = []
    if data.secret:
        found.append(
            Violation(
                "secret",
                "涉密信息资源不得进入平台",
                "classified (涉密) data never enters the platform",
            )
        )
    if data.share_type is ShareType.NOT_SHARED and not CITATION.search(data.share_legal_basis):
        found.append(
            Violation(
                "share_legal_basis",
                "不予共享须注明法律、行政法规或党中央、国务院政策依据（以《》引用文件名称）（M2018 第十七条）",
                "not-shared entries must cite a law, regulation or central policy in 《》 (M2018 §17)",
            )
        )
    special_pi = bool(data.sensitive_categories) or data.has_child_pi
    if special_pi and not data.deidentified:
        if data.share_type is ShareType.UNCONDITIONAL:
            found.append(
                Violation(
                    "share_type",
                    "含敏感个人信息或儿童个人信息的资源未声明去标识化，不得无条件共享（N2021 重点任务 8、10、11）",
                    "sensitive or children's PI cannot be shared unconditionally without de-identification",
                )
            )
        if data.open_type is OpenType.PROACTIVE:
            found.append(
                Violation(
                    "open_type",
                    "含敏感个人信息或儿童个人信息的资源未声明去标识化，不得主动公开（N2021 重点任务 8）",
                    "sensitive or children's PI cannot be published proactively without de-identification",
                )
            )
    if data.grade in (Grade.CORE, Grade.IMPORTANT) and data.share_type is ShareType.UNCONDITIONAL:
        found.append(
            Violation(
                "share_type",
                "核心数据、重要数据不得无条件共享（N2021 重点任务 3）",
                "core and important data cannot be shared unconditionally",
            )
        )
    if data.general_level is not None and data.grade is not Grade.GENERAL:
        found.append(
            Violation("general_level", "只有一般数据设子级", "only general data has a sub-level")
        )
    if data.has_child_pi and not data.has_pi:
        found.append(Violation("has_child_pi", "含儿童个人信息即含个人信息", "children's PI is PI"))
    for position, item in enumerate(data.items):
        found += item_shape(position, item)
    return found


def enforce(data: ResourceIn) -> ResourceIn:
    """Normalise, then raise the first violation as InvalidInput naming its field."""
    data = normalise(data)
    found = violations(data)
    if found:
        first = found[0]
        raise InvalidInput(first.zh, first.en, field=first.field)
    return data
