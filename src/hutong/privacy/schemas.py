"""API and CLI shapes of notices, consents, sensitive-PI decisions, the automated-decision
register, statistical releases, research extracts and complaints."""

from __future__ import annotations

from datetime import date, datetime
from typing import Literal

from pydantic import BaseModel, Field, field_validator, model_validator

from hutong.catalog.vocab import SENSITIVE_PI, PiCategory
from hutong.core.db import RowId
from hutong.core.errors import RuleBroken

CODE = r"^[a-z][a-z0-9_]{1,63}$"
SENSITIVE_CODES = sorted(c.value for c in SENSITIVE_PI)
GuardianRelation = Literal["father", "mother", "guardian"]
RELATION_ZH = {"father": "父亲", "mother": "母亲", "guardian": "其他监护人"}


# --- notices ----------------------------------------------------------------------------------
class Purpose(BaseModel):
    code: str = Field(pattern=CODE, description="用途代码，如 enrolment")
    name: str = Field(min_length=2, max_length=100, description="用途，如 学籍管理")


class NoticeIn(BaseModel):
    """收集使用规则 of one information system (N2021 task 8): shown publicly in plain Chinese."""

    system_id: RowId = Field(title="信息系统")
    title: str = Field(min_length=2, max_length=200, title="标题")
    purposes: list[Purpose] = Field(min_length=1, title="用途")
    method: str = Field(min_length=2, max_length=2000, description="收集方式", title="收集方式")
    items: list[str] = Field(min_length=1, description="收集的信息项", title="信息项")
    categories: list[PiCategory] = Field(
        min_length=1, description="个人信息种类", title="个人信息种类"
    )
    retention: str = Field(min_length=2, max_length=200, description="保存期限", title="保存期限")
    recipients: str = Field("", max_length=2000, description="提供给谁", title="提供对象")
    legal_basis: Literal["consent", "statutory"] = Field("consent", title="法律依据")
    contact: str = Field("", max_length=200, description="个人信息保护联系方式", title="联系方式")

    @field_validator("purposes")
    @classmethod
    def _distinct_purposes(cls, purposes: list[Purpose]) -> list[Purpose]:
        if len({p.code for p in purposes}) != len(purposes):
            raise RuleBroken("用途代码重复", "purpose codes repeat")
        return purposes


class NoticeOut(BaseModel):
    id: int
    system_id: int
    system_name: str
    version: int
    title: str
    purposes: list[Purpose]
    method: str
    items: list[str]
    categories: list[str]
    sensitive_categories: list[str]
    retention: str
    recipients: str
    legal_basis: str
    contact: str
    material_change: bool
    published_at: datetime


# --- consents ---------------------------------------------------------------------------------
class ConsentIn(BaseModel):
    """ONE consent: one purpose or one sensitive category, never both and never several
    (no bundling, N2021 task 8). The subject's ID is pseudonymized on arrival."""

    system_id: RowId = Field(title="信息系统")
    notice_version: RowId = Field(title="告知书版本")
    subject_id: str = Field(
        min_length=6, max_length=40, description="身份证件号或学籍号", title="个人证件号"
    )
    birth_date: date | None = Field(None, description="无法从证件号得出时必填", title="出生日期")
    purpose: str | None = Field(None, pattern=CODE, title="用途")
    sensitive_category: str | None = Field(
        None, description="敏感个人信息类别，单独同意", title="敏感个人信息类别"
    )
    given_by: Literal["subject", "guardian"] = Field("subject", title="同意人")
    guardian_id: str | None = Field(None, min_length=6, max_length=40, title="监护人证件号")
    guardian_relation: GuardianRelation | None = Field(None, title="与本人关系")
    given_on: date | None = Field(None, description="同意日期（默认今天）", title="同意日期")

    @model_validator(mode="after")
    def _exactly_one(self) -> ConsentIn:
        if (self.purpose is None) == (self.sensitive_category is None):
            raise RuleBroken(
                "须且只须填写一个用途或一个敏感个人信息类别",
                "name exactly one purpose or one sensitive category",
            )
        if self.sensitive_category is not None and self.sensitive_category not in SENSITIVE_CODES:
            raise RuleBroken("不是敏感个人信息类别", "not a sensitive PI category")
        return self


