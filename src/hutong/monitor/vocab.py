"""Vocabularies of the monitor, each value with the Chinese label the console shows."""

from __future__ import annotations

from hutong.catalog.vocab import LABELS, Labelled


class AlertState(Labelled):
    """States of an alert (``alerts.py`` holds the transitions)."""

    OPEN = "open"
    ACKNOWLEDGED = "acknowledged"
    ESCALATED = "escalated"  # handed to incident response (the incident record comes next)
    RESOLVED = "resolved"


#: an active alert absorbs further firings for its rule and subject
ACTIVE = frozenset({AlertState.OPEN, AlertState.ACKNOWLEDGED, AlertState.ESCALATED})


class Level(Labelled):
    """Sigma's ``level``, the severity of a rule and of its alerts."""

    INFORMATIONAL = "informational"
    LOW = "low"
    MEDIUM = "medium"
    HIGH = "high"
    CRITICAL = "critical"


LABELS[AlertState] = {
    AlertState.OPEN: "待处理",
    AlertState.ACKNOWLEDGED: "已确认",
    AlertState.ESCALATED: "已升级为事件",
    AlertState.RESOLVED: "已处置",
}
LABELS[Level] = {
    Level.INFORMATIONAL: "提示",
    Level.LOW: "低",
    Level.MEDIUM: "中",
    Level.HIGH: "高",
    Level.CRITICAL: "严重",
}
