"""Refusals are audited as denied (issue 6 "bad input"): the failed transaction is rolled
back, then the denial is recorded in its own transaction, naming the rule, never a value."""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager

from sqlalchemy.orm import Session

from hutong.audit.service import Category, Outcome, record
from hutong.core.errors import HutongError
from hutong.identity.authz import NO_TARGET, Actor, Target


@contextmanager
def audited_refusal(
    actor: Actor, event: str, target: Target = NO_TARGET, **details: object
) -> Iterator[dict[str, object]]:
    """Record ``event`` as denied if the block raises a domain error (unless ``authorize``
    already queued its own denial). The block may add details to the yielded dict, a
    ``target`` once it knows it, and an ``on_denied`` callable run in the same follow-up
    transaction (e.g. to count the refusal against a grant's usage)."""
    extra: dict[str, object] = dict(details)
    try:
        yield extra
    except HutongError as error:
        if not error.after_rollback:
            refused = {"refused": error.code, "field": error.field or ""}
            on_denied = extra.pop("on_denied", None)

            def _denied(session: Session) -> None:
                record(
                    session,
                    actor,
                    event,
                    category=Category.ACCESS,
                    target=extra.pop("target", target),  # type: ignore[arg-type]
                    outcome=Outcome.DENIED,
                    details={**extra, **refused},
                )
                if callable(on_denied):
                    on_denied(session)

            error.after_rollback.append(_denied)
        raise
