"""Consent records (N2021 tasks 8 and 10): one purpose or one sensitive category per consent,
given by the subject or — under 14 on the day — by a guardian; withdrawal at any time; bulk
import from a file; receipts that let a subject or guardian see and withdraw their consents
on the public page.

Every change updates ``privacy_consents`` (the current state, for people and pages) and
appends a batch to the consent ledger (for the bulk question, ``ledger.py``) in the same
transaction, with its audit event."""

from __future__ import annotations

import csv
import hmac
import io
import secrets
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime

from pydantic import ValidationError
from sqlalchemy import func, select, tuple_
from sqlalchemy.orm import Session

from hutong.audit.service import Category, Outcome, record
from hutong.catalog.vocab import PiCategory
from hutong.core.clock import today_local, utcnow
from hutong.core.errors import ImportRejected, InvalidInput, NotFound
from hutong.identity import scopes
from hutong.identity.authz import Actor, Target, authorize
from hutong.identity.roles import Action
from hutong.privacy import ledger, notices, subjects
from hutong.privacy.keys import for_domain
from hutong.privacy.models import CollectionNotice, Consent, ConsentReceipt
from hutong.privacy.schemas import ConsentIn, ConsentOut

RECEIPT_DOMAIN = "consent-receipt"
RECEIPT_ALPHABET = "ABCDEFGHJKLMNPQRSTUVWXYZ23456789"  # no 0/O, 1/I
IMPORT_COLUMNS = (
    "subject_id",
    "birth_date",
    "purpose",
    "sensitive_category",
    "given_by",
    "guardian_id",
    "guardian_relation",
    "given_on",
)


@dataclass(frozen=True)
class Prepared:
    """A consent checked against its notice and the under-14 rule, ready to write."""

    notice: CollectionNotice
    subject: str
    kind: str
    code: str
    given_by: str
    guardian: str
    relation: str
    child: bool
    given_at: datetime


def _check_scope(notice: CollectionNotice, data: ConsentIn) -> tuple[str, str]:
    if data.purpose is not None:
        if data.purpose not in {p["code"] for p in notice.purposes}:
            raise InvalidInput(
                "收集使用规则中没有该用途", "the notice names no such purpose", field="purpose"
            )
        return "purpose", data.purpose
    assert data.sensitive_category is not None
    if data.sensitive_category not in notice.categories:
        raise InvalidInput(
            "收集使用规则未列出该敏感个人信息类别",
            "the notice lists no such sensitive category",
            field="sensitive_category",
        )
    return "sensitive", data.sensitive_category


def prepare(session: Session, notice: CollectionNotice, data: ConsentIn) -> Prepared:
    """Apply the rules of one consent: the notice's current version, a purpose or sensitive
    category it names, and who may consent — a guardian under 14, the subject from 14."""
    kind, code = _check_scope(notice, data)
    on = data.given_on or today_local()
    if on > today_local():
        raise InvalidInput(
            "同意日期不能晚于今天", "consent date is in the future", field="given_on"
        )
    child = subjects.is_child(subjects.birth_date(data.subject_id, data.birth_date), on)
    if child and data.given_by != "guardian":
        raise InvalidInput(
            "不满十四周岁的儿童须由监护人同意",
            "a child under 14 needs a guardian's consent",
            field="given_by",
        )
    if not child and data.given_by == "guardian":
        raise InvalidInput(
            "年满十四周岁的个人应由本人同意",
            "a person aged 14 or over consents themself",
            field="given_by",
        )
    guardian = relation = ""
    if child:
        if not data.guardian_id or not data.guardian_relation:
            raise InvalidInput(
                "须填写监护人证件号及与儿童的关系",
                "the guardian's ID and relation are required",
                field="guardian_id",
            )
        guardian = subjects.pseudonym(session, data.guardian_id)
        relation = data.guardian_relation
    subject = subjects.pseudonym(session, data.subject_id)
    if guardian and guardian == subject:
        raise InvalidInput(
            "监护人不能是儿童本人", "the guardian cannot be the child", field="guardian_id"
        )
    moment = utcnow() if on == today_local() else datetime.combine(on, datetime.min.time())
    return Prepared(notice, subject, kind, code, data.given_by, guardian, relation, child, moment)


