"""API shapes of the release gate and of disclosure requests."""

from __future__ import annotations

from datetime import date, datetime
from typing import Any

from pydantic import BaseModel, Field

from hutong.catalog.models import Resource
from hutong.core.db import RowId
from hutong.openportal.models import DisclosureRequest, Release


class ReleaseIn(BaseModel):
    code: str = Field(max_length=32, description="资源代码 of a published 主动公开 entry")
    version: RowId | None = Field(None, description="dataset version (default: the newest)")


class NoteIn(BaseModel):
    note: str = Field(
        "", max_length=4000, description="reason, or the security reviewer's policy-risk note"
    )


class ReleaseOut(BaseModel):
    id: int
    code: str
    name: str
    version: int
    state: str
    check_passed: bool
    check_report: dict[str, Any]
    requested_by: str
    requested_at: datetime
    approved_by: str
    reviewed_by: str
    risk_note: str
    published_at: datetime | None
    close_reason: str

    @classmethod
    def of(cls, release: Release, resource: Resource) -> ReleaseOut:
        return cls(
            id=release.id, code=resource.code, name=resource.name, version=release.version,
            state=release.state, check_passed=release.check_passed,
            check_report=release.check_report, requested_by=release.requested_by,
            requested_at=release.requested_at, approved_by=release.approved_by,
            reviewed_by=release.reviewed_by, risk_note=release.risk_note,
            published_at=release.published_at, close_reason=release.close_reason,
        )  # fmt: skip


class ApplicationIn(BaseModel):
    name: str = Field(max_length=64)
    id_type: str = Field(description="citizen_id, passport, hk_macao, taiwan or uscc")
    id_number: str = Field(max_length=32)
    contact: str = Field(max_length=128)
    description: str = Field(max_length=4000)
    purpose: str = Field("", max_length=1000)
    preferred_format: str = Field("electronic", description="electronic, paper or onsite")
    office_code: str = Field(
        "", max_length=32, description="code of the unit applied to; empty: the platform's"
    )


class FiledOut(BaseModel):
    tracking_no: str
    due_date: date


class DisclosureStepIn(BaseModel):
    note: str = Field("", max_length=4000, description="ask_correction: what must be completed")
    days: int = Field(0, description="extend: working days, 1–20")
    reason: str = Field("", max_length=4000, description="extend / refuse / partial: the reason")
    approver: str = Field("", max_length=64, description="extend: the head who approved it")
    decision: str = Field("", description="decide: disclose, partial, refuse, not_exist, not_ours")
    answer: str = Field("", max_length=8000)
    other_office: str = Field("", max_length=200)


class DisclosureOut(BaseModel):
    """A request as staff list it: no applicant personal information (see ``/applicant``)."""

    tracking_no: str
    state: str
    id_type: str
    description: str
    purpose: str
    preferred_format: str
    received_at: datetime
    due_date: date
    extended: bool
    extension_reason: str
    decision: str
    decision_reason: str
    answer: str
    other_office: str
    handled_by: str

    @classmethod
    def of(cls, request: DisclosureRequest) -> DisclosureOut:
        return cls.model_validate(request, from_attributes=True)
