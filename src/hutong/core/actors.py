"""Who acts and on what: the value types every layer passes around.

They sit in ``core`` so that the audit log's writer, which records both, and identity, whose
``authorize()`` decides on both, depend on this module rather than on each other (decision
0017). Roles are plain strings here; ``identity/roles.py`` gives them meaning.
"""

from __future__ import annotations

from dataclasses import dataclass, field


@dataclass(frozen=True)
class Actor:
    """Who is acting: a person, a unit's system (API client) or Hutong itself (``system``)."""

    kind: str  # "user" | "client" | "system" | "public"
    id: str
    name: str
    unit_id: int | None
    unit_code: str | None
    #: ``identity.roles.Role`` values (a StrEnum, so they compare equal to their strings).
    roles: frozenset[str] = frozenset()
    #: Actions a bearer token is limited to; None means the roles decide alone.
    scopes: frozenset[str] | None = None
    client_address: str | None = None
    request_id: str | None = None

    @property
    def is_system(self) -> bool:
        return self.kind == "system"

    @property
    def is_public(self) -> bool:
        return self.kind == "public"


def public_actor(client_address: str | None = None, request_id: str | None = None) -> Actor:
    """A member of the public on the open portal: no account, audited by client address."""
    return Actor(
        kind="public",
        id="anonymous",
        name="anonymous",
        unit_id=None,
        unit_code=None,
        client_address=client_address,
        request_id=request_id,
    )


def system_actor(purpose: str = "maintenance") -> Actor:
    """Hutong's own jobs (init, retention purge, checkpoints), run from the host's CLI."""
    return Actor(kind="system", id="system", name=f"system:{purpose}", unit_id=None, unit_code=None)


@dataclass(frozen=True)
class Target:
    """What an action touches; ``unit_id`` is the owning unit used by scope checks."""

    type: str
    id: str | None = None
    unit_id: int | None = None
    #: unit that made the request being decided (share application, catalog submission)
    requester_unit_id: int | None = None
    extra: dict[str, str] = field(default_factory=dict)


NO_TARGET = Target(type="none")
