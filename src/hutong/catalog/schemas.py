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


class ItemIn(BaseModel):
    name: str = Field(min_length=1, max_length=128, description="信息项名称")
    data_type: ItemType = Field(description="数据类型（从词表中选择）")
    length: int | None = Field(None, ge=1, le=1_000_000, description="长度")
    precision: int | None = Field(
        None, ge=0, le=MAX_DIGITS, description="精度：数值型的小数位数（长度为全部数字位数）"
    )
    min_value: float | None = Field(None, allow_inf_nan=False, description="取值范围下限")
    max_value: float | None = Field(None, allow_inf_nan=False, description="取值范围上限")
    element_ref: str = Field("", max_length=64, description="标准数据元引用")
    description: str = Field("", max_length=2000)
    pi_category: PiCategory = PiCategory.NONE
    sensitive: bool = False
    default_mask: Mask = Mask.NONE

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
        min_length=1, max_length=16, description="分类代码（类/项/目/细目）"
    )
    attribute: ResourceAttribute
    name: str = Field(min_length=2, max_length=200, description="信息资源名称")
    provider_unit_code: str = Field(description="提供方单位代码")
    summary: str = Field(min_length=1, max_length=4000, description="信息资源摘要")
    format: ResourceFormat
    share_type: ShareType
    share_conditions: str = Field("", max_length=2000)
    share_method: str = Field("", max_length=200)
    share_legal_basis: str = Field(
        "", max_length=2000, description="不予共享的法律、行政法规或政策依据"
    )
    open_type: OpenType
    open_conditions: str = Field("", max_length=2000)
    open_method: str = Field("", max_length=200)
    update_cycle: UpdateCycle
    release_date: date | None = None
    related_codes: list[str] = Field(default_factory=list)
    usage_requirements: str = Field("", max_length=2000)
    responsible_person: str = Field("", max_length=64)
    data_kind: DataKind
    source_system_id: RowId | None = None
    grade: Grade = Grade.GENERAL
    general_level: int | None = Field(None, ge=1, le=4, description="一般数据子级 1–4")
    has_pi: bool = False
    sensitive_categories: list[PiCategory] = Field(default_factory=list)
    has_child_pi: bool = False
    approx_persons: int | None = Field(None, ge=0, le=MAX_INTEGER)
    deidentified: bool = Field(False, description="已声明去标识化处理")
    retention_days: int | None = Field(None, ge=1, le=MAX_INTEGER)
    secret: bool = Field(False, description="涉密：涉密数据不得进入平台")
    overlap_justification: str = Field(
        "",
        max_length=2000,
        description="一数一源说明：信息项已由其他单位提供时，须说明为何不能通过共享获取（办法第八条）",
    )
    items: list[ItemIn] = Field(min_length=1)

    @field_validator("items")
    @classmethod
    def _unique_item_names(cls, items: list[ItemIn]) -> list[ItemIn]:
        seen: set[str] = set()
        for item in items:
            if item.name in seen:
                raise ValueError(f"duplicate item name {item.name}")
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

    grade: Grade
    general_level: int | None = Field(None, ge=1, le=4, description="一般数据子级 1–4")
    reason: str = Field(min_length=2, max_length=2000, description="调整理由")


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
