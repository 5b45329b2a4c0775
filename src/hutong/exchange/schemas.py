"""API shapes of the exchange: applications and decisions, documents, grants, queries,
external-provision requests, correction reports and notifications."""

from __future__ import annotations

from datetime import date, datetime
from typing import Annotated, Literal

from pydantic import BaseModel, ConfigDict, Field

from hutong.core.db import MAX_INTEGER, RowId
from hutong.exchange.vocab import AppStatus, DocumentKind, PurposeCategory
from hutong.policy.conditions import Condition, ItemName
from hutong.policy.grant import AccessMode
from hutong.policy.structured import StructuredQuery
from hutong.privacy.masks import MaskSpec

Text = Annotated[str, Field(min_length=2, max_length=2000)]


class ApplicationIn(BaseModel):
    """What a consumer unit asks for (M2018 §20; least necessary, N2021 task 6)."""

    model_config = ConfigDict(extra="forbid")

    resource_code: str = Field(min_length=1, max_length=32, title="信息资源")
    purpose: Text = Field(description="用途：为何需要这些数据", title="用途")
    purpose_category: PurposeCategory = Field(title="用途类别")
    items: list[ItemName] = Field(
        min_length=1, max_length=500, description="申请的信息项", title="信息项"
    )
    item_reasons: dict[ItemName, Text] = Field(
        default_factory=dict,
        description="申请全部信息项时，每个敏感信息项的理由",
        title="各信息项的理由",
    )
    row_filter: list[Condition] = Field(default_factory=list, max_length=20, title="行过滤条件")
    period_from: date | None = Field(None, title="使用期限起")
    period_until: date | None = Field(None, title="使用期限止")
    access_mode: AccessMode = Field(AccessMode.ONLINE_ONLY, title="使用方式")
    security_measures: Text = Field(description="使用方采取的安全保护措施", title="安全保护措施")
    rows_per_day: int | None = Field(None, ge=1, le=MAX_INTEGER, title="每日行数上限")


class GrantedItemIn(BaseModel):
    model_config = ConfigDict(extra="forbid")

    name: ItemName = Field(title="信息项")
    mask: MaskSpec | None = Field(
        None, description="None: the item's default mask", title="脱敏方式"
    )


#: The items of a grant: at least one (a grant of none could not be turned into a policy, and
#: every query under it would fail). Each once: ``grants.granted_items`` checks, for every path.
GrantedItems = Annotated[list[GrantedItemIn], Field(min_length=1, max_length=500)]


class ConsentBasisIn(BaseModel):
    """The grant's legal basis is consent (N2021 task 8): only rows of subjects who consented
    to ``purpose`` of ``system_id``'s collection notice (and to each sensitive ``categories``)
    are returned; ``subject_item`` is the item holding the person's ID number."""

    model_config = ConfigDict(extra="forbid")

    system_id: RowId = Field(title="信息系统")
    purpose: Annotated[str, Field(min_length=1, max_length=64)] = Field(title="收集用途")
    categories: list[Annotated[str, Field(min_length=1, max_length=32)]] = Field(
        default_factory=list, max_length=10, title="个人信息种类"
    )
    subject_item: ItemName = Field(title="个人标识信息项")


Name = Annotated[str, Field(min_length=1, max_length=64)]


class ApprovalIn(BaseModel):
    """The provider's approval, possibly narrower than the application asked."""

    model_config = ConfigDict(extra="forbid")

    items: GrantedItems | None = Field(
        None, description="None: the items applied for", title="授权信息项"
    )
    row_filter: list[Condition] = Field(
        default_factory=list,
        max_length=20,
        description="ANDed with the applicant's scope",
        title="行过滤条件",
    )
    period_until: date | None = Field(None, title="授权期限")
    online_only: bool = Field(False, title="仅在线查询")
    rows_per_day: int | None = Field(None, ge=1, le=MAX_INTEGER, title="每日行数上限")
    max_rows_per_query: int = Field(100_000, ge=1, le=10_000_000, title="单次查询行数上限")
    requests_per_minute: int | None = Field(60, ge=1, le=MAX_INTEGER, title="每分钟请求上限")
    require_agreement: bool = Field(
        False, description="commercial data: an agreement first", title="须先签订协议"
    )
    users: list[Name] = Field(
        default_factory=list,
        max_length=50,
        description="only these users of the consumer unit",
        title="授权用户",
    )
    clients: list[Name] = Field(
        default_factory=list,
        max_length=50,
        description="only these API clients (client ids)",
        title="授权应用",
    )
    consent: ConsentBasisIn | None = Field(
        None, description="legal basis consent", title="同意依据"
    )


class TransitionIn(BaseModel):
    model_config = ConfigDict(extra="forbid")

    reason: str = Field("", max_length=2000, title="理由")
    approval: ApprovalIn | None = Field(None, title="批准内容")


class DocumentIn(BaseModel):
    """A gate document's particulars; the scanned file travels beside it."""

    model_config = ConfigDict(extra="forbid")

    kind: DocumentKind = Field(title="文件类型")
    signed_on: date = Field(title="签署日期")
    signatories: list[Annotated[str, Field(min_length=2, max_length=128)]] = Field(
        default_factory=list, max_length=20, title="签署人"
    )
    reference: str = Field("", max_length=200, description="文号 / 批准单位", title="文号")
    conclusion: str = Field("", max_length=2000, description="评估结论", title="评估结论")