def current_notice(session: Session, system_id: int, number: int) -> CollectionNotice:
    """The notice version a consent names: it must exist and be the current one."""
    notice = notices.version(session, system_id, number)
    newest = notices.latest(session, system_id)
    if newest is not None and newest.version != notice.version:
        raise InvalidInput(
            "只能对现行版本的收集使用规则表示同意",
            "consent can only be given to the current notice version",
            field="notice_version",
        )
    return notice


def _write(
    session: Session, actor: Actor, source: str, prepared: Sequence[Prepared]
) -> list[Consent]:
    """Upsert the consents (one row per subject, kind, code) and append the ledger batch."""
    if not prepared:
        return []
    system_id = prepared[0].notice.system_id
    keys = [(p.subject, p.kind, p.code) for p in prepared]
    existing: dict[tuple[str, str, str], Consent] = {}
    for start in range(0, len(keys), 500):
        chunk = keys[start : start + 500]
        for row in session.scalars(
            select(Consent).where(
                Consent.system_id == system_id,
                tuple_(Consent.subject, Consent.kind, Consent.code).in_(chunk),
            )
        ):
            existing[(row.subject, row.kind, row.code)] = row
    rows = []
    for p in prepared:
        row = existing.get((p.subject, p.kind, p.code))
        if row is None:
            row = Consent(system_id=system_id, subject=p.subject, kind=p.kind, code=p.code)
            session.add(row)
            existing[(p.subject, p.kind, p.code)] = row
        row.notice_id, row.notice_version = p.notice.id, p.notice.version
        row.given_by, row.guardian, row.guardian_relation = p.given_by, p.guardian, p.relation
        row.child, row.source, row.given_at = p.child, source, p.given_at
        row.withdrawn_at, row.recorded_by = None, actor.name
        rows.append(row)
    session.flush()
    ledger.write(
        session,
        system_id,
        [ledger.Change(p.subject, p.kind, p.code, p.notice.version, "given") for p in prepared],
    )
    return rows


def _receipt(session: Session, subject: str) -> str:
    code = "".join(secrets.choice(RECEIPT_ALPHABET) for _ in range(10))
    session.add(ConsentReceipt(subject=subject, digest=_digest(session, subject, code)))
    return code


def _digest(session: Session, subject: str, code: str) -> str:
    key = for_domain(session.info["settings"].keys_dir, RECEIPT_DOMAIN)
    return key.pseudonym(f"{subject}:{code.strip().upper()}")


def give(
    session: Session, actor: Actor, data: ConsentIn, source: str = "api"
) -> tuple[Consent, str]:
    """Record one consent; returns it and the receipt code for the subject or guardian."""
    system = notices.system_by_id(session, data.system_id)
    authorize(session, actor, Action.CONSENT_RECORD, notices.system_target(system))
    notice = current_notice(session, system.id, data.notice_version)
    prepared = prepare(session, notice, data)
    (row,) = _write(session, actor, source, [prepared])
    code = _receipt(session, prepared.subject)
    record(
        session,
        actor,
        "consent.give",
        category=Category.INSERT,
        target=notices.system_target(system),
        rows=1,
        details={
            "kind": row.kind,
            "code": row.code,
            "version": row.notice_version,
            "child": row.child,
        },
    )
    return row, code


