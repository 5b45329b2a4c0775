"""The signed manifest of a backup: every object with its SHA-256, and the snapshot's facts.

Signed with the audit checkpoint key (Ed25519) over its canonical JSON, like the audit
archives, so a target cannot swap, drop or alter an object or the manifest unnoticed.
"""

from __future__ import annotations

import json

from cryptography.exceptions import InvalidSignature
from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey, Ed25519PublicKey

from hutong.core.errors import Conflict
from hutong.core.keys import public_key_id

FORMAT = "hutong-backup/1"


def canonical(body: dict[str, object]) -> bytes:
    return json.dumps(body, ensure_ascii=False, sort_keys=True, separators=(",", ":")).encode()


def sign(body: dict[str, object], key: Ed25519PrivateKey) -> bytes:
    """The manifest file: its body, the signing key's id and the signature."""
    document = {
        "manifest": body,
        "key_id": public_key_id(key.public_key()),
        "signature": key.sign(canonical(body)).hex(),
    }
    return json.dumps(document, ensure_ascii=False, indent=1).encode()


def signed_body(document: bytes, public: Ed25519PublicKey) -> dict[str, object]:
    """The manifest's body once its signature holds; otherwise a ``Conflict`` saying so."""
    try:
        parsed = json.loads(document)
        body = parsed["manifest"]
        if body.get("format") != FORMAT or parsed["key_id"] != public_key_id(public):
            raise InvalidSignature
        public.verify(bytes.fromhex(parsed["signature"]), canonical(body))
    except (InvalidSignature, ValueError, KeyError, TypeError, AttributeError):
        raise Conflict(
            "备份清单签名无效或不是本平台的备份",
            "the backup manifest's signature does not hold (or it is not this platform's)",
            field="manifest",
        ) from None
    return body
