"""``wire()``: the one place that subscribes higher layers to lower layers' domain events.

Imports go down the layers only (decision 0017), so a lower layer that must cause work in a
higher one publishes an event (``core/events.py``) and this module, which sits above every
domain and below the edge, connects the two. Every way a process starts calls ``wire()``:
``web/app.create_app``, the CLI's database opening, the tests' conftest and the benchmarks.
Calling it again changes nothing.
"""

from __future__ import annotations

from hutong.catalog.events import VersionTookEffect
from hutong.compliance import hooks
from hutong.core.events import subscribe
from hutong.data.events import DatasetIngested
from hutong.exchange import grants

#: (event, handler) in the order the handlers run for one event.
SUBSCRIPTIONS = (
    (VersionTookEffect, grants.on_version_took_effect),
    (DatasetIngested, hooks.on_dataset_ingested),
)


def wire() -> None:
    """Subscribe every handler; idempotent."""
    for event_type, handler in SUBSCRIPTIONS:
        subscribe(event_type, handler)
