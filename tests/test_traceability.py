"""docs/traceability.md covers every article and task, and every test it names exists."""

from __future__ import annotations

import re
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
MATRIX = (ROOT / "docs/traceability.md").read_text(encoding="utf-8")


def test_every_article_and_task_has_a_row():
    articles = {int(n) for n in re.findall(r"^\| M2018 §(\d+) \|", MATRIX, re.M)}
    tasks = {int(n) for n in re.findall(r"^\| N2021 task (\d+) \|", MATRIX, re.M)}
    assert articles == set(range(1, 44))
    assert tasks == set(range(1, 18))


def test_every_named_test_exists():
    defined = {
        m
        for path in (ROOT / "tests").rglob("test_*.py")
        for m in re.findall(r"^def (test_\w+)", path.read_text(encoding="utf-8"), re.M)
    }
    named = set(re.findall(r"`(test_\w+)`", MATRIX))
    assert named and not named - defined


def test_every_compliance_rule_is_traced():
    from hutong.compliance.rules import load

    traced = set(re.findall(r"^\| `([a-z_.]+)` \|", MATRIX, re.M))
    assert set(load()) <= traced
