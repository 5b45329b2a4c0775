"""Verify the whole audit chain and its signed checkpoints; name the first bad event.

Rows are streamed through the raw DB-API cursor (no ORM objects) and hashed inline, which is
what makes full verification run at hundreds of thousands of events per second.
"""

from __future__ import annotations

from dataclasses import dataclass, field

from cryptography.exceptions import InvalidSignature
from sqlalchemy import Engine, select
from sqlalchemy.orm import Session

from hutong.audit.chain import CHAINED_COLUMNS, GENESIS, SEP, hasher
from hutong.audit.models import AuditAnchor, AuditCheckpoint
from hutong.audit.service import signed_message
from hutong.core.keys import public_key_id, signing_key
from hutong.core.settings import Settings

BATCH = 20_000


@dataclass
class Problem:
    seq: int
    reason_zh: str
    reason_en: str


@dataclass
class VerifyReport:
    events: int = 0
    first_seq: int | None = None
    head_seq: int = 0
    checkpoints: int = 0
    problems: list[Problem] = field(default_factory=list)

    @property
    def ok(self) -> bool:
        return not self.problems

    @property
    def first_bad(self) -> Problem | None:
        return min(self.problems, key=lambda p: p.seq) if self.problems else None


def _start(session: Session, settings: Settings, report: VerifyReport) -> tuple[int, str]:
    """Where the chain must resume: genesis, or the newest purge anchor (signature checked)."""
    anchor = session.scalars(select(AuditAnchor).order_by(AuditAnchor.seq.desc()).limit(1)).first()
    if anchor is None:
        return 0, GENESIS
    public = signing_key(settings.keys_dir).public_key()
    try:
        public.verify(bytes.fromhex(anchor.signature), signed_message(anchor.seq, anchor.hash))
    except (InvalidSignature, ValueError):
        report.problems.append(
            Problem(anchor.seq, "清除锚点签名无效", "purge anchor signature is invalid")
        )
    return anchor.seq, anchor.hash


def _checkpoints(session: Session, settings: Settings, report: VerifyReport) -> dict[int, str]:
    public = signing_key(settings.keys_dir).public_key()
    key_id = public_key_id(public)
    signed: dict[int, str] = {}
    for cp in session.scalars(select(AuditCheckpoint).order_by(AuditCheckpoint.seq)):
        report.checkpoints += 1
        try:
            if cp.key_id != key_id:
                raise InvalidSignature
            public.verify(bytes.fromhex(cp.signature), signed_message(cp.seq, cp.hash))
        except (InvalidSignature, ValueError):
            report.problems.append(
                Problem(cp.seq, "检查点签名无效", "checkpoint signature is invalid")
            )
            continue
        signed[cp.seq] = cp.hash
    return signed


def verify_chain(engine: Engine, settings: Settings) -> VerifyReport:
    """Walk every event in sequence order; collect the problems found (first one matters)."""
    report = VerifyReport()
    with Session(engine) as session:
        expected_seq, prev = _start(session, settings, report)
        signed = _checkpoints(session, settings, report)
    digest = hasher(settings.audit_hash)
    columns = ", ".join((*CHAINED_COLUMNS, "prev_hash", "hash"))
    raw = engine.raw_connection()
    try:
        cursor = raw.cursor()
        cursor.execute(f"SELECT {columns} FROM audit_events ORDER BY seq")
        n_chained = len(CHAINED_COLUMNS)
        last_seq = expected_seq
        broken = False
        while rows := cursor.fetchmany(BATCH):
            report.events += len(rows)
            for row in rows:
                seq = row[0]
                if report.first_seq is None:
                    report.first_seq = seq
                expected_seq += 1
                if not broken:
                    problem = None
                    if seq != expected_seq:
                        problem = Problem(
                            expected_seq,
                            f"缺少或多出事件（期望序号 {expected_seq}，实际 {seq}）",
                            f"event missing or inserted (expected seq {expected_seq}, found {seq})",
                        )
                    elif row[n_chained] != prev:
                        problem = Problem(
                            seq,
                            "前序哈希不符（事件被删除、插入或调换）",
                            "previous-hash link broken (event deleted, inserted or reordered)",
                        )
                    elif (
                        digest((prev + SEP.join(map(str, row[:n_chained]))).encode()).hex()
                        != row[-1]
                    ):
                        problem = Problem(seq, "事件内容被篡改", "event content was altered")
                    if problem:
                        report.problems.append(problem)
                        broken = True
                if seq in signed and signed[seq] != row[-1]:
                    report.problems.append(
                        Problem(seq, "与签名检查点不符", "does not match its signed checkpoint")
                    )
                prev = row[-1]
                expected_seq = seq
                last_seq = seq
        cursor.close()
    finally:
        raw.close()
    report.head_seq = last_seq
    beyond = [s for s in signed if s > last_seq]
    if beyond:
        report.problems.append(
            Problem(
                last_seq + 1,
                f"签名检查点 {max(beyond)} 之前的事件被删除",
                f"events up to signed checkpoint {max(beyond)} were deleted",
            )
        )
    return report
