"""Consent: under-14 guardians at the boundary, unbundled purposes and sensitive categories,
re-consent after a notice changes, withdrawal, bulk import, receipts, and the bulk question
answered as a DuckDB join."""

from __future__ import annotations

from datetime import timedelta

import duckdb
import pyarrow as pa
import pytest
from pydantic import ValidationError
from sqlalchemy import func, select, text

from hutong.core.clock import today_local
from hutong.core.errors import ImportRejected, InvalidInput, NotFound, PermissionDenied
from hutong.identity.authz import Actor
from hutong.privacy import consent, ledger, notices, subjects
from hutong.privacy.models import Consent, ConsentBatch
from hutong.privacy.schemas import ConsentIn
from tests.privacy.conftest import citizen, notice_in

PUBLIC = Actor(kind="public", id="public", name="public", unit_id=None, unit_code=None)


def give(db, actor, system_id, version=1, **fields):
    data = ConsentIn(system_id=system_id, notice_version=version, **fields)
    with db.transaction() as session:
        row, code = consent.give(session, actor, data)
        return row.id, code


def test_under_14_boundary_13_years_364_days_needs_a_guardian_14_years_0_days_does_not(
    db, officer, system_id, notice
):
    today = today_local() - timedelta(days=3)
    if today.month == 2 and today.day == 29:  # pragma: no cover - leap-day runs
        today -= timedelta(days=1)
    born = today.replace(year=today.year - 14)  # 14 years 0 days old today
    child_id = citizen(born, 7)
    eve = today - timedelta(days=1)  # 13 years 364 days

    with pytest.raises(InvalidInput) as error:
        give(db, officer, system_id, subject_id=child_id, purpose="enrolment", given_on=eve)
    assert error.value.field == "given_by"
    give(
        db,
        officer,
        system_id,
        subject_id=child_id,
        purpose="enrolment",
        given_on=eve,
        given_by="guardian",
        guardian_id=citizen(born.replace(year=born.year - 30), 3),
        guardian_relation="mother",
    )
    # On the 14th birthday the subject consents themself; a guardian's consent is refused.
    with pytest.raises(InvalidInput) as error:
        give(
            db,
            officer,
            system_id,
            subject_id=child_id,
            purpose="aid",
            given_on=today,
            given_by="guardian",
            guardian_id=citizen(born.replace(year=born.year - 30), 3),
            guardian_relation="mother",
        )
    assert error.value.field == "given_by"
    give(db, officer, system_id, subject_id=child_id, purpose="aid", given_on=today)
    with db.sessions() as session:
        rows = {r.code: r for r in session.scalars(select(Consent))}
    assert rows["enrolment"].child and rows["enrolment"].given_by == "guardian"
    assert rows["enrolment"].guardian_relation == "mother" and len(rows["enrolment"].guardian) == 64
    assert not rows["aid"].child and rows["aid"].given_by == "subject"


def test_the_age_comes_from_the_birth_date_when_the_id_is_not_a_citizen_id(
    db, officer, system_id, notice
):
    with pytest.raises(InvalidInput) as error:
        give(db, officer, system_id, subject_id="L11010520120101001X", purpose="enrolment")
    assert error.value.field == "birth_date"
    born = today_local().replace(year=today_local().year - 20)
    give(db, officer, system_id, subject_id="L11010520120101001X", birth_date=born, purpose="aid")


def test_a_29_february_birthday_turns_14_on_1_march():
    from datetime import date

    assert subjects.fourteenth_birthday(date(2012, 2, 29)) == date(2026, 3, 1)
    assert subjects.is_child(date(2012, 2, 29), date(2026, 2, 28))
    assert not subjects.is_child(date(2012, 2, 29), date(2026, 3, 1))