class ConsentOut(BaseModel):
    id: int
    system_id: int
    system_name: str
    notice_version: int
    kind: str
    code: str
    label: str
    given_by: str
    guardian_relation: str
    child: bool
    given_at: datetime
    withdrawn_at: datetime | None
    status: Literal["valid", "withdrawn", "renewal_needed"]


class ConsentReceiptOut(BaseModel):
    consent: ConsentOut
    receipt_code: str = Field(description="凭证码：与证件号一起在公开页面查看、撤回同意")


class ImportOut(BaseModel):
    consents: int
    receipts: list[dict[str, object]] = Field(description="每行的凭证码（行号 line、code）")


class CheckIn(BaseModel):
    system_id: RowId = Field(title="信息系统")
    purpose: str = Field(pattern=CODE, title="用途")
    sensitive_categories: list[str] = Field(default_factory=list, title="敏感个人信息类别")
    subject_ids: list[str] = Field(min_length=1, max_length=100_000, title="证件号清单")


class CheckOut(BaseModel):
    subjects: int
    allowed: int
    refused: int
    allowed_flags: list[bool]


# --- sensitive PI, automated decisions ----------------------------------------------------------
class SensitiveDecisionIn(BaseModel):
    """单位领导班子集体决策 on one sensitive item (N2021 task 11)."""

    resource_code: str = Field(title="信息资源")
    item_name: str = Field(min_length=1, max_length=128, title="信息项")
    necessity: str = Field(
        min_length=10, max_length=4000, description="必要性论证", title="必要性论证"
    )
    scientific: str = Field(
        min_length=10, max_length=4000, description="科学性论证", title="科学性论证"
    )
    ethics: str = Field(
        min_length=10, max_length=4000, description="伦理性论证", title="伦理性论证"
    )
    meeting: str = Field(min_length=4, max_length=200, description="会议名称", title="会议名称")
    meeting_date: date = Field(title="会议日期")
    attendees: list[str] = Field(min_length=3, description="出席的领导班子成员", title="出席人员")
    outcome: Literal["approved", "rejected"] = Field(title="决策结果")


class SensitiveDecisionOut(SensitiveDecisionIn):
    id: int
    category: str
    recorded_by: str
    recorded_at: datetime


class AutomatedDecisionIn(BaseModel):
    unit_code: str = Field(title="单位")
    system_id: RowId | None = Field(None, title="信息系统")
    name: str = Field(min_length=2, max_length=200, title="名称")
    purpose: str = Field(min_length=4, max_length=2000, title="用途")
    logic: str = Field(
        min_length=10, max_length=4000, description="决策逻辑（通俗说明）", title="决策逻辑"
    )
    pi_items: list[str] = Field(min_length=1, title="使用的个人信息")
    effects: str = Field("", max_length=2000, description="对个人的影响", title="影响")
    human_review: str = Field(
        "", max_length=2000, description="人工复核与申诉途径", title="人工复核"
    )


class FairnessIn(BaseModel):
    """Outcomes by group (e.g. counts of favourable decisions per 性别 or 民族) and the
    smallest acceptable ratio of the lowest to the highest rate (four-fifths rule: 0.8)."""

    attribute: str = Field(min_length=1, max_length=64, title="分组属性")
    groups: dict[str, tuple[int, int]] = Field(
        description="组 → (有利结果数, 总数)", title="各组结果"
    )
    threshold: float = Field(0.8, gt=0, le=1, title="阈值")

    @field_validator("groups")
    @classmethod
    def _valid(cls, groups: dict[str, tuple[int, int]]) -> dict[str, tuple[int, int]]:
        if len(groups) < 2:
            raise RuleBroken("至少需要两组", "at least two groups are needed")
        for favourable, total in groups.values():
            if total <= 0 or not 0 <= favourable <= total:
                raise RuleBroken(
                    "每组须满足 0 ≤ 有利结果数 ≤ 总数，且总数大于 0",
                    "each group needs 0 <= favourable <= total and total > 0",
                )
        return groups


