"""API and CLI shapes of alerts (the console and ``hutong monitor`` will render these)."""

from __future__ import annotations

from datetime import datetime

from pydantic import BaseModel


class AlertOut(BaseModel):
    id: int
    rule_id: str
    title: str
    level: str
    level_zh: str
    article: str
    subject: str  # what the alert is about, in Chinese (e.g. "账号 zhang.san")
    state: str
    state_zh: str
    count: int
    first_at: datetime
    last_at: datetime
    assignee: str
    silenced_until: datetime | None
    #: silenced now: still counting, but not to be announced
    muted: bool


class AlertActionOut(BaseModel):
    at: datetime
    actor_name: str
    step: str
    step_zh: str
    note: str


class AlertDetail(AlertOut):
    description: str
    evidence: list[int]  # audit event numbers, newest last
    silence_reason: str
    resolution: str
    resolved_at: datetime | None
    history: list[AlertActionOut]