def test_consent_is_never_bundled(db, officer, system_id, notice):
    with pytest.raises(ValidationError):
        ConsentIn(
            system_id=system_id,
            notice_version=1,
            subject_id="11010519800101001X",
            purpose="enrolment",
            sensitive_category="health",
        )
    with pytest.raises(ValidationError):
        ConsentIn(system_id=system_id, notice_version=1, subject_id="11010519800101001X")
    adult = citizen(today_local().replace(year=today_local().year - 30))
    give(db, officer, system_id, subject_id=adult, purpose="enrolment")
    ids = [adult]
    assert check(db, officer, system_id, "enrolment", ids) == [True]
    assert check(db, officer, system_id, "aid", ids) == [False]  # another purpose: no
    # A sensitive category needs its own consent on top of the purpose's.
    assert check(db, officer, system_id, "enrolment", ids, ["health"]) == [False]
    give(db, officer, system_id, subject_id=adult, sensitive_category="health")
    assert check(db, officer, system_id, "enrolment", ids, ["health"]) == [True]
    assert check(db, officer, system_id, "enrolment", ids, ["health", "ethnicity"]) == [False]


def check(db, actor, system_id, purpose, ids, categories=()):
    with db.transaction() as session:
        consents = ledger.open_check(session, actor, system_id, purpose, categories)
    return ledger.flags(duckdb.connect(), ids, consents)


def test_a_purpose_change_requires_re_consent_and_a_wording_change_does_not(
    db, officer, system_id, notice
):
    person = citizen(today_local().replace(year=today_local().year - 30))
    give(db, officer, system_id, subject_id=person, purpose="enrolment")
    with db.transaction() as session:
        v2 = notices.publish(session, officer, notice_in(system_id, title="新标题"))
    assert v2.version == 2 and not v2.material_change
    assert check(db, officer, system_id, "enrolment", [person]) == [True]

    changed = [{"code": "enrolment", "name": "学籍管理"}, {"code": "research", "name": "教育科研"}]
    with db.transaction() as session:
        v3 = notices.publish(session, officer, notice_in(system_id, purposes=changed))
        assert v3.material_change and notices.baseline(session, system_id) == 3
        (row,) = consent.list_for_system(session, officer, system_id)
    assert row.status == "renewal_needed"
    assert check(db, officer, system_id, "enrolment", [person]) == [False]
    # Consent to an old version is refused; renewal under v3 counts again.
    with pytest.raises(InvalidInput) as error:
        give(db, officer, system_id, version=1, subject_id=person, purpose="enrolment")
    assert error.value.field == "notice_version"
    give(db, officer, system_id, version=3, subject_id=person, purpose="enrolment")
    assert check(db, officer, system_id, "enrolment", [person]) == [True]
    # A method change and a category change are material too.
    with db.transaction() as session:
        v4 = notices.publish(
            session, officer, notice_in(system_id, purposes=changed, method="线上填报")
        )
        v5 = notices.publish(
            session,
            officer,
            notice_in(system_id, purposes=changed, method="线上填报", categories=["identity"]),
        )
    assert v4.material_change and v5.material_change


def test_bad_consents_change_nothing(db, officer, system_id, notice):
    adult = citizen(today_local().replace(year=today_local().year - 30))
    for fields in (
        {"version": 9, "purpose": "enrolment"},  # no such notice version
        {"purpose": "marketing"},  # not in the notice
        {"sensitive_category": "religion"},  # not in the notice
    ):
        version = fields.pop("version", 1)
        with pytest.raises(InvalidInput):
            give(db, officer, system_id, version=version, subject_id=adult, **fields)
    with db.sessions() as session:
        assert session.scalar(select(func.count()).select_from(Consent)) == 0
        assert session.scalar(select(func.count()).select_from(ConsentBatch)) == 0


def test_no_clear_id_is_stored(db, officer, system_id, notice):
    adult = citizen(today_local().replace(year=today_local().year - 30))
    give(db, officer, system_id, subject_id=adult, purpose="enrolment")
    with db.sessions() as session:
        stored = session.execute(text("SELECT * FROM privacy_consents")).all()
        with db.sessions() as s2:
            assert subjects.pseudonym(s2, "G" + adult) == subjects.pseudonym(s2, adult)
    assert adult not in repr(stored)


