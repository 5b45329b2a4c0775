"""Verify the whole audit chain and its signed checkpoints; name the first bad event.

Checkpoints kept in the database can be replaced together with it; checkpoints exported and
kept elsewhere (``audit/checkpoints.py``) cannot, so when they are given, the chain must hold
the very hashes they signed: a deleted database re-initialised, or a chain rebuilt in a
swapped one, disagrees with them. An empty chain fails unless it is expected.

Rows are read through the raw DB-API cursor with the canonical text built in SQL, and each
event is checked against its own stored link, so the chain splits into sequence ranges that
separate processes verify at once; the ranges are then stitched at their boundaries.
"""

from __future__ import annotations

import os
from concurrent.futures import ProcessPoolExecutor
from dataclasses import dataclass, field

from cryptography.exceptions import InvalidSignature
from sqlalchemy import Engine, func, select
from sqlalchemy.orm import Session

from hutong.audit.chain import GENESIS, hasher, material_sql
from hutong.audit.models import AuditAnchor, AuditCheckpoint, AuditEvent
from hutong.audit.service import Category, Outcome, record, signed_message
from hutong.core.actors import Actor, Target
from hutong.core.db import make_engine
from hutong.core.keys import public_key_id, signing_key
from hutong.core.settings import Settings
from hutong.identity.authz import authorize
from hutong.identity.roles import Action

BATCH = 20_000
#: Below this many events one process is faster than starting workers.
PARALLEL_FROM = 100_000


@dataclass
class Problem:
    seq: int
    reason_zh: str
    reason_en: str


@dataclass
class VerifyReport:
    events: int = 0
    head_seq: int = 0
    checkpoints: int = 0
    #: exported checkpoints compared with the chain, and those older than the newest purge
    #: anchor, which can no longer be compared
    exported: int = 0
    exported_purged: int = 0
    problems: list[Problem] = field(default_factory=list)

    @property
    def ok(self) -> bool:
        return not self.problems

    @property
    def first_bad(self) -> Problem | None:
        return min(self.problems, key=lambda p: p.seq) if self.problems else None


@dataclass
class RangeResult:
    """What one worker saw in its sequence range [lo, hi]."""

    events: int = 0
    first_prev: str | None = None  # prev_hash stored on the range's first event
    last_seq: int | None = None
    last_hash: str | None = None
    problems: list[Problem] = field(default_factory=list)


def _missing(expected: int, found: int) -> Problem:
    return Problem(
        expected,
        f"缺少或多出事件（期望序号 {expected}，实际 {found}）",
        f"event missing or inserted (expected seq {expected}, found {found})",
    )


def _verify_range(
    url: str, algorithm: str, lo: int, hi: int, signed: dict[int, str], exported: dict[int, str]
) -> RangeResult:
    """Check seq contiguity from ``lo``, links inside the range, hashes and checkpoints."""
    digest = hasher(algorithm)
    engine = make_engine(url)
    result = RangeResult()
    expected, prev = lo - 1, None
    raw = engine.raw_connection()
    try:
        cursor = raw.cursor()
        material = material_sql(engine.dialect.name)
        cursor.execute(
            f"SELECT seq, prev_hash, hash, {material} FROM audit_events "
            f"WHERE seq BETWEEN {int(lo)} AND {int(hi)} ORDER BY seq"
        )
        first_problem: Problem | None = None
        while rows := cursor.fetchmany(BATCH):
            result.events += len(rows)
            for seq, prev_hash, stored, content in rows:
                expected += 1
                if prev is None:
                    result.first_prev = prev_hash
                    prev = prev_hash
                if first_problem is None:
                    if seq != expected:
                        first_problem = _missing(expected, seq)
                    elif prev_hash != prev:
                        first_problem = Problem(
                            seq,
                            "前序哈希不符（事件被删除、插入或调换）",
                            "previous-hash link broken (event deleted, inserted or reordered)",
                        )
                    elif digest(content.encode()).hex() != stored:
                        first_problem = Problem(seq, "事件内容被篡改", "event content was altered")
                if seq in signed and signed[seq] != stored:
                    result.problems.append(
                        Problem(seq, "与签名检查点不符", "does not match its signed checkpoint")
                    )
                if seq in exported and exported[seq] != stored:
                    result.problems.append(_disagrees(seq))
                prev = stored
                expected = result.last_seq = seq
        result.last_hash = prev
        cursor.close()
    finally:
        raw.close()
        engine.dispose()
    if first_problem is not None:
        result.problems.append(first_problem)
    return result


