"""What loosens the protection of a published entry (M2018 §11, §30; N2021 task 3).

A change that gives consumers or the public more than the version in force — a lower grade,
a share or open type that gives more, a personal-information flag or category removed,
fewer persons declared, a de-identification newly declared, items added or left less
masked — waits for the catalog reviewer (``revisions.py``); anything else applies at once.
Both sides are ``versions.snapshot`` pictures of the entry, so the judgement is pure.
"""

from __future__ import annotations

from typing import Any

from hutong.catalog.vocab import SENSITIVE_PI, Grade, Mask, OpenType, PiCategory, ShareType

#: How much each value protects: a step down the ladder loosens.
GRADE_RANK = {Grade.GENERAL: 0, Grade.IMPORTANT: 1, Grade.CORE: 2}
SHARE_RANK = {ShareType.UNCONDITIONAL: 0, ShareType.CONDITIONAL: 1, ShareType.NOT_SHARED: 2}
OPEN_RANK = {OpenType.PROACTIVE: 0, OpenType.ON_REQUEST: 1, OpenType.NOT_OPEN: 2}
MASK_RANK = {
    Mask.NONE: 0,
    Mask.PARTIAL: 1,
    Mask.GENERALIZE: 1,
    Mask.PSEUDONYM: 2,
    Mask.HASH: 2,
    Mask.NULL: 3,
}
FLAGS = {"has_pi": "含个人信息", "has_child_pi": "含儿童个人信息"}

Snapshot = dict[str, Any]


def _pi_rank(category: str) -> int:
    if category == PiCategory.NONE:
        return 0
    return 2 if category in SENSITIVE_PI else 1


def _grade(snap: Snapshot) -> tuple[int, int]:
    """Grade first, then the general sub-level (1–4, higher protects more; none lowest)."""
    return GRADE_RANK[Grade(snap["grade"])], snap.get("general_level") or 0


def grade_changed(before: Snapshot, after: Snapshot) -> bool:
    return _grade(before) != _grade(after)


def _entry(before: Snapshot, after: Snapshot) -> list[str]:
    found = []
    if _grade(after) < _grade(before):
        found.append(f"数据级别由「{_grade_text(before)}」降为「{_grade_text(after)}」")
    for field, ranks, enum, label in (
        ("share_type", SHARE_RANK, ShareType, "共享类型"),
        ("open_type", OPEN_RANK, OpenType, "公开类型"),
    ):
        old, new = enum(before[field]), enum(after[field])
        if ranks[new] < ranks[old]:
            found.append(f"{label}由「{old.zh}」放宽为「{new.zh}」")
    for field, label in FLAGS.items():
        if before.get(field) and not after.get(field):
            found.append(f"取消「{label}」标记")
    removed = set(before.get("sensitive_categories") or []) - set(
        after.get("sensitive_categories") or []
    )
    if removed:
        names = "、".join(PiCategory(c).zh for c in sorted(removed))
        found.append(f"删除敏感个人信息类别：{names}")
    if after.get("deidentified") and not before.get("deidentified"):
        found.append("声明已去标识化")
    if (after.get("approx_persons") or 0) < (before.get("approx_persons") or 0):
        found.append("涉及人数减少")
    return found


def _grade_text(snap: Snapshot) -> str:
    level = snap.get("general_level")
    return Grade(snap["grade"]).zh + (f"（{level} 级）" if level else "")


def _item(name: str, old: dict[str, Any], new: dict[str, Any]) -> list[str]:
    found = []
    if _pi_rank(new["pi_category"]) < _pi_rank(old["pi_category"]):
        found.append(
            f"信息项「{name}」的个人信息类别由「{PiCategory(old['pi_category']).zh}」"
            f"改为「{PiCategory(new['pi_category']).zh}」"
        )
    if old.get("sensitive") and not new.get("sensitive"):
        found.append(f"信息项「{name}」取消「敏感」标记")
    before, after = Mask(old["default_mask"]), Mask(new["default_mask"])
    if after != before and MASK_RANK[after] <= MASK_RANK[before]:  # only a stronger mask tightens
        found.append(f"信息项「{name}」的默认脱敏由「{before.zh}」改为「{after.zh}」")
    return found


def loosenings(before: Snapshot, after: Snapshot) -> list[str]:
    """Every way ``after`` protects less than ``before``, in Chinese; empty when it does not."""
    found = _entry(before, after)
    old = {i["name"]: i for i in before.get("items", [])}
    for item in after.get("items", []):
        if item["name"] not in old:
            found.append(f"新增信息项「{item['name']}」")
        else:
            found += _item(item["name"], old[item["name"]], item)
    return found
