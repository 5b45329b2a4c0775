"""Correlations over matched events, with bounded state kept per group.

Sigma's correlation types — ``event_count``, ``value_count``, ``temporal`` and
``temporal_ordered`` — plus two Hutong adds for the issue's baselines: ``baseline`` (a
group's total in the current day against its own highest day of the history, e.g. rows
exported) and ``new_value`` (a value never seen for the group in the history, e.g. a new
client address for an account). Each node sees an event only when one of the rules it names
matched it, keeps a little state per group (counts in time buckets, a few evidence event
numbers), and returns a hit — the evidence — on the event that meets its condition; it then
resets that group, so a continuing burst fires again after another full count rather than on
every event. State is plain JSON so the detector can persist it with its cursor.
"""

from __future__ import annotations

import re
from abc import ABC, abstractmethod
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field

from hutong.monitor.errors import RuleProblem
from hutong.monitor.events import Event, is_field, number
from hutong.monitor.yamlines import line_of

SECOND = 1_000_000
UNITS = {"s": SECOND, "m": 60 * SECOND, "h": 3600 * SECOND, "d": 86400 * SECOND}
#: Asia/Shanghai is UTC+8 all year: day buckets start at local midnight
LOCAL_OFFSET = 8 * 3600 * SECOND
#: evidence event numbers kept per group (the alert keeps its own, longer list)
EVIDENCE = 20
#: time buckets per window for counting (the window slides by one bucket)
BUCKETS = 30
OPS: dict[str, Callable[[float, float], bool]] = {
    "gt": lambda a, b: a > b,
    "gte": lambda a, b: a >= b,
    "lt": lambda a, b: a < b,
    "lte": lambda a, b: a <= b,
    "eq": lambda a, b: a == b,
}

Hit = list[int]  # evidence: audit event numbers


def timespan(text: object, line: int) -> int:
    """Sigma's ``timespan``: a number and s, m, h or d; returned in microseconds."""
    match = re.fullmatch(r"(\d+)([smhd])", str(text).strip())
    if match is None or int(match.group(1)) == 0:
        raise RuleProblem(
            line, "时间窗口应写作数字加 s/m/h/d，如 10m", "timespan must be like 10m, 1h or 30d"
        )
    return int(match.group(1)) * UNITS[match.group(2)]


@dataclass
class Threshold:
    """Sigma's condition map: one or two of gt/gte/lt/lte/eq, all of which must hold."""

    tests: list[tuple[Callable[[float, float], bool], float]] = field(default_factory=list)

    @classmethod
    def parse(cls, condition: Mapping[str, object], line: int, extra: frozenset[str]) -> Threshold:
        threshold = cls()
        for key, value in condition.items():
            if key in extra:
                continue
            if key not in OPS:
                raise RuleProblem(line, f"条件中未知的比较 {key}", f"unknown comparison {key}")
            if isinstance(value, bool) or not isinstance(value, int | float):
                raise RuleProblem(line, f"条件 {key} 需要数值", f"condition {key} needs a number")
            threshold.tests.append((OPS[key], float(value)))
        return threshold

    def met(self, value: float) -> bool:
        return bool(self.tests) and all(op(value, bound) for op, bound in self.tests)


def _keep(evidence: list, ts: int, seqs: Hit, since: int) -> list:
    """Evidence [[ts, seq], …] within the window, newest EVIDENCE entries."""
    kept = [pair for pair in evidence if pair[0] > since]
    kept.extend([ts, s] for s in seqs)
    return kept[-EVIDENCE:]


