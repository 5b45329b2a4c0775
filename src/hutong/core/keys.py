"""Local key files under ``<data dir>/keys`` (mode 0600): the Ed25519 signing key of the audit
chain and the AES-256-GCM box that keeps small secrets (TOTP seeds) encrypted at rest."""

from __future__ import annotations

import base64
import hashlib
import os
from contextlib import suppress
from functools import lru_cache
from pathlib import Path

from cryptography.hazmat.primitives import serialization
from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey, Ed25519PublicKey
from cryptography.hazmat.primitives.ciphers.aead import AESGCM

SIGNING_KEY_FILE = "audit-ed25519.pem"
SECRET_BOX_FILE = "secret-box.key"


def write_private(path: Path, data: bytes) -> None:
    path.parent.mkdir(parents=True, exist_ok=True)
    fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
    with os.fdopen(fd, "wb") as handle:
        handle.write(data)


@lru_cache(maxsize=8)
def signing_key(keys_dir: Path) -> Ed25519PrivateKey:
    """The audit signing key, created on first use."""
    path = keys_dir / SIGNING_KEY_FILE
    if not path.exists():
        pem = Ed25519PrivateKey.generate().private_bytes(
            serialization.Encoding.PEM,
            serialization.PrivateFormat.PKCS8,
            serialization.NoEncryption(),
        )
        with suppress(FileExistsError):  # another process created it first
            write_private(path, pem)
    key = serialization.load_pem_private_key(path.read_bytes(), password=None)
    assert isinstance(key, Ed25519PrivateKey)
    return key


def public_key_id(public: Ed25519PublicKey) -> str:
    raw = public.public_bytes(serialization.Encoding.Raw, serialization.PublicFormat.Raw)
    return hashlib.sha256(raw).hexdigest()[:16]


def public_key_pem(public: Ed25519PublicKey) -> str:
    return public.public_bytes(
        serialization.Encoding.PEM, serialization.PublicFormat.SubjectPublicKeyInfo
    ).decode()


class SecretBox:
    """AES-256-GCM for short secrets stored in the database; output is base64 text."""

    def __init__(self, key: bytes) -> None:
        self._aead = AESGCM(key)

    @classmethod
    def for_dir(cls, keys_dir: Path) -> SecretBox:
        return cls(secret_box_key(keys_dir))

    def seal(self, plaintext: str, context: str) -> str:
        nonce = os.urandom(12)
        sealed = self._aead.encrypt(nonce, plaintext.encode(), context.encode())
        return base64.b64encode(nonce + sealed).decode()

    def open(self, token: str, context: str) -> str:
        raw = base64.b64decode(token)
        return self._aead.decrypt(raw[:12], raw[12:], context.encode()).decode()


@lru_cache(maxsize=8)
def secret_box_key(keys_dir: Path) -> bytes:
    """The local 256-bit secret (created on first use); other keys are derived from it."""
    path = keys_dir / SECRET_BOX_FILE
    if not path.exists():
        with suppress(FileExistsError):
            write_private(path, AESGCM.generate_key(bit_length=256))
    return path.read_bytes()
