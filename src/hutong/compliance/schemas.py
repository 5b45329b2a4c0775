"""API and CLI shapes of the system registry, findings, notices and assessments."""

from __future__ import annotations

from datetime import date, datetime
from typing import Literal

from pydantic import BaseModel, Field, model_validator

from hutong.catalog.vocab import SystemKind
from hutong.core.db import MAX_INTEGER, RowId
from hutong.core.errors import RuleBroken


class ProfileIn(BaseModel):
    """The registry record of a system (N2021 tasks 2, 9, 15; M2018 §5, §6, §13, §37)."""

    persons_pi: int = Field(0, ge=0, le=MAX_INTEGER, title="存储个人信息的人数")
    pi_officer_username: str | None = Field(None, title="个人信息保护负责人（账号）")
    responsible_person: str = Field("", max_length=64, title="数据安全责任人")
    mlps_level: int | None = Field(None, ge=1, le=5, title="网络安全等级保护级别")
    third_party_platform: str = Field("", max_length=200, title="第三方平台")
    third_party_agreement_ref: str = Field("", max_length=200, title="数据使用和保密协议")
    third_party_agreement_date: date | None = Field(None, title="协议签订日期")
    third_party_agreement_expires: date | None = Field(None, title="协议到期日期")
    provincial_filing_date: date | None = Field(None, title="向省级教育行政部门备案日期")
    provincial_filing_ref: str = Field("", max_length=200, title="备案编号")
    security_rules_doc: str = Field("", max_length=200, title="数据安全管理办法")
    emergency_plan_doc: str = Field("", max_length=200, title="网络安全事件应急预案")
    emergency_plan_covers_data: bool = Field(False, title="应急预案涵盖数据安全事件")
    confidentiality_review: Literal["", "passed", "failed"] = Field(
        "", title="保密审查结果", description="保密审查结果（报部保密办备案）"
    )
    confidentiality_review_date: date | None = Field(None, title="保密审查日期")
    storage_plan_doc: str = Field("", max_length=200, title="数据安全存储管理方案")
    offsite_backup: bool = Field(False, title="异地备份")
    stores_abroad: bool = Field(False, title="数据存储于境外")
    export_assessment_ref: str = Field("", max_length=200, title="数据出境安全评估")
    encrypts_at_rest: bool = Field(False, title="存储加密")
    encrypts_in_transit: bool = Field(False, title="传输加密")

    @model_validator(mode="after")
    def _dates_in_order(self) -> ProfileIn:
        starts, ends = self.third_party_agreement_date, self.third_party_agreement_expires
        if starts and ends and ends < starts:
            raise RuleBroken(
                "“协议到期日期”不能早于“协议签订日期”",
                "third_party_agreement_expires is before third_party_agreement_date",
                field="third_party_agreement_expires",
            )
        return self


class SystemIn(BaseModel):
    name: str = Field(min_length=2, max_length=128, title="系统名称")
    kind: SystemKind = Field(title="类型")
    owner_unit_code: str = Field(title="主管单位代码")
    operator_unit_code: str = Field(title="运营单位代码")
    proposed: bool = Field(False, description="拟立项（须预编资源目录后审批，M2018 §31）")
    profile: ProfileIn = Field(default_factory=ProfileIn)


class SecurityAuditIn(BaseModel):
    audited_on: date = Field(title="审计日期")
    auditor: str = Field(min_length=2, max_length=200, title="审计机构")
    conclusion: Literal["passed", "issues"] = Field(title="审计结论")
    report_ref: str = Field("", max_length=200, title="审计报告编号")


class SecurityAuditOut(SecurityAuditIn):
    id: int
    recorded_by: str


class SystemOut(BaseModel):
    id: int
    name: str
    kind: SystemKind
    owner_unit_code: str
    owner_unit_name: str
    operator_unit_code: str
    operator_unit_name: str
    approval_status: str
    registered: bool
    profile: ProfileIn | None
    audits: list[SecurityAuditOut]
    open_findings: int


class RuleOut(BaseModel):
    id: str
    title_zh: str
    title_en: str
    article: str
    severity: str
    subject: str


class RunIn(BaseModel):
    rules: list[str] = Field(
        default_factory=list, title="规则编号", description="规则编号；空则全部"
    )
    subjects: list[str] = Field(
        default_factory=list, title="对象类型", description="对象类型；空则全部"
    )


class RunOut(BaseModel):
    id: int
    trigger: str
    rules: int
    failing: int
    opened: int
    reopened: int
    closed: int
    seconds: float


class FindingOut(BaseModel):
    id: int
    rule_id: str
    title_zh: str
    article: str
    severity: str
    subject_kind: str
    subject_id: str
    unit_code: str | None
    status: str
    detail: str
    times_opened: int
    first_opened_at: datetime
    opened_at: datetime
    closed_at: datetime | None


class FindingEventOut(BaseModel):
    change: str
    run_id: int
    at: datetime


class FindingDetail(FindingOut):
    history: list[FindingEventOut]


class NoticeIn(BaseModel):
    finding_ids: list[RowId] = Field(min_length=1, title="本通知单所列问题")
    working_days: int | None = Field(
        None, title="整改期限（工作日）", description="整改期限（工作日），必填"
    )
    requirements: str = Field("", max_length=4000, title="整改要求")


class EvidenceIn(BaseModel):
    finding_id: RowId
    text: str = Field(min_length=2, max_length=4000, title="整改情况与佐证材料")


class TransitionIn(BaseModel):
    reason: str = Field("", max_length=2000)
    evidence: list[EvidenceIn] = Field(default_factory=list)


class NoticeOut(BaseModel):
    id: int
    number: str
    unit_code: str
    unit_name: str
    state: str
    working_days: int
    issued_at: datetime
    deadline: date
    overdue: bool
    escalated_at: datetime | None
    closed_at: datetime | None
    finding_ids: list[int]


class AssessmentIn(BaseModel):
    system_id: RowId
    activity: str = Field(
        "",
        max_length=200,
        title="个人信息处理活动",
        description="个人信息处理活动（空则评估整个系统）",
    )
    answers: dict[str, int]


class QuestionOut(BaseModel):
    id: str
    zh: str
    en: str
    low: int
    high: int
    weight: float
    choices: list[str]


class AssessmentOut(BaseModel):
    id: int
    subject_kind: str
    system_id: int
    activity: str
    unit_code: str
    answers: dict[str, int]
    evidence: dict[str, object]
    score: float
    level: str
    status: str
    assessed_by: str
    assessed_at: datetime
    reported_to_unit_code: str | None
    reported_at: datetime | None
