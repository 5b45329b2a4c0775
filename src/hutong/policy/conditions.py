"""Structured row conditions (=, in, prefix, range, is null) and their SQL.

A grant's row filter and a consumer's structured filters are data, never SQL text from a
person, so nothing a consumer types becomes SQL syntax: values become literals through
sqlglot. A condition on a number compares numbers (``TRY_CAST``), on text compares text."""

from __future__ import annotations

from abc import abstractmethod
from typing import Annotated, Literal

from pydantic import (
    BaseModel,
    ConfigDict,
    Field,
    StrictFloat,
    StrictInt,
    StrictStr,
    model_validator,
)
from sqlglot import exp

Scalar = StrictStr | StrictInt | StrictFloat
ItemName = Annotated[str, Field(min_length=1, max_length=128)]


def column(item: str) -> exp.Column:
    """A reference to an item by its exact name (Chinese and free-form, so quoted)."""
    return exp.column(exp.to_identifier(item, quoted=True))


def literal(value: Scalar | None) -> exp.Expression:
    return exp.convert(value)


def _operand(item: str, values: list[Scalar]) -> exp.Expression:
    """The item as text, or as a number when the compared values are numbers."""
    if all(isinstance(v, int | float) for v in values):
        return exp.TryCast(this=column(item), to=exp.DataType.build("DOUBLE"), safe=True)
    if all(isinstance(v, str) for v in values):
        return exp.cast(column(item), exp.DataType.Type.TEXT)
    raise ValueError("values mix text and numbers")


class _Condition(BaseModel):
    model_config = ConfigDict(frozen=True, extra="forbid")

    item: ItemName

    @abstractmethod
    def to_sql(self) -> exp.Expression:
        """The condition as a sqlglot expression over the item's column."""


class Eq(_Condition):
    op: Literal["eq"] = "eq"
    value: Scalar

    def to_sql(self) -> exp.Expression:
        return exp.EQ(this=_operand(self.item, [self.value]), expression=literal(self.value))


class In(_Condition):
    op: Literal["in"] = "in"
    values: tuple[Scalar, ...] = Field(min_length=1, max_length=1000)

    @model_validator(mode="after")
    def _one_kind(self) -> In:
        _operand(self.item, list(self.values))
        return self

    def to_sql(self) -> exp.Expression:
        operand = _operand(self.item, list(self.values))
        return exp.In(this=operand, expressions=[literal(v) for v in self.values])


class Prefix(_Condition):
    op: Literal["prefix"] = "prefix"
    value: StrictStr = Field(min_length=1, max_length=64)

    def to_sql(self) -> exp.Expression:
        return exp.StartsWith(
            this=_operand(self.item, [self.value]), expression=literal(self.value)
        )


class Range(_Condition):
    """``low <= item <= high``; either bound may be left out."""

    op: Literal["range"] = "range"
    low: Scalar | None = None
    high: Scalar | None = None

    @model_validator(mode="after")
    def _bounds(self) -> Range:
        if self.low is None and self.high is None:
            raise ValueError("a range needs a low or a high bound")
        _operand(self.item, self._bounds_given())
        return self

    def _bounds_given(self) -> list[Scalar]:
        return [b for b in (self.low, self.high) if b is not None]

    def to_sql(self) -> exp.Expression:
        operand = _operand(self.item, self._bounds_given())
        parts: list[exp.Expression] = []
        if self.low is not None:
            parts.append(exp.GTE(this=operand.copy(), expression=literal(self.low)))
        if self.high is not None:
            parts.append(exp.LTE(this=operand.copy(), expression=literal(self.high)))
        return exp.and_(*parts)


class IsNull(_Condition):
    op: Literal["is_null"] = "is_null"
    negate: bool = False

    def to_sql(self) -> exp.Expression:
        test = exp.Is(this=column(self.item), expression=exp.Null())
        return exp.not_(test) if self.negate else test


Condition = Annotated[Eq | In | Prefix | Range | IsNull, Field(discriminator="op")]


def all_of(conditions: tuple[_Condition, ...]) -> exp.Expression | None:
    """The conditions ANDed, or None when there are none."""
    return exp.and_(*(c.to_sql() for c in conditions)) if conditions else None
