"""Monitor tests reuse the exchange's published entries and grants to make real events."""

from __future__ import annotations

import pytest

from hutong.core.errors import HutongError
from hutong.identity.authz import authorize
from hutong.identity.roles import Action
from hutong.monitor.detector import Detector, monitor_actor
from tests.exchange.conftest import people, students  # noqa: F401  (fixtures)


@pytest.fixture
def watcher():
    """The detector's own actor, as ``hutong serve`` runs it."""
    return monitor_actor()


@pytest.fixture
def detector(db, watcher) -> Detector:
    """A detector started before the test's events (the first start only learns)."""
    running = Detector(db)
    running.drain(watcher)
    return running


def denied(db, actor, times: int, action: Action = Action.KEY_MANAGE) -> None:
    """Real refusals through the one door: each audited as denied after its rollback."""
    for _ in range(times):
        with pytest.raises(HutongError), db.transaction() as session:
            authorize(session, actor, action)
