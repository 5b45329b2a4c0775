"""Pseudonym keys, one per domain (去标识化, N2021 task 8).

A *domain* names the population within which pseudonyms must link: the same person gets the
same pseudonym in every dataset released under one domain (e.g. one consumer unit's grants,
or one research extract) and unrelated pseudonyms under another domain, so two recipients
cannot join their copies on the pseudonym.

Construction: ``K_d = HKDF-SHA-256(master, salt=None, info="hutong/pseudonym/v1" 0x00 d)``,
32 bytes, where ``master`` is the local secret of ``core/keys.py``; the pseudonym of a value
``v`` is ``hex(HMAC-SHA-256(K_d, UTF-8(v)))``. HMAC is computed inside the query engine from
its two pads (RFC 2104): ``H((K ⊕ opad) ‖ H((K ⊕ ipad) ‖ m))``; the pads travel to the
engine as bind parameters, never as SQL text, so the key appears in no statement, log line or
error message. ``repr`` of a key shows its domain only.
"""

from __future__ import annotations

import hashlib
import hmac
from pathlib import Path

from cryptography.hazmat.primitives import hashes
from cryptography.hazmat.primitives.kdf.hkdf import HKDF

from hutong.core.keys import secret_box_key

INFO = b"hutong/pseudonym/v1\x00"
BLOCK = 64  # SHA-256 block size in bytes
#: Names of the bind parameters that carry the HMAC pads to the engine.
IPAD_PARAM = "hutong_pk_ipad"
OPAD_PARAM = "hutong_pk_opad"


class PseudonymKey:
    """The HMAC key of one domain; its bytes never leave this object except as pads."""

    __slots__ = ("_secret", "domain")

    def __init__(self, domain: str, secret: bytes) -> None:
        self.domain = domain
        self._secret = secret

    def __repr__(self) -> str:
        return f"PseudonymKey(domain={self.domain!r})"

    def pseudonym(self, value: str) -> str:
        """One value's pseudonym, computed in Python (single values, and tests)."""
        return hmac.new(self._secret, value.encode(), hashlib.sha256).hexdigest()

    def params(self) -> dict[str, str]:
        """The bind parameters of ``operators.pseudonym``: both pads, hex-encoded."""
        padded = self._secret.ljust(BLOCK, b"\0")
        return {
            IPAD_PARAM: bytes(b ^ 0x36 for b in padded).hex(),
            OPAD_PARAM: bytes(b ^ 0x5C for b in padded).hex(),
        }


def derive(master: bytes, domain: str) -> PseudonymKey:
    """The key of ``domain`` under ``master`` (HKDF-SHA-256, see the module docstring)."""
    if not domain:
        raise ValueError("a pseudonym domain is required")
    hkdf = HKDF(algorithm=hashes.SHA256(), length=32, salt=None, info=INFO + domain.encode())
    return PseudonymKey(domain, hkdf.derive(master))


def for_domain(keys_dir: Path, domain: str) -> PseudonymKey:
    """The key of ``domain`` on this installation (derived from its local secret)."""
    return derive(secret_box_key(keys_dir), domain)
