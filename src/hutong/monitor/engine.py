"""Evaluate every rule over a batch of events, incrementally: each event is seen once, and
each rule keeps only the per-group state its correlation needs (no rescans)."""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass

from hutong.monitor.correlation import Hit
from hutong.monitor.events import Event
from hutong.monitor.rulefile import Rule


@dataclass
class Firing:
    """A rule fired on an event: what about (subject) and on which evidence."""

    rule: Rule
    subject: str
    label: str
    evidence: Hit
    seq: int
    ts_us: int


class Engine:
    def __init__(self, rules: Iterable[Rule]) -> None:
        self.rules = list(rules)

    def evaluate(self, events: Iterable[Event]) -> list[Firing]:
        """Feed events in chain order; returns the firings, oldest first."""
        firings: list[Firing] = []
        newest = None
        for event in events:
            newest = event.ts_us
            for rule in self.rules:
                evidence = rule.feed(event)
                if evidence is not None:
                    subject, label = rule.subject_of(event)
                    firings.append(Firing(rule, subject, label, evidence, event.seq, event.ts_us))
        if newest is not None:
            for rule in self.rules:
                rule.prune(newest)
        return firings

    def snapshot(self) -> dict[str, object]:
        """Every rule's group state, as JSON-ready data keyed by rule id."""
        return {rule.id: rule.snapshot() for rule in self.rules}

    def restore(self, saved: Mapping[str, object]) -> None:
        """Put every rule back to its saved state (an empty one when none was saved)."""
        for rule in self.rules:
            state = saved.get(rule.id)
            rule.restore(state if isinstance(state, Mapping) else {})
