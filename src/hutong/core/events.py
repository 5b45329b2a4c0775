"""In-process domain events: how a lower layer causes work in a higher one without importing it.

A domain announces what happened as a typed, frozen dataclass (``DatasetIngested`` in
``data/events.py``); ``publish(session, event)`` calls every handler subscribed to that type,
synchronously and in the caller's transaction, so a handler's writes commit or roll back with
the work that caused them (DESIGN rule 3 holds across the hop). Handlers are registered once, by
``hutong/wiring.py``'s ``wire()``, the only module that knows both sides (decision 0017).

An event class whose consequence must not be skipped says ``required = True``: publishing it
with no subscriber raises ``Unwired`` instead of silently dropping the consequence (a start-up
path that forgot ``wire()``).
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any, ClassVar, TypeVar

from sqlalchemy.orm import Session


class Event:
    """Base of every domain event; subclasses are frozen dataclasses named in the past tense."""

    #: Whether publishing with no subscriber is a wiring mistake rather than "nobody cares".
    required: ClassVar[bool] = False


class Unwired(RuntimeError):
    """A required event was published and nothing was subscribed to it: ``wire()`` was not
    called where the process starts. A programming error, never a user's (so not a 4xx)."""


E = TypeVar("E", bound=Event)
Handler = Callable[[Session, Any], None]

_HANDLERS: dict[type[Event], list[Handler]] = {}


def subscribe(event_type: type[E], handler: Callable[[Session, E], None]) -> None:
    """Call ``handler(session, event)`` for every published ``event_type``; subscribing the same
    handler again changes nothing, so wiring twice is harmless."""
    handlers = _HANDLERS.setdefault(event_type, [])
    if handler not in handlers:
        handlers.append(handler)


def publish(session: Session, event: Event) -> None:
    """Run the event's handlers in subscription order, in ``session``'s transaction; a handler's
    error propagates to the publisher, whose transaction then rolls back."""
    handlers = _HANDLERS.get(type(event), [])
    if not handlers and event.required:
        raise Unwired(
            f"{type(event).__name__} has no subscriber: call hutong.wiring.wire() at start-up"
        )
    for handler in list(handlers):
        handler(session, event)


def subscribers(event_type: type[Event]) -> list[Handler]:
    """The handlers of ``event_type``, in order (for tests and for ``wire()``'s checks)."""
    return list(_HANDLERS.get(event_type, []))


def reset() -> dict[type[Event], list[Handler]]:
    """Forget every subscription and return what was there (tests restore it afterwards)."""
    saved = {kind: list(handlers) for kind, handlers in _HANDLERS.items()}
    _HANDLERS.clear()
    return saved


def restore(saved: dict[type[Event], list[Handler]]) -> None:
    """Put back subscriptions taken by ``reset()``."""
    _HANDLERS.clear()
    _HANDLERS.update({kind: list(handlers) for kind, handlers in saved.items()})
