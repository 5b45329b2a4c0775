"""What the catalog announces to the layers above it (``core/events.py``)."""

from __future__ import annotations

from dataclasses import dataclass

from hutong.catalog.models import Resource
from hutong.core.actors import Actor
from hutong.core.events import Event


@dataclass(frozen=True)
class VersionTookEffect(Event):
    """A new version of a published entry is in force (M2018 §30). The exchange must suspend,
    in this same transaction, the grants the new version no longer allows, so the event is
    required: a process that forgot to wire its subscriber fails instead of leaving them."""

    required = True

    actor: Actor
    resource: Resource