class Correlation(ABC):
    """A correlation node: its referenced rules, group-by fields, window and group state."""

    extra_keys: frozenset[str] = frozenset()
    needs_threshold = True

    def __init__(self, name: str, spec: Mapping[str, object], line: int) -> None:
        self.name, self.line = name, line
        self.rules = [str(r) for r in _list(spec, "rules", line)]
        self.rules_line = line_of(spec, "rules") or line
        self.group_by = [str(f) for f in _list(spec, "group-by", line)]
        for name_ in self.group_by:
            if not is_field(name_):
                raise RuleProblem(
                    line_of(spec, "group-by"), f"未知字段 {name_}", f"unknown field {name_}"
                )
        self.span = timespan(spec.get("timespan"), line_of(spec, "timespan"))
        condition = spec.get("condition", {})
        if not isinstance(condition, Mapping):
            raise RuleProblem(
                line_of(spec, "condition"), "condition 须为映射", "condition must be a map"
            )
        where = line_of(spec, "condition")
        self.threshold = Threshold.parse(condition, where, self.extra_keys)
        if self.needs_threshold and not self.threshold.tests:
            raise RuleProblem(where, "缺少阈值（如 gte: 10）", "missing threshold such as gte: 10")
        self.groups: dict[str, dict] = {}
        self.configure(condition, where)

    def configure(self, condition: Mapping[str, object], line: int) -> None:  # noqa: B027 (optional hook)
        """Read the type's own condition keys."""

    def key(self, event: Event) -> str:
        return "\x1f".join(str(event.get(f) or "") for f in self.group_by)

    @abstractmethod
    def feed(self, event: Event, hits: Mapping[str, Hit]) -> Hit | None:
        """Take one matching event; the hit when the correlation's threshold is met."""

    def prune(self, now: int) -> None:
        """Forget groups whose newest activity left the window."""
        stale = [k for k, g in self.groups.items() if g.get("t", 0) <= now - self.horizon()]
        for key in stale:
            del self.groups[key]

    def horizon(self) -> int:
        return self.span


def _list(spec: Mapping[str, object], key: str, line: int) -> list:
    value = spec.get(key)
    if isinstance(value, str):
        value = [value]
    if not isinstance(value, list) or not value:
        raise RuleProblem(
            line_of(spec, key) or line, f"缺少 {key} 列表", f"{key} must be a non-empty list"
        )
    return value


def _field(condition: Mapping[str, object], line: int, required: bool) -> str | None:
    name = condition.get("field")
    if name is None and not required:
        return None
    if not isinstance(name, str) or not is_field(name):
        raise RuleProblem(
            line, "条件的 field 须为已知字段", "condition field must be a known field"
        )
    return name


