"""What the catalog's console pages share: the coded choices with their Chinese labels, entry links,
and the unit a steward acts for."""

from __future__ import annotations

from urllib.parse import quote

from hutong.catalog.vocab import (
    DataKind,
    Grade,
    Mask,
    OpenType,
    PiCategory,
    ResourceAttribute,
    ResourceFormat,
    RevisionStatus,
    ShareType,
    Status,
    UpdateCycle,
)
from hutong.identity.authz import Target
from hutong.web.deps import ConsoleIdentity

CHOICES = {
    "attribute": ResourceAttribute,
    "format": ResourceFormat,
    "share_type": ShareType,
    "open_type": OpenType,
    "update_cycle": UpdateCycle,
    "data_kind": DataKind,
    "grade": Grade,
}


BOOL_FIELDS = ("has_pi", "has_child_pi", "deidentified", "secret")
ITEM_ROWS = 8


def entry_url(code: str, suffix: str = "") -> str:
    return f"/console/catalog/r/{quote(code)}{suffix}"


def labels() -> dict[str, dict[str, str]]:
    return {
        name: {m.value: m.zh for m in enum}
        for name, enum in {
            **CHOICES,
            "status": Status,
            "revision_status": RevisionStatus,
            "pi_category": PiCategory,
            "default_mask": Mask,
        }.items()
    }


def own(identity: ConsoleIdentity):  # type: ignore[no-untyped-def]
    return Target("resource", None, identity.actor.unit_id)
