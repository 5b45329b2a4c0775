"""Each save rule of a catalog entry, seen refusing and accepting (M2018 §17, N2021 tasks 3, 8–11)."""

from __future__ import annotations

import pytest
from sqlalchemy import func, select

from hutong.catalog.models import Resource
from hutong.catalog.rules import normalise, violations
from hutong.catalog.service import create
from hutong.core.errors import InvalidInput
from tests.support import entry


def fields(data) -> set[str]:
    return {v.field for v in violations(normalise(data))}


def test_valid_entry_has_no_violation(org):
    assert fields(entry(org)) == set()


def test_not_shared_needs_a_cited_legal_basis(org):
    assert "share_legal_basis" in fields(entry(org, share_type="not_shared"))
    assert "share_legal_basis" in fields(
        entry(org, share_type="not_shared", share_legal_basis="上级要求")
    )
    cited = entry(
        org, share_type="not_shared", share_legal_basis="《中华人民共和国统计法》第三十九条"
    )
    assert fields(cited) == set()


@pytest.mark.parametrize("flag", [{"sensitive_categories": ["ethnicity"]}, {"has_child_pi": True}])
def test_sensitive_or_child_pi_not_unconditional_or_proactive_without_deidentification(org, flag):
    general = {"grade": "general"}
    assert "share_type" in fields(entry(org, share_type="unconditional", **general, **flag))
    assert "open_type" in fields(entry(org, open_type="proactive", **general, **flag))
    declared = entry(
        org, share_type="unconditional", open_type="proactive", deidentified=True, **general, **flag
    )
    assert fields(declared) == set()


def test_sensitive_item_makes_the_entry_sensitive(org):
    data = entry(
        org,
        grade="general",
        share_type="unconditional",
        items=[{"name": "民族", "data_type": "代码型", "pi_category": "ethnicity"}],
    )
    normalised = normalise(data)
    assert normalised.items[0].sensitive and normalised.sensitive_categories == ["ethnicity"]
    assert "share_type" in fields(data)


@pytest.mark.parametrize("grade", ["core", "important"])
def test_core_and_important_data_never_unconditional(org, grade):
    assert "share_type" in fields(entry(org, grade=grade, share_type="unconditional"))
    assert fields(entry(org, grade=grade, share_type="conditional")) == set()


def test_secret_entries_are_refused(org):
    assert "secret" in fields(entry(org, secret=True))


def test_a_refused_save_leaves_nothing(db, org, classes, actors):
    with pytest.raises(InvalidInput) as info, db.transaction() as session:
        create(session, actors["data_steward"], entry(org, share_type="not_shared"))
    assert info.value.field == "share_legal_basis"
    with db.sessions() as session:
        assert session.scalar(select(func.count()).select_from(Resource)) == 0
