"""docs/traceability.md covers every article and task, every test it names exists, and every
"pending" note names the test or rule that does not exist yet."""

from __future__ import annotations

import re
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
MATRIX = (ROOT / "docs/traceability.md").read_text(encoding="utf-8")
ROWS = "\n".join(line for line in MATRIX.splitlines() if line.startswith("|"))
#: A pending note: ``pending (issue N: `test_…`)`` or ``pending (issue N: `rule.id`)``.
PENDING = re.compile(r"pending \(issue \d+: `([\w.]+)`\)")


def defined_tests() -> set[str]:
    return {
        m
        for path in (ROOT / "tests").rglob("test_*.py")
        for m in re.findall(r"^def (test_\w+)", path.read_text(encoding="utf-8"), re.M)
    }


def test_every_article_and_task_has_a_row():
    articles = {int(n) for n in re.findall(r"^\| M2018 §(\d+) \|", MATRIX, re.M)}
    tasks = {int(n) for n in re.findall(r"^\| N2021 task (\d+) \|", MATRIX, re.M)}
    assert articles == set(range(1, 44))
    assert tasks == set(range(1, 18))


def test_every_named_test_exists():
    named = set(re.findall(r"`(test_\w+)`", MATRIX)) - set(PENDING.findall(ROWS))
    assert named and not named - defined_tests()


def test_every_pending_note_names_a_test_or_rule_that_does_not_exist_yet():
    """A pending note that names no missing id, or one whose test or rule exists, is stale."""
    from hutong.compliance.rules import load

    assert len(re.findall(r"\bpending\b", ROWS, re.I)) == len(PENDING.findall(ROWS))
    existing = defined_tests() | set(load())
    assert not [name for name in PENDING.findall(ROWS) if name in existing]


def test_every_compliance_rule_is_traced():
    from hutong.compliance.rules import load

    traced = set(re.findall(r"^\| `([a-z_.]+)` \|", MATRIX, re.M))
    assert set(load()) <= traced
