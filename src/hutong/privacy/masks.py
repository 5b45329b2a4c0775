"""Mask specifications: which operator a grant or a release applies to an item, with its
parameters, as data that can be stored, shown and checked (the exchange's per-item masks,
issue 6, and the open portal's release gate, issue 8, use the same specs)."""

from __future__ import annotations

from abc import abstractmethod
from typing import Annotated, ClassVar, Literal

from pydantic import BaseModel, ConfigDict, Field, model_validator
from sqlglot import exp

from hutong.privacy import operators


class _Spec(BaseModel):
    model_config = ConfigDict(frozen=True, extra="forbid")

    #: True when the operator needs the domain's pseudonym key as bind parameters.
    keyed: ClassVar[bool] = False

    @abstractmethod
    def apply(self, value: exp.Expression) -> exp.Expression:
        """The masked form of ``value`` (a sqlglot expression)."""


class Clear(_Spec):
    """No mask: the value as stored."""

    op: Literal["none"] = "none"

    def apply(self, value: exp.Expression) -> exp.Expression:
        return value


class Partial(_Spec):
    """Keep the first and last characters, e.g. citizen ID keep 6 + 4."""

    op: Literal["partial"] = "partial"
    keep_first: int = Field(6, ge=0, le=32)
    keep_last: int = Field(4, ge=0, le=32)
    fill: str = Field("*", min_length=1, max_length=1)

    def apply(self, value: exp.Expression) -> exp.Expression:
        return operators.partial(value, self.keep_first, self.keep_last, self.fill)


class Pseudonym(_Spec):
    """Keyed pseudonym (HMAC-SHA-256 under the grant's domain key)."""

    op: Literal["pseudonym"] = "pseudonym"
    keyed: ClassVar[bool] = True

    def apply(self, value: exp.Expression) -> exp.Expression:
        return operators.pseudonym(value)


class Hash(_Spec):
    """Unkeyed SHA-256 (for codes, not for identifiers of people)."""

    op: Literal["hash"] = "hash"

    def apply(self, value: exp.Expression) -> exp.Expression:
        return operators.sha256_hash(value)


class Null(_Spec):
    """Suppressed: the item is present and always NULL."""

    op: Literal["null"] = "null"

    def apply(self, value: exp.Expression) -> exp.Expression:
        return operators.nullify()


class DateTo(_Spec):
    """Generalize a date to its year or year-month."""

    op: Literal["date"] = "date"
    to: Literal["year", "month"] = "year"

    def apply(self, value: exp.Expression) -> exp.Expression:
        return operators.generalize_date(value, self.to)


class RegionTo(_Spec):
    """Generalize a division code to city (4 digits) or province (2 digits)."""

    op: Literal["region"] = "region"
    digits: Literal[2, 4] = 2

    def apply(self, value: exp.Expression) -> exp.Expression:
        return operators.generalize_region(value, self.digits)


class AgeBand(_Spec):
    """Generalize an age to a band of ``width`` years."""

    op: Literal["age_band"] = "age_band"
    width: int = Field(5, ge=2, le=50)

    def apply(self, value: exp.Expression) -> exp.Expression:
        return operators.age_band(value, self.width)


class TopBottom(_Spec):
    """Top and bottom coding of a number."""

    op: Literal["top_bottom"] = "top_bottom"
    low: float | None = None
    high: float | None = None

    @model_validator(mode="after")
    def _bounds(self) -> TopBottom:
        if self.low is None and self.high is None:
            raise ValueError("top/bottom coding needs a low or a high bound")
        if self.low is not None and self.high is not None and self.low > self.high:
            raise ValueError("low bound above high bound")
        return self

    def apply(self, value: exp.Expression) -> exp.Expression:
        return operators.top_bottom(value, self.low, self.high)


class Rounding(_Spec):
    """Round a number to a multiple of ``base``."""

    op: Literal["round"] = "round"
    base: float = Field(10, gt=0)

    def apply(self, value: exp.Expression) -> exp.Expression:
        return operators.round_to(value, self.base)


MaskSpec = Annotated[
    Clear | Partial | Pseudonym | Hash | Null | DateTo | RegionTo | AgeBand | TopBottom | Rounding,
    Field(discriminator="op"),
]