def import_file(
    session: Session, actor: Actor, system_id: int, notice_version: int, content: bytes
) -> tuple[int, list[dict[str, object]]]:
    """Bulk import from CSV (UTF-8, header ``subject_id,birth_date,purpose,
    sensitive_category,given_by,guardian_id,guardian_relation,given_on``), one consent per
    line. Any bad line rejects the whole file (every problem listed, by line and column,
    never by value). Returns the consents written and a receipt code per line."""
    system = notices.system_by_id(session, system_id)
    authorize(session, actor, Action.CONSENT_RECORD, notices.system_target(system))
    notice = current_notice(session, system.id, notice_version)
    try:
        reader = csv.DictReader(io.StringIO(content.decode("utf-8-sig")))
        lines = list(reader)
    except UnicodeDecodeError:
        raise InvalidInput(
            "文件须为 UTF-8 编码的 CSV", "the file must be UTF-8 CSV", field="file"
        ) from None
    if not reader.fieldnames or "subject_id" not in reader.fieldnames:
        raise InvalidInput("缺少 subject_id 列", "the subject_id column is missing", field="file")
    prepared, problems, seen = [], [], set()
    for number, line in enumerate(lines, start=2):
        values = {k: (line.get(k) or "").strip() or None for k in IMPORT_COLUMNS}
        values = {k: v for k, v in values.items() if v is not None}
        values.setdefault("given_by", "subject")
        try:
            data = ConsentIn(system_id=system.id, notice_version=notice_version, **values)
            item = prepare(session, notice, data)
        except ValidationError as error:
            first = error.errors()[0]
            column = ".".join(str(p) for p in first["loc"]) or "purpose"
            problems.append(
                {"line": number, "column": column, "message": f"第 {number} 行 {column} 无效"}
            )
            continue
        except InvalidInput as error:
            problems.append(
                {"line": number, "column": error.field, "message": f"第 {number} 行：{error.zh}"}
            )
            continue
        if (item.subject, item.kind, item.code) in seen:
            problems.append(
                {"line": number, "column": "subject_id", "message": f"第 {number} 行与前面的行重复"}
            )
            continue
        seen.add((item.subject, item.kind, item.code))
        prepared.append((number, item))
    if problems:
        raise ImportRejected(problems)
    if not prepared:
        raise InvalidInput("文件中没有同意记录", "the file holds no consents", field="file")
    _write(session, actor, "import", [p for _, p in prepared])
    receipts = {}
    for number, item in prepared:
        if item.subject not in receipts:
            receipts[item.subject] = {"line": number, "code": _receipt(session, item.subject)}
    record(
        session,
        actor,
        "consent.import",
        category=Category.INSERT,
        target=notices.system_target(system),
        rows=len(prepared),
        details={"version": notice_version},
    )
    return len(prepared), list(receipts.values())


def status(consent: Consent, baseline: int) -> str:
    if consent.withdrawn_at is not None:
        return "withdrawn"
    return "renewal_needed" if consent.notice_version < baseline else "valid"


def _label(consent: Consent) -> str:
    if consent.kind == "sensitive":
        return f"敏感个人信息：{PiCategory(consent.code).zh}"
    names = {p["code"]: p["name"] for p in consent.notice.purposes}
    return names.get(consent.code, consent.code)


def out(session: Session, consent: Consent, baselines: dict[int, int] | None = None) -> ConsentOut:
    baselines = baselines if baselines is not None else {}
    if consent.system_id not in baselines:
        baselines[consent.system_id] = notices.baseline(session, consent.system_id)
    return ConsentOut(
        id=consent.id,
        system_id=consent.system_id,
        system_name=consent.system.name,
        notice_version=consent.notice_version,
        kind=consent.kind,
        code=consent.code,
        label=_label(consent),
        given_by=consent.given_by,
        guardian_relation=consent.guardian_relation,
        child=consent.child,
        given_at=consent.given_at,
        withdrawn_at=consent.withdrawn_at,
        status=status(consent, baselines[consent.system_id]),  # type: ignore[arg-type]
    )


def list_for_system(
    session: Session, actor: Actor, system_id: int, limit: int = 200
) -> list[ConsentOut]:
    """A system's consents, newest first (subjects appear as pseudonyms only)."""
    system = notices.scoped_system(session, actor, Action.CONSENT_READ, system_id)
    rows = list(
        session.scalars(
            select(Consent)
            .where(Consent.system_id == system.id)
            .order_by(Consent.given_at.desc(), Consent.id.desc())
            .limit(limit)
        )
    )
    record(
        session,
        actor,
        "consent.read",
        category=Category.QUERY,
        target=notices.system_target(system),
        rows=len(rows),
    )
    baselines: dict[int, int] = {}
    return [out(session, row, baselines) for row in rows]


def _withdraw(session: Session, rows: Sequence[Consent]) -> int:
    now = utcnow()
    changed = [row for row in rows if row.withdrawn_at is None]
    for row in changed:
        row.withdrawn_at = now
    by_system: dict[int, list[ledger.Change]] = {}
    for row in changed:
        by_system.setdefault(row.system_id, []).append(
            ledger.Change(row.subject, row.kind, row.code, row.notice_version, "withdrawn")
        )
    for system_id, changes in by_system.items():
        ledger.write(session, system_id, changes)
    return len(changed)