class StepOut(BaseModel):
    name: str
    from_status: str
    to_status: str
    actor_name: str
    note: str
    at: datetime


class DocumentOut(BaseModel):
    kind: DocumentKind
    signed_on: date
    signatories: list[str]
    reference: str
    conclusion: str
    file_name: str
    file_sha256: str
    recorded_by: str
    recorded_at: datetime


class ApplicationOut(BaseModel):
    id: int
    resource_code: str
    resource_name: str
    applicant_unit: str
    provider_unit: str
    applicant_name: str
    status: AppStatus
    status_label: str
    purpose: str
    purpose_category: PurposeCategory
    items: list[str]
    item_reasons: dict[str, str]
    row_filter: list[dict]
    period_from: date
    period_until: date
    access_mode: AccessMode
    security_measures: str
    decision: dict | None
    refusal_reason: str
    submitted_at: datetime
    due_date: date | None
    paused: bool
    overdue: bool
    needs: list[str] = Field(description="gates still open: security review, documents")
    grant: str | None
    steps: list[StepOut]
    documents: list[DocumentOut]


class GrantOut(BaseModel):
    code: str
    resource_code: str
    resource_name: str
    consumer_unit: str
    provider_unit: str
    users: list[str]
    clients: list[str]
    items: list[dict]
    row_filter: list[dict]
    purpose: str
    purpose_category: str
    access_mode: AccessMode
    max_rows_per_query: int
    rows_per_day: int | None
    requests_per_minute: int | None
    valid_from: datetime
    valid_until: datetime
    state: Literal["active", "suspended", "revoked", "expired", "pending"]
    revision: int
    revoke_reason: str
    suspend_reason: str = Field("", description="暂停原因：目录现行版本不再允许的方面")
    consent: ConsentBasisIn | None = Field(None, description="set when the basis is consent")


class NarrowIn(BaseModel):
    """Narrowing only: fewer items, stronger masks, more row conditions, an earlier end,
    online only, lower limits."""

    model_config = ConfigDict(extra="forbid")

    items: GrantedItems | None = None
    add_row_filter: list[Condition] = Field(default_factory=list, max_length=20)
    valid_until: datetime | None = None
    online_only: bool = False
    rows_per_day: int | None = Field(None, ge=1, le=MAX_INTEGER)
    max_rows_per_query: int | None = Field(None, ge=1, le=MAX_INTEGER)
    reason: Text


class RevokeIn(BaseModel):
    model_config = ConfigDict(extra="forbid")

    reason: Text = Field(title="理由")


class UsageOut(BaseModel):
    grant: str
    day: date
    queries: int
    denied: int
    rows: int
    bytes: int


Format = Literal["json", "csv", "parquet", "arrow"]


class QueryIn(StructuredQuery):
    """A structured query (``policy/structured.py``) plus the grant and the format."""

    model_config = ConfigDict(frozen=True, extra="forbid")

    grant: str | None = Field(
        None, max_length=32, description="None: the unit's grant", title="授权"
    )
    format: Format = Field("json", title="格式")


class SqlIn(BaseModel):
    model_config = ConfigDict(extra="forbid")

    sql: str = Field(min_length=1, max_length=20_000)
    grant: str | None = Field(None, max_length=32)
    format: Format = "json"


class ProvisionIn(BaseModel):
    """M2018 §22: a written request to provide shared data to others or publish it."""

    model_config = ConfigDict(extra="forbid")

    grant: str = Field(min_length=1, max_length=32)
    recipient: str = Field(min_length=2, max_length=200)
    purpose: Text
    scope: Text = Field(description="哪些数据、以何种形式对外提供或发布")


class AnswerIn(BaseModel):
    model_config = ConfigDict(extra="forbid")

    approve: bool | None = Field(
        None, description="external provisions: approve or refuse", title="是否同意"
    )
    answer: Text = Field(title="答复")


class ProvisionOut(BaseModel):
    id: int
    grant: str
    resource_code: str
    applicant_unit: str
    recipient: str
    purpose: str
    scope: str
    status: str
    answer: str
    answered_by: str
    filed_by: str
    filed_at: datetime
    answered_at: datetime | None


class CorrectionIn(BaseModel):
    """M2018 §23: an error found in shared data."""

    model_config = ConfigDict(extra="forbid")

    row_keys: list[Annotated[str, Field(min_length=1, max_length=128)]] = Field(
        min_length=1, max_length=100, title="有误的记录"
    )
    item: ItemName = Field(title="信息项")
    description: Text = Field(title="问题说明")


class CorrectionOut(BaseModel):
    id: int
    resource_code: str
    reporter_unit: str
    row_keys: list[str]
    item: str
    description: str
    status: str
    answer: str
    answered_by: str
    filed_by: str
    filed_at: datetime
    answered_at: datetime | None


class NotificationOut(BaseModel):
    id: int
    kind: str
    text: str
    #: ``kind:id`` of what it is about (``core/refs.py``), empty when about nothing to open.
    subject: str
    created_at: datetime
    read: bool