def _disagrees(seq: int) -> Problem:
    return Problem(
        seq,
        "与导出保存的签名检查点不符（数据库被替换或审计链被重建）",
        "does not match the exported signed checkpoint (database replaced or chain rebuilt)",
    )


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
    """Signed (seq → hash) pairs; a checkpoint whose signature fails is itself a problem."""
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


def _ranges(start: int, top: int, parts: int) -> list[tuple[int, int]]:
    size = max(1, -(-(top - start) // parts))
    return [(lo, min(lo + size - 1, top)) for lo in range(start + 1, top + 1, size)]


def verify_chain(
    engine: Engine,
    settings: Settings,
    workers: int | None = None,
    *,
    exported: dict[int, str] | None = None,
    allow_empty: bool = False,
) -> VerifyReport:
    """Walk every event in sequence order; collect the problems found (the first matters).
    ``exported`` holds the (seq → hash) pairs of checkpoints exported and kept outside."""
    report = VerifyReport()
    with Session(engine) as session:
        start_seq, start_hash = _start(session, settings, report)
        signed = _checkpoints(session, settings, report)
        top = session.scalar(select(func.max(AuditEvent.seq))) or start_seq
    outside = _comparable(exported or {}, start_seq, start_hash, report)
    if workers is None:
        workers = min(os.cpu_count() or 1, 4) if top - start_seq >= PARALLEL_FROM else 1
    url = engine.url.render_as_string(hide_password=False)
    ranges = _ranges(start_seq, top, workers) if top > start_seq else []
    args = [(url, settings.audit_hash, lo, hi, signed, outside) for lo, hi in ranges]
    if workers > 1 and len(ranges) > 1:
        with ProcessPoolExecutor(max_workers=len(ranges)) as pool:
            results = list(pool.map(_verify_range, *zip(*args, strict=True)))
    else:
        results = [_verify_range(*a) for a in args]
    prev_hash, prev_seq = start_hash, start_seq
    for (lo, _hi), result in zip(ranges, results, strict=True):
        report.events += result.events
        report.problems += result.problems
        if result.events and result.first_prev != prev_hash and not result.problems:
            report.problems.append(
                Problem(lo, "前序哈希不符（事件被删除、插入或调换）", "previous-hash link broken")
            )
        if result.last_seq is not None:
            prev_hash, prev_seq = result.last_hash or prev_hash, result.last_seq
    report.head_seq = prev_seq
    if not report.events and not allow_empty:
        report.problems.append(
            Problem(
                prev_seq + 1,
                "审计链为空，没有任何审计事件（数据库可能被删除或替换）",
                "the audit chain is empty (the database may have been deleted or replaced)",
            )
        )
    beyond = [s for s in (*signed, *outside) if s > prev_seq]
    if beyond:
        report.problems.append(
            Problem(
                prev_seq + 1,
                f"签名检查点 {max(beyond)} 之前的事件被删除",
                f"events up to signed checkpoint {max(beyond)} were deleted",
            )
        )
    return report


def _comparable(
    exported: dict[int, str], start_seq: int, start_hash: str, report: VerifyReport
) -> dict[int, str]:
    """The exported checkpoints still comparable with events; one at the purge anchor is
    compared with the anchor, older ones were purged with their events."""
    if start_seq in exported and exported[start_seq] != start_hash:
        report.problems.append(_disagrees(start_seq))
    report.exported_purged = sum(seq < start_seq for seq in exported)
    report.exported = len(exported)
    return {seq: value for seq, value in exported.items() if seq > start_seq}


def record_verification(session: Session, actor: Actor, report: VerifyReport) -> None:
    """Audit a verification and its result, so that supervision can see the chain was checked
    recently and held (the ``audit.verification`` compliance rule reads these events)."""
    authorize(session, actor, Action.AUDIT_VERIFY, Target("audit"))
    bad = report.first_bad
    record(
        session,
        actor,
        "audit.verify",
        category=Category.QUERY,
        target=Target("audit"),
        outcome=Outcome.ALLOWED if report.ok else Outcome.FAILED,
        rows=report.events,
        details={"head_seq": report.head_seq, "first_bad": bad.seq if bad else None},
    )
