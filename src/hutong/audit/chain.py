"""The hash chain: canonical bytes of an event and the link hash (SM3 or SHA-256).

``hash = H(prev_hash || canonical(event))``. Every stored field is in ``canonical``, and the
sequence number too, so editing, deleting, inserting or reordering events breaks a link.
Text fields never contain control characters (``clean`` strips them at record time), which
keeps the unit-separator join unambiguous and fast enough to verify 200k events/s.
"""

from __future__ import annotations

import hashlib
import re
from collections.abc import Callable, Sequence

GENESIS = "0" * 64
SEP = "\x1f"

#: Column order of the canonical form; verify reads rows in exactly this order.
CHAINED_COLUMNS = (
    "seq",
    "ts_us",
    "actor_id",
    "actor_name",
    "actor_unit",
    "actor_roles",
    "event",
    "category",
    "target_type",
    "target_id",
    "purpose",
    "outcome",
    "rows",
    "client_addr",
    "request_id",
    "details",
)

_CONTROL = re.compile(r"[\x00-\x1f\x7f]")


def clean(text: object, limit: int) -> str:
    """Text as stored in the chain: no control characters, bounded length."""
    if text is None:
        return ""
    return _CONTROL.sub(" ", str(text))[:limit]


def hasher(algorithm: str) -> Callable[[bytes], bytes]:
    """Return a fast one-shot hash function for the configured algorithm."""
    if algorithm == "sha256":
        return lambda data: hashlib.sha256(data).digest()
    prototype = hashlib.new("sm3")

    def sm3(data: bytes) -> bytes:
        h = prototype.copy()
        h.update(data)
        return h.digest()

    return sm3


def material_sql(dialect: str) -> str:
    """SQL that builds ``prev_hash || canonical(event)`` in the database, so verification
    hashes ready-made strings instead of formatting sixteen fields per event in Python."""
    sep = "char(31)" if dialect == "sqlite" else "chr(31)"
    cast = "{}" if dialect == "sqlite" else "CAST({} AS TEXT)"
    parts = [cast.format(c) for c in CHAINED_COLUMNS]
    return "prev_hash || " + f" || {sep} || ".join(parts)


def link(digest: Callable[[bytes], bytes], prev_hash: str, values: Sequence[object]) -> str:
    """The hash of one event given its predecessor's hash and its CHAINED_COLUMNS values."""
    body = SEP.join(map(str, values))
    return digest((prev_hash + body).encode()).hex()
