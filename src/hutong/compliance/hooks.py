"""Incremental runs: services call ``after_change`` with the subject kinds (or rule ids) a
change may affect, and those rules run at once in the caller's transaction, as Hutong itself.

Callers: the system registry (``registry.py``), assessments and notices in this package, and
the data plane through its ``DatasetIngested`` event (``on_dataset_ingested``, subscribed by
``hutong/wiring.py``). The scheduled and on-demand runs still apply every rule."""

from __future__ import annotations

from collections.abc import Iterable

from sqlalchemy.orm import Session

from hutong.compliance import runner
from hutong.compliance.models import ComplianceRun
from hutong.compliance.rules import Subject
from hutong.data.events import DatasetIngested
from hutong.identity.authz import system_actor


def after_change(
    session: Session, *subjects: Subject | str, rule_ids: Iterable[str] | None = None
) -> ComplianceRun:
    return runner.run(
        session,
        system_actor("compliance"),
        rule_ids,
        subjects or None,
        trigger="incremental",
    )


def on_dataset_ingested(session: Session, event: DatasetIngested) -> None:
    """The dataset rules (mismatch, quality, persons, children) judge a new version at once."""
    after_change(session, Subject.DATASET)
