"""Subject references: how domain code points at the thing a message is about without building
a URL (decision 0017). A reference is ``kind:id`` (``share_application:12``, ``grant:G…``,
``corrections:30101/000001``); the web layer turns it into a link when it renders
(``web/links.py``), so domain code never knows the console's routes."""

from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True)
class Ref:
    kind: str
    id: str

    def __str__(self) -> str:
        return f"{self.kind}:{self.id}"

    @classmethod
    def parse(cls, text: str) -> Ref | None:
        """The reference stored as ``text``; None for an empty or malformed one."""
        kind, colon, ident = text.partition(":")
        return cls(kind, ident) if colon and kind and ident else None


def share_application(application_id: int) -> Ref:
    return Ref("share_application", str(application_id))


def grant(code: str) -> Ref:
    return Ref("grant", code)


def corrections(resource_code: str) -> Ref:
    """The correction reports (M2018 §23) on one catalog entry."""
    return Ref("corrections", resource_code)
