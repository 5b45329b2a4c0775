"""What the data plane announces to the layers above it (``core/events.py``)."""

from __future__ import annotations

from dataclasses import dataclass

from hutong.catalog.models import Resource
from hutong.core.actors import Actor
from hutong.core.events import Event


@dataclass(frozen=True)
class DatasetIngested(Event):
    """A new dataset version of ``resource`` is stored. The dataset compliance rules (mismatch,
    quality, persons, children) judge it at once, in the ingest's transaction, so the event is
    required."""

    required = True

    actor: Actor
    resource: Resource
    version: int
