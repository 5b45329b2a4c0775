"""The policy a grant fixes (issue 6; M2018 §20–22, N2021 task 6): which items, each with its
mask, which rows, for what purpose, how (online only or file delivery), how much, until when.

The share-application workflow fills it; the compiler (``policy/compiler.py``) turns it and a
consumer's request into one SQL statement. Frozen: a narrowed or revoked grant is a new
policy, which takes effect on the next query."""

from __future__ import annotations

from datetime import datetime
from enum import StrEnum
from typing import Annotated

from pydantic import AwareDatetime, BaseModel, ConfigDict, Field, model_validator

from hutong.policy.conditions import Condition, ItemName
from hutong.privacy.masks import Clear, MaskSpec


class AccessMode(StrEnum):
    """用而不存: online query only, or files delivered to the consumer."""

    ONLINE_ONLY = "online_only"
    FILE_DELIVERY = "file_delivery"


class GrantedItem(BaseModel):
    model_config = ConfigDict(frozen=True, extra="forbid")

    name: ItemName
    mask: MaskSpec = Clear()


class ConsentFilter(BaseModel):
    """The legal basis is consent (N2021 task 8): only rows whose subject — the person the
    ``subject_item`` column identifies — holds every consent in ``wanted`` under a notice
    version from ``baseline`` on, per the consent ledger's ``files`` (``privacy/consented.py``).
    The files are read when the query compiles, so a withdrawal counts from the next query."""

    model_config = ConfigDict(frozen=True, extra="forbid")

    subject_item: ItemName
    files: tuple[str, ...]
    wanted: tuple[tuple[str, str], ...] = Field(min_length=1)
    baseline: int = Field(1, ge=1)


class GrantPolicy(BaseModel):
    model_config = ConfigDict(frozen=True, extra="forbid")

    grant_id: Annotated[str, Field(min_length=1, max_length=64)]
    items: tuple[GrantedItem, ...] = Field(min_length=1)
    row_filter: tuple[Condition, ...] = ()
    purpose: Annotated[str, Field(min_length=1, max_length=500)]
    access_mode: AccessMode = AccessMode.ONLINE_ONLY
    max_rows_per_query: int = Field(100_000, ge=1)
    rows_per_day: int | None = Field(None, ge=1)
    valid_from: AwareDatetime
    valid_until: AwareDatetime
    #: The population within which pseudonyms link (``privacy/keys.py``), e.g. the
    #: consumer unit's code; required when an item is pseudonymized.
    pseudonym_domain: str = ""
    #: Set when the grant's legal basis is consent; bind the consent key's pads then.
    consent: ConsentFilter | None = None

    @model_validator(mode="after")
    def _consistent(self) -> GrantPolicy:
        names = [i.name.casefold() for i in self.items]
        if len(set(names)) != len(names):
            raise ValueError("an item is granted twice")
        if self.valid_until <= self.valid_from:
            raise ValueError("validity ends before it starts")
        if self.keyed and not self.pseudonym_domain:
            raise ValueError("a pseudonymized item needs a pseudonym domain")
        return self

    @property
    def keyed(self) -> bool:
        return any(i.mask.keyed for i in self.items)

    @property
    def exposed(self) -> tuple[str, ...]:
        """The item names the policy view exposes, in grant order."""
        return tuple(i.name for i in self.items)

    def in_force(self, now: datetime) -> bool:
        return self.valid_from <= now < self.valid_until
