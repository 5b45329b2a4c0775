"""API and import shapes of catalog entries and their information items."""

from __future__ import annotations

from datetime import date, datetime

from pydantic import BaseModel, Field, field_validator, model_validator
from pydantic_core import PydanticCustomError

from hutong.catalog.vocab import (
    MAX_DIGITS,
    DataKind,
    Grade,
    ItemType,
    Mask,
    OpenType,
    PiCategory,
    ResourceAttribute,
    ResourceFormat,
    RevisionStatus,
    ShareType,
    Status,
    UpdateCycle,
)
from hutong.core.db import MAX_INTEGER, RowId
from hutong.core.errors import RuleBroken

#: Chinese names of an entry's fields and of an item's columns: form labels, diff labels and
#: the titles ``invalid_input`` names a refused field by.
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


class ItemIn(BaseModel):
    name: str = Field(min_length=1, max_length=128, description="信息项名称", title="信息项名称")
    data_type: ItemType = Field(
        description="数据类型（从词表中选择）", title=ITEM_LABELS["data_type"]
    )
    length: int | None = Field(
        None, ge=1, le=1_000_000, description="长度", title=ITEM_LABELS["length"]
    )
    precision: int | None = Field(
        None,
        title=ITEM_LABELS["precision"],
        ge=0,
        le=MAX_DIGITS,
        description="精度：数值型的小数位数（长度为全部数字位数）",
    )
    min_value: float | None = Field(
        None, allow_inf_nan=False, description="取值范围下限", title=ITEM_LABELS["min_value"]
    )
    max_value: float | None = Field(
        None, allow_inf_nan=False, description="取值范围上限", title=ITEM_LABELS["max_value"]
    )
    element_ref: str = Field(
        "", max_length=64, description="标准数据元引用", title=ITEM_LABELS["element_ref"]
    )
    description: str = Field("", max_length=2000, title=ITEM_LABELS["description"])
    pi_category: PiCategory = Field(PiCategory.NONE, title=ITEM_LABELS["pi_category"])
    sensitive: bool = Field(False, title=ITEM_LABELS["sensitive"])
    default_mask: Mask = Field(Mask.NONE, title=ITEM_LABELS["default_mask"])

    @model_validator(mode="after")
    def _declarations_can_hold_data(self) -> ItemIn:
        """A range whose bounds cross admits no value at all. (A length or precision the data
        type cannot hold is a save rule, ``rules.item_shape``, which names the item.)"""
        if (
            self.min_value is not None
            and self.max_value is not None
            and self.min_value > self.max_value
        ):
            raise PydanticCustomError("range_crossed", "取值下限大于取值上限")
        return self