def test_only_the_owner_units_staff_record_consents(db, actors, system_id, notice):
    with pytest.raises(PermissionDenied):
        give(db, actors["data_consumer"], system_id, subject_id="11010519800101001X", purpose="aid")


def test_withdrawal_and_the_bulk_question_as_a_join(db, officer, system_id, notice):
    born = today_local().replace(year=today_local().year - 30)
    people = [citizen(born, seq) for seq in range(1, 41)]
    lines = ["subject_id,purpose"] + [f"{p},enrolment" for p in people[:30]]
    with db.transaction() as session:
        count, receipts = consent.import_file(
            session, officer, system_id, 1, "\n".join(lines).encode()
        )
    assert count == 30 and len(receipts) == 30
    with db.sessions() as session:
        some = list(session.scalars(select(Consent).order_by(Consent.id).limit(5)))
    for row in some:
        with db.transaction() as session:
            consent.withdraw(session, officer, row.id)

    connection = duckdb.connect()
    connection.register("dataset", pa.table({"证件号": [*people, "G" + people[0]]}))
    with db.transaction() as session:
        consents = ledger.open_check(session, officer, system_id, "enrolment")
    allowed, refused = ledger.count(connection, "dataset", "证件号", consents)
    # 30 consented, 5 withdrawn (people[0] among them, twice in the data as G + ID), 10 never.
    assert (allowed, refused) == (25, 16)
    # Compaction keeps the answer.
    with db.transaction() as session:
        assert ledger.compact(session, officer, system_id) == 30
        consents = ledger.open_check(session, officer, system_id, "enrolment")
    assert ledger.count(connection, "(SELECT * FROM dataset)", "证件号", consents) == (25, 16)


def test_an_import_with_a_bad_line_imports_nothing(db, officer, system_id, notice):
    born = today_local().replace(year=today_local().year - 30)
    child = citizen(today_local().replace(year=today_local().year - 10), 2)
    lines = [
        "subject_id,purpose,sensitive_category",
        f"{citizen(born, 1)},enrolment,",
        f"{child},enrolment,",  # a child without a guardian
        f"{citizen(born, 3)},enrolment,health",  # bundled
    ]
    with db.transaction() as session, pytest.raises(ImportRejected) as error:
        consent.import_file(session, officer, system_id, 1, "\n".join(lines).encode())
    assert [p["line"] for p in error.value.problems] == [3, 4]
    assert child not in repr(error.value.problems)
    with db.sessions() as session:
        assert session.scalar(select(func.count()).select_from(Consent)) == 0


def test_a_receipt_opens_the_subjects_own_consents_and_withdraws_them(
    db, officer, system_id, notice
):
    person = citizen(today_local().replace(year=today_local().year - 30))
    other = citizen(today_local().replace(year=today_local().year - 31))
    consent_id, code = give(db, officer, system_id, subject_id=person, purpose="enrolment")
    other_id, _ = give(db, officer, system_id, subject_id=other, purpose="enrolment")
    with db.transaction() as session:
        assert consent.verify(session, PUBLIC, person, "WRONGCODE1") is None
        subject = consent.verify(session, PUBLIC, person, code.lower())
        assert subject is not None
        (mine,) = consent.for_subject(session, PUBLIC, subject)
    assert mine.id == consent_id and mine.status == "valid" and mine.label == "学籍管理"
    with db.transaction() as session, pytest.raises(NotFound):
        consent.withdraw_own(session, PUBLIC, subject, [other_id])
    with db.transaction() as session:
        assert consent.withdraw_own(session, PUBLIC, subject, [consent_id]) == 1
        (mine,) = consent.for_subject(session, PUBLIC, subject)
    assert mine.status == "withdrawn"
