"""The unit tree decides whose sealed records an actor reads (``identity/scopes.py``): own unit,
the security roles above it, the Ministry's offices standing at the Ministry; and the SQL
filter of lists agrees with the check of single reads for every unit and role."""

from __future__ import annotations

import pytest
from sqlalchemy import select

from hutong.core.identifiers import uscc_with_check
from hutong.identity import scopes
from hutong.identity.authz import Actor, public_actor
from hutong.identity.models import Unit, UnitKind
from hutong.identity.roles import Action, Role
from hutong.identity.schemas import UnitCreate
from hutong.identity.service import create_unit

SHANGHAI = uscc_with_check("11310000" + "000054321")
EMIC = uscc_with_check("12100000" + "400000001")


@pytest.fixture
def tree(db, org, system) -> dict[str, int]:
    """The org fixture's MOE > (教师工作司, 发展规划司, 北京市教委 > 北京大学), plus 上海市教委 and an
    affiliated unit under the Ministry; unit ids by short name."""
    with db.transaction() as session:
        create_unit(
            session,
            system,
            UnitCreate(
                code=SHANGHAI, name="上海市教委", kind=UnitKind.PROVINCIAL_DEPARTMENT,
                parent_code="MOE",
            ),
        )  # fmt: skip
        create_unit(
            session,
            system,
            UnitCreate(
                code=EMIC, name="教育管理信息中心", kind=UnitKind.AFFILIATED_UNIT,
                parent_code="MOE",
            ),
        )  # fmt: skip
        codes = {
            "moe": "MOE", "jsgzs": org.dept_a, "fgs": org.dept_b, "beijing": org.province,
            "pku": org.school, "shanghai": SHANGHAI, "emic": EMIC,
        }  # fmt: skip
        ids = dict(session.execute(select(Unit.code, Unit.id)).all())
        return {name: ids[code] for name, code in codes.items()}


def person(unit_id: int, role: Role) -> Actor:
    return Actor("user", "1", "u", unit_id, "U", roles=frozenset({role}))


def test_an_office_of_the_ministry_stands_at_the_ministry_others_at_their_own_unit(db, tree):
    with db.sessions() as session:
        assert scopes.seat(session, tree["jsgzs"]).id == tree["moe"]
        for own in ("moe", "emic", "beijing", "pku"):
            assert scopes.seat(session, tree[own]).id == tree[own]


def test_security_roles_supervise_the_units_below_theirs_pi_officers_only_their_own(db, tree):
    cases = [
        # (actor's unit, role, record's unit, reads it)
        ("beijing", Role.SECURITY_ADMIN, "pku", True),  # an ancestor supervises
        ("beijing", Role.SECURITY_ADMIN, "shanghai", False),  # a sibling does not
        ("pku", Role.SECURITY_ADMIN, "beijing", False),  # nor a descendant
        ("emic", Role.SECURITY_ADMIN, "pku", False),  # an affiliated unit is no office
        ("jsgzs", Role.SECURITY_ADMIN, "pku", True),  # the Ministry's security office: all
        ("jsgzs", Role.SECURITY_ADMIN, "shanghai", True),
        ("beijing", Role.PI_OFFICER, "beijing", True),
        ("beijing", Role.PI_OFFICER, "pku", False),  # PI officers see their own unit's only
        ("jsgzs", Role.PI_OFFICER, "moe", True),  # the Ministry's own records are its offices'
        ("jsgzs", Role.PI_OFFICER, "fgs", False),  # but not another office's
        ("beijing", Role.DATA_STEWARD, "beijing", False),  # not a complaint handler at all
    ]
    with db.sessions() as session:
        for unit, role, owner, expected in cases:
            actor = person(tree[unit], role)
            got = scopes.reaches(session, actor, Action.COMPLAINT_HANDLE, [tree[owner]])
            assert got is expected, (unit, role, owner)


def test_the_list_filter_and_the_single_check_agree_for_every_unit_and_role(db, tree):
    units = sorted(tree.values())
    with db.sessions() as session:
        for home in units:
            for role in (Role.SECURITY_ADMIN, Role.PI_OFFICER, Role.DATA_STEWARD):
                actor = person(home, role)
                condition = scopes.where(session, actor, Action.COMPLAINT_HANDLE, Unit.id)
                listed = set(session.scalars(select(Unit.id).where(condition)))
                single = {
                    u for u in units if scopes.reaches(session, actor, Action.COMPLAINT_HANDLE, [u])
                }
                assert listed == single, (home, role)


def test_the_system_reads_everything_the_public_nothing_sealed(db, tree, system):
    with db.sessions() as session:
        assert scopes.reaches(session, system, Action.CONSENT_CHECK, [tree["pku"]])
        assert not scopes.reaches(session, public_actor(), Action.COMPLAINT_HANDLE, [tree["pku"]])