class AutomatedDecisionOut(AutomatedDecisionIn):
    id: int
    fairness: dict[str, object] | None
    fairness_passed: bool | None
    fairness_checked_at: datetime | None


# --- statistical release ------------------------------------------------------------------------
class ReleaseIn(BaseModel):
    """An aggregate table of a dataset version: counts (and sums) by ``by``, small cells
    suppressed, optionally differentially private (OpenDP) with the accuracy of each figure."""

    resource_code: str = Field(title="信息资源")
    version: RowId | None = Field(None, title="数据版本")
    by: list[str] = Field(min_length=1, max_length=4, title="分组信息项")
    sum: str | None = Field(None, title="求和信息项")
    threshold: int = Field(5, ge=2, le=100, description="小于此值的单元格隐匿", title="阈值")
    epsilon: float | None = Field(None, description="差分隐私预算（可选）", title="隐私预算 ε")
    sum_bounds: tuple[float, float] | None = Field(None, title="求和取值范围")
    confidence: float = Field(0.95, gt=0, lt=1, title="置信度")

    @model_validator(mode="after")
    def _budget(self) -> ReleaseIn:
        if self.epsilon is not None and not self.epsilon > 0:
            raise RuleBroken("隐私预算 ε 必须为正数", "the privacy budget epsilon must be positive")
        if self.epsilon is not None and self.sum is not None and self.sum_bounds is None:
            raise RuleBroken(
                "差分隐私求和须给出取值范围", "a differentially private sum needs sum_bounds"
            )
        return self


# --- extracts -----------------------------------------------------------------------------------
class ExtractIn(BaseModel):
    """A research / statistics extract (N2021 task 6)."""

    resource_code: str = Field(title="信息资源")
    requester_unit_code: str = Field(title="申请单位")
    purpose: str = Field(
        min_length=10, max_length=2000, description="用途（统计分析、科学研究…）", title="用途"
    )
    items: list[str] = Field(min_length=1, title="信息项")
    quasi: list[str] = Field(default_factory=list, description="准标识符", title="准标识符")
    k: int = Field(5, ge=2, le=100, title="k 值")


class ExtractDecisionIn(BaseModel):
    approve: bool = Field(title="是否批准")
    note: str = Field("", max_length=2000, title="意见")


class ExtractOut(BaseModel):
    id: int
    number: str
    resource_code: str
    requester_unit_code: str
    requested_by: str
    purpose: str
    items: list[str]
    masks: dict[str, dict[str, object]]
    quasi: list[str]
    k: int
    state: str
    decided_by: str
    decided_at: datetime | None
    decision_note: str
    version: int | None
    rows: int
    report: dict[str, object] | None
    produced_at: datetime | None


# --- complaints ---------------------------------------------------------------------------------
ComplaintCategory = Literal["collection", "use", "disclosure", "consent", "security", "other"]
COMPLAINT_CATEGORY_ZH = {
    "collection": "违规收集",
    "use": "超范围使用",
    "disclosure": "泄露或公开",
    "consent": "同意与撤回",
    "security": "安全保护不力",
    "other": "其他",
}


class ComplaintIn(BaseModel):
    system_id: RowId | None = Field(None, title="信息系统")
    category: ComplaintCategory = Field(title="投诉类别")
    contact: str = Field(
        min_length=5, max_length=200, description="联系方式（加密保存）", title="联系方式"
    )
    text: str = Field(
        min_length=10, max_length=4000, description="投诉内容（加密保存）", title="投诉内容"
    )


class ComplaintOut(BaseModel):
    id: int
    number: str
    system_id: int | None
    category: str
    state: str
    received_at: datetime
    due_date: date
    overdue: bool
    answer: str
    answered_by: str
    answered_at: datetime | None
    contact: str | None = None
    text: str | None = None


class AnswerIn(BaseModel):
    answer: str = Field(min_length=5, max_length=4000, title="答复")