class ResourceIn(BaseModel):
    """Everything a steward fills in; the code, status and version are Hutong's."""

    classification_code: str = Field(
        title=FIELD_LABELS["classification_code"],
        min_length=1,
        max_length=16,
        description="分类代码（类/项/目/细目）",
    )
    attribute: ResourceAttribute = Field(title=FIELD_LABELS["attribute"])
    name: str = Field(
        min_length=2, max_length=200, description="信息资源名称", title=FIELD_LABELS["name"]
    )
    provider_unit_code: str = Field(
        description="提供方单位代码", title=FIELD_LABELS["provider_unit_code"]
    )
    summary: str = Field(
        min_length=1, max_length=4000, description="信息资源摘要", title=FIELD_LABELS["summary"]
    )
    format: ResourceFormat = Field(title=FIELD_LABELS["format"])
    share_type: ShareType = Field(title=FIELD_LABELS["share_type"])
    share_conditions: str = Field("", max_length=2000, title=FIELD_LABELS["share_conditions"])
    share_method: str = Field("", max_length=200, title=FIELD_LABELS["share_method"])
    share_legal_basis: str = Field(
        "",
        title=FIELD_LABELS["share_legal_basis"],
        max_length=2000,
        description="不予共享的法律、行政法规或政策依据",
    )
    open_type: OpenType = Field(title=FIELD_LABELS["open_type"])
    open_conditions: str = Field("", max_length=2000, title=FIELD_LABELS["open_conditions"])
    open_method: str = Field("", max_length=200, title=FIELD_LABELS["open_method"])
    update_cycle: UpdateCycle = Field(title=FIELD_LABELS["update_cycle"])
    release_date: date | None = Field(None, title=FIELD_LABELS["release_date"])
    related_codes: list[str] = Field(default_factory=list, title=FIELD_LABELS["related_codes"])
    usage_requirements: str = Field("", max_length=2000, title=FIELD_LABELS["usage_requirements"])
    responsible_person: str = Field("", max_length=64, title=FIELD_LABELS["responsible_person"])
    data_kind: DataKind = Field(title=FIELD_LABELS["data_kind"])
    source_system_id: RowId | None = Field(None, title=FIELD_LABELS["source_system_id"])
    grade: Grade = Field(Grade.GENERAL, title=FIELD_LABELS["grade"])
    general_level: int | None = Field(
        None, ge=1, le=4, description="一般数据子级 1–4", title=FIELD_LABELS["general_level"]
    )
    has_pi: bool = Field(False, title=FIELD_LABELS["has_pi"])
    sensitive_categories: list[PiCategory] = Field(
        default_factory=list, title=FIELD_LABELS["sensitive_categories"]
    )
    has_child_pi: bool = Field(False, title=FIELD_LABELS["has_child_pi"])
    approx_persons: int | None = Field(
        None, ge=0, le=MAX_INTEGER, title=FIELD_LABELS["approx_persons"]
    )
    deidentified: bool = Field(
        False, description="已声明去标识化处理", title=FIELD_LABELS["deidentified"]
    )
    retention_days: int | None = Field(
        None, ge=1, le=MAX_INTEGER, title=FIELD_LABELS["retention_days"]
    )
    secret: bool = Field(False, description="涉密：涉密数据不得进入平台", title="涉密")
    overlap_justification: str = Field(
        "",
        title="一数一源说明",
        max_length=2000,
        description="一数一源说明：信息项已由其他单位提供时，须说明为何不能通过共享获取（办法第八条）",
    )
    items: list[ItemIn] = Field(min_length=1, title="信息项")

    @field_validator("items")
    @classmethod
    def _unique_item_names(cls, items: list[ItemIn]) -> list[ItemIn]:
        seen: set[str] = set()
        for item in items:
            if item.name in seen:
                raise RuleBroken(f"信息项名称“{item.name}”重复", f"duplicate item name {item.name}")
            seen.add(item.name)
        return items


class ItemOut(ItemIn):
    pass


class ResourceOut(ResourceIn):
    code: str
    status: Status
    version: int
    provider_unit_name: str
    classification_name: str
    updated_at: datetime
    secret: bool = False
    overlap_justification: str = Field("", exclude=True)  # kept per item, not on the entry
    pending_revision: int | None = Field(
        None, description="待审核修订的编号：放宽保护的修改在审核通过前不生效"
    )


class ReviewDecision(BaseModel):
    approve: bool
    reason: str = Field("", max_length=2000, description="退回理由（退回时必填）")


class GradeIn(BaseModel):
    """The security administrator's change of a published entry's grade (N2021 task 3)."""

    grade: Grade = Field(title=FIELD_LABELS["grade"])
    general_level: int | None = Field(
        None, ge=1, le=4, description="一般数据子级 1–4", title=FIELD_LABELS["general_level"]
    )
    reason: str = Field(min_length=2, max_length=2000, description="调整理由", title="调整理由")


class VersionOut(BaseModel):
    version: int
    status: Status
    note: str
    changed_by: str
    changed_at: datetime


class FieldChange(BaseModel):
    field: str
    label: str
    before: str
    after: str


class RevisionOut(BaseModel):
    """A change to a published entry that waits for the catalog reviewer (or did)."""

    number: int
    status: RevisionStatus
    base_version: int = Field(description="提出时生效的版本")
    loosenings: list[str] = Field(description="需要审核的原因：放宽了哪些保护")
    changes: list[FieldChange]
    note: str
    proposed_by: str
    proposed_at: datetime
    decided_by: str
    decided_at: datetime | None
    reason: str = Field(description="审核意见（退回时必填）")


class OverlapOut(BaseModel):
    """一数一源: an item that ``code`` registers although ``source_code`` (the earliest
    published entry with it, of another unit) provides it; with the recorded justification."""

    code: str
    name: str
    unit: str
    status: Status
    item: str
    matched_by: str = Field(description="element: 同一标准数据元; name: 同名同类型")
    source_code: str
    source_name: str
    source_unit: str
    justification: str | None = Field(None, description="一数一源说明；None 表示尚未说明")
    recorded_by: str | None = None
    recorded_at: datetime | None = None


class OverlapPage(BaseModel):
    total: int
    overlaps: list[OverlapOut]
