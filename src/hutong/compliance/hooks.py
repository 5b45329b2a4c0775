"""Incremental runs: services call ``after_change`` with the subject kinds (or rule ids) a
change may affect, and those rules run at once in the caller's transaction, as Hutong itself.

Callers today: the system registry (``registry.py``), notices (``notices.py``) and data
ingest (``data/ingest.py``, for the dataset rules). The scheduled and on-demand runs still
apply every rule."""

from __future__ import annotations

from collections.abc import Iterable

from sqlalchemy.orm import Session

from hutong.compliance.models import ComplianceRun
from hutong.compliance.rules import Subject
from hutong.identity.authz import system_actor


def after_change(
    session: Session, *subjects: Subject | str, rule_ids: Iterable[str] | None = None
) -> ComplianceRun:
    from hutong.compliance import runner

    return runner.run(
        session,
        system_actor("compliance"),
        rule_ids,
        subjects or None,
        trigger="incremental",
    )
