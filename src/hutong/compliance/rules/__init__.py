"""The rule registry: small named checks, each citing the article it enforces, applied by one
runner (``compliance/runner.py``).

A rule's check is ONE set-based query over Hutong's tables that returns the failing subjects,
one row each, as ``(subject_id, unit_id, detail)``: the subject's stable id, the unit
responsible for fixing it (a rectification notice goes there), and a short Chinese note. A
subject absent from the result passes. No rule loops over rows in Python.

Rules live in one module per subject kind (``systems.py``, ``catalog.py``, ``datasets.py``,
``accounts.py``, ``platform.py``); importing this package registers them all. Rules whose
subjects do not exist yet (share applications, grants, consents, public releases) are
written by the issues that build those subjects, in the same way, and are listed as pending
in ``docs/traceability.md``.
"""

from __future__ import annotations

# Importing a rule module registers its rules; base.py holds what they share.
from hutong.compliance.rules import (  # noqa: F401
    accounts,
    catalog,
    datasets,
    exchange,
    platform,
    portal,
    privacy,
    systems,
)
from hutong.compliance.rules.base import (
    REGISTRY,
    SEVERITY_ZH,
    Check,
    Context,
    Rule,
    Severity,
    Subject,
    failing,
    load,
    rule,
    selected,
)

__all__ = [
    "REGISTRY",
    "SEVERITY_ZH",
    "Check",
    "Context",
    "Rule",
    "Severity",
    "Subject",
    "failing",
    "load",
    "rule",
    "selected",
]