def _unknown_consent() -> NotFound:
    return NotFound("同意记录不存在", "unknown consent", field="consent_id")


def withdraw(session: Session, actor: Actor, consent_id: int) -> Consent:
    """Withdraw one consent on the subject's word (staff of the owner unit)."""
    row = session.get(Consent, consent_id)
    if row is None:
        raise _unknown_consent()
    target = notices.system_target(row.system)
    scopes.guard(
        session,
        actor,
        target,
        _unknown_consent(),
        (Action.CONSENT_RECORD, [row.system.owner_unit_id]),
    )
    _withdraw(session, [row])
    record(session, actor, "consent.withdraw", category=Category.UPDATE, target=target, rows=1)
    return row


# --- the public page: verify with ID number + receipt code, view, withdraw ----------------------
def verify(session: Session, actor: Actor, subject_id: str, code: str) -> str | None:
    """The subject's pseudonym when ``code`` is one of their receipts, else None. Both
    outcomes are audited (without the ID)."""
    subject = subjects.pseudonym(session, subject_id)
    digest = _digest(session, subject, code)
    stored = session.scalars(select(ConsentReceipt.digest).where(ConsentReceipt.subject == subject))
    ok = any(hmac.compare_digest(digest, d) for d in stored)
    record(
        session,
        actor,
        "consent.verify",
        category=Category.ACCESS,
        target=Target("consent_subject"),
        outcome=_outcome(ok),
    )
    return subject if ok else None


def _outcome(ok: bool):  # type: ignore[no-untyped-def]
    return Outcome.ALLOWED if ok else Outcome.DENIED


def for_subject(session: Session, actor: Actor, subject: str) -> list[ConsentOut]:
    """A verified subject's own consents across systems (audited read)."""
    rows = list(
        session.scalars(
            select(Consent)
            .where(Consent.subject == subject)
            .order_by(Consent.system_id, Consent.id)
        )
    )
    record(
        session,
        actor,
        "consent.self_view",
        category=Category.QUERY,
        target=Target("consent_subject"),
        rows=len(rows),
    )
    baselines: dict[int, int] = {}
    return [out(session, row, baselines) for row in rows]


def withdraw_own(session: Session, actor: Actor, subject: str, consent_ids: Sequence[int]) -> int:
    """Withdraw consents of a verified subject (or their guardian); others' ids are refused."""
    rows = list(session.scalars(select(Consent).where(Consent.id.in_(list(consent_ids)))))
    if len(rows) != len(set(consent_ids)) or any(row.subject != subject for row in rows):
        raise _unknown_consent()
    count = _withdraw(session, rows)
    record(
        session,
        actor,
        "consent.withdraw",
        category=Category.UPDATE,
        target=Target("consent_subject"),
        rows=count,
        details={"source": "portal"},
    )
    return count


# --- the console: one subject's consents, renewals owed ------------------------------------------
def search(session: Session, actor: Actor, system_id: int, subject_id: str) -> list[ConsentOut]:
    """A subject's consents in one system, found by ID number or student number: the ID is
    turned into its pseudonym here and goes no further (not stored, logged or shown)."""
    system = notices.scoped_system(session, actor, Action.CONSENT_READ, system_id)
    if len(subject_id.strip()) < 6:
        raise InvalidInput("请输入身份证件号或学籍号", "enter an ID number", field="subject_id")
    subject = subjects.pseudonym(session, subject_id)
    rows = list(
        session.scalars(
            select(Consent)
            .where(Consent.system_id == system.id, Consent.subject == subject)
            .order_by(Consent.id)
        )
    )
    record(
        session,
        actor,
        "consent.read",
        category=Category.QUERY,
        target=notices.system_target(system),
        rows=len(rows),
        details={"search": "subject"},
    )
    baselines: dict[int, int] = {}
    return [out(session, row, baselines) for row in rows]


def renewal_needed(session: Session, system_id: int) -> int:
    """How many consents of a system were given under a version before the latest material
    change and are not withdrawn: they must be renewed (N2021 task 8)."""
    return int(
        session.scalar(
            select(func.count())
            .select_from(Consent)
            .where(
                Consent.system_id == system_id,
                Consent.withdrawn_at.is_(None),
                Consent.notice_version < notices.baseline(session, system_id),
            )
        )
        or 0
    )
