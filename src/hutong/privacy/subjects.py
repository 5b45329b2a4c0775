"""Who a consent is about: the keyed pseudonym of a person's ID, and whether they were under
14 on a given day (N2021 tasks 8 and 10).

The clear ID number never reaches a table: it is normalised (upper case, a 全国学籍号
``G`` + citizen ID reduced to the citizen ID, so both forms name one person) and replaced by
HMAC-SHA-256 under the ``consent`` domain key (``privacy/keys.py``). The data plane computes
the same pseudonym over a dataset's ID column, so consents join datasets without clear IDs.

Age: a person is 14 from their 14th birthday on (a 29 February birthday counts as 1 March
in a common year); consent given the day before must come from a guardian.
"""

from __future__ import annotations

from datetime import date

from sqlalchemy.orm import Session
from sqlglot import exp

from hutong.core.errors import InvalidInput
from hutong.core.identifiers import citizen_id_birth_date, is_citizen_id
from hutong.privacy import operators
from hutong.privacy.keys import PseudonymKey, for_domain

DOMAIN = "consent"
CHILD_AGE = 14


def key(session: Session) -> PseudonymKey:
    return for_domain(session.info["settings"].keys_dir, DOMAIN)


def normalise(value: str) -> str:
    value = value.strip().upper()
    if len(value) == 19 and value.startswith("G") and is_citizen_id(value[1:]):
        return value[1:]
    return value


def normalised_sql(column: exp.Expression) -> exp.Expression:
    """``normalise`` as SQL over a dataset column (vectorized, for the bulk check)."""
    text = exp.Upper(this=exp.Trim(this=exp.cast(column, exp.DataType.Type.TEXT)))
    g_form = exp.and_(
        exp.EQ(this=exp.Length(this=text.copy()), expression=exp.Literal.number(19)),
        exp.EQ(
            this=exp.Substring(
                this=text.copy(), start=exp.Literal.number(1), length=exp.Literal.number(1)
            ),
            expression=exp.Literal.string("G"),
        ),
    )
    rest = exp.Substring(this=text.copy(), start=exp.Literal.number(2))
    return exp.Case(ifs=[exp.If(this=g_form, true=rest)], default=text.copy())


def pseudonym_sql(column: exp.Expression) -> exp.Expression:
    """The consent pseudonym of a dataset column; bind ``key(session).params()``."""
    return operators.pseudonym(normalised_sql(column))


def pseudonym(session: Session, value: str) -> str:
    return key(session).pseudonym(normalise(value))


def birth_date(value: str, given: date | None, field: str = "birth_date") -> date:
    """From the citizen ID when it is one, else the birth date given; one of them is needed."""
    person = normalise(value)
    if is_citizen_id(person):
        born = citizen_id_birth_date(person)
        if born is not None:
            return born
    if given is None:
        raise InvalidInput(
            "证件号不是公民身份号码时须填写出生日期",
            "a birth date is needed when the ID is not a citizen ID number",
            field=field,
        )
    return given


def fourteenth_birthday(born: date) -> date:
    try:
        return born.replace(year=born.year + CHILD_AGE)
    except ValueError:  # 29 February in a common year
        return date(born.year + CHILD_AGE, 3, 1)


def is_child(born: date, on: date) -> bool:
    """Under 14 on ``on`` (N2021 task 10)."""
    if on < born:
        raise InvalidInput("同意日期早于出生日期", "consent date before birth", field="given_on")
    return on < fourteenth_birthday(born)
