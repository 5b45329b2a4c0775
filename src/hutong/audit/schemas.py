"""API shape of an audit event."""

from __future__ import annotations

from datetime import datetime

from pydantic import BaseModel

from hutong.audit.models import AuditEvent
from hutong.core.clock import from_us


class AuditEventOut(BaseModel):
    seq: int
    time: datetime
    actor_id: str
    actor_name: str
    actor_unit: str
    actor_roles: list[str]
    event: str
    category: str
    target_type: str
    target_id: str
    purpose: str
    outcome: str
    rows: int
    client_addr: str
    request_id: str
    details: str
    hash: str

    @classmethod
    def of(cls, event: AuditEvent) -> AuditEventOut:
        return cls(
            seq=event.seq,
            time=from_us(event.ts_us),
            actor_id=event.actor_id,
            actor_name=event.actor_name,
            actor_unit=event.actor_unit,
            actor_roles=[r for r in event.actor_roles.split(",") if r],
            event=event.event,
            category=event.category,
            target_type=event.target_type,
            target_id=event.target_id,
            purpose=event.purpose,
            outcome=event.outcome,
            rows=event.rows,
            client_addr=event.client_addr,
            request_id=event.request_id,
            details=event.details,
            hash=event.hash,
        )


class AuditPage(BaseModel):
    events: list[AuditEventOut]
    next_before_seq: int | None