class EventCount(Correlation):
    """How many matching events in the window (counted in BUCKETS time buckets)."""

    def feed(self, event: Event, hits: Mapping[str, Hit]) -> Hit | None:
        ts, key = event.ts_us, self.key(event)
        width = max(SECOND, self.span // BUCKETS)
        group = self.groups.setdefault(key, {"b": [], "e": []})
        since = ts - self.span
        buckets = [b for b in group["b"] if b[0] > since - width]
        start = ts - ts % width
        if buckets and buckets[-1][0] == start:
            buckets[-1][1] += 1
        else:
            buckets.append([start, 1])
        group["b"], group["t"] = buckets, ts
        group["e"] = _keep(group["e"], ts, [s for h in hits.values() for s in h], since)
        if self.threshold.met(sum(n for _, n in buckets)):
            del self.groups[key]
            return [s for _, s in group["e"]]
        return None


class ValueCount(Correlation):
    """How many distinct values of ``condition.field`` in the window."""

    extra_keys = frozenset({"field"})

    def configure(self, condition: Mapping[str, object], line: int) -> None:
        self.field = _field(condition, line, required=True)

    def feed(self, event: Event, hits: Mapping[str, Hit]) -> Hit | None:
        ts, key = event.ts_us, self.key(event)
        since = ts - self.span
        group = self.groups.setdefault(key, {"v": {}, "e": []})
        values = {v: t for v, t in group["v"].items() if t > since}
        values[str(event.get(self.field) or "")] = ts
        group["v"], group["t"] = values, ts
        group["e"] = _keep(group["e"], ts, [s for h in hits.values() for s in h], since)
        if self.threshold.met(len(values)):
            del self.groups[key]
            return [s for _, s in group["e"]]
        return None


class Temporal(Correlation):
    """Every named rule matched for the group within the window; ``temporal_ordered`` also
    needs them in the order named."""

    needs_threshold = False
    ordered = False

    def feed(self, event: Event, hits: Mapping[str, Hit]) -> Hit | None:
        ts, key = event.ts_us, self.key(event)
        group = self.groups.setdefault(key, {"s": {}})
        steps = {r: v for r, v in group["s"].items() if v[0] > ts - self.span}
        for rule in self.rules:
            if rule in hits and self._may_take(rule, steps):
                steps[rule] = [ts, hits[rule]]
        group["s"], group["t"] = steps, ts
        if len(steps) == len(self.rules):
            del self.groups[key]
            return [s for rule in self.rules for s in steps[rule][1]][-EVIDENCE:]
        return None

    def _may_take(self, rule: str, steps: dict[str, list]) -> bool:
        """In order, a step counts once the steps before it are in; a new first step
        starts the sequence again."""
        if not self.ordered:
            return True
        position = self.rules.index(rule)
        if position == 0:
            for later in self.rules[1:]:
                steps.pop(later, None)
            return True
        return all(r in steps for r in self.rules[:position])


class TemporalOrdered(Temporal):
    ordered = True


class Baseline(Correlation):
    """The group's total of ``condition.field`` (or its event count) in the current
    ``timespan`` bucket (day buckets start at Shanghai midnight) above ``factor`` times its
    highest bucket over ``history``, and at least the absolute threshold; once per bucket."""

    extra_keys = frozenset({"field", "factor"})

    def __init__(self, name: str, spec: Mapping[str, object], line: int) -> None:
        self.history = timespan(spec.get("history"), line_of(spec, "history") or line)
        super().__init__(name, spec, line)

    def configure(self, condition: Mapping[str, object], line: int) -> None:
        self.field = _field(condition, line, required=False)
        factor = condition.get("factor", 1)
        if isinstance(factor, bool) or not isinstance(factor, int | float) or factor <= 0:
            raise RuleProblem(line, "factor 须为正数", "factor must be a positive number")
        self.factor = float(factor)

    def horizon(self) -> int:
        return self.history + self.span

    def feed(self, event: Event, hits: Mapping[str, Hit]) -> Hit | None:
        ts, key = event.ts_us, self.key(event)
        bucket = (ts + LOCAL_OFFSET) // self.span
        oldest = bucket - self.history // self.span
        group = self.groups.setdefault(key, {"d": {}, "a": -1, "e": []})
        days = {int(b): n for b, n in group["d"].items() if int(b) >= oldest}
        amount = 1.0 if self.field is None else (number(event.get(self.field)) or 0.0)
        days[bucket] = days.get(bucket, 0.0) + amount
        group["d"], group["t"] = {str(b): n for b, n in days.items()}, ts
        start = bucket * self.span - LOCAL_OFFSET
        group["e"] = _keep(group["e"], ts, [s for h in hits.values() for s in h], start - 1)
        usual = max((n for b, n in days.items() if b < bucket), default=0.0)
        total = days[bucket]
        if group["a"] != bucket and total > self.factor * usual and self.threshold.met(total):
            group["a"] = bucket
            return [s for _, s in group["e"]]
        return None


class NewValue(Correlation):
    """A value of ``condition.field`` not seen for the group within ``timespan`` (the
    history), for a group that has history; a group's first values only teach."""

    extra_keys = frozenset({"field"})
    needs_threshold = False

    def configure(self, condition: Mapping[str, object], line: int) -> None:
        self.field = _field(condition, line, required=True)

    def feed(self, event: Event, hits: Mapping[str, Hit]) -> Hit | None:
        ts, key = event.ts_us, self.key(event)
        value = str(event.get(self.field) or "")
        group = self.groups.setdefault(key, {"v": {}})
        seen = {v: t for v, t in group["v"].items() if t > ts - self.span}
        fresh = bool(seen) and value not in seen
        seen[value] = ts
        group["v"], group["t"] = seen, ts
        return [s for h in hits.values() for s in h] if fresh else None


TYPES: dict[str, type[Correlation]] = {
    "event_count": EventCount,
    "value_count": ValueCount,
    "temporal": Temporal,
    "temporal_ordered": TemporalOrdered,
    "baseline": Baseline,
    "new_value": NewValue,
}


def build(name: str, spec: object, line: int) -> Correlation:
    if not isinstance(spec, Mapping):
        raise RuleProblem(line, "correlation 须为映射", "correlation must be a map")
    kind = spec.get("type")
    if kind not in TYPES:
        raise RuleProblem(
            line_of(spec, "type") or line,
            f"未知的关联类型 {kind}，可用：{'、'.join(TYPES)}",
            f"unknown correlation type {kind}",
        )
    return TYPES[str(kind)](name, spec, line)
