"""The key escrow file: every key of ``keys/`` sealed apart from the data backups.

Sealed with AES-256-GCM under a key that either comes from a passphrase (scrypt, N=2^17,
r=8, p=1) or is random and split into Shamir shares, 2 of 3 needed, written as SLIP-39
mnemonics (``shamir-mnemonic``, the reference implementation) so that three custodians each
keep one word list. The file's header (format, method, parameters) is authenticated too. A
wrong passphrase or too few shares fail authentication and nothing is written anywhere.
"""

from __future__ import annotations

import base64
import json
import os
from dataclasses import dataclass
from pathlib import Path

import shamir_mnemonic
from cryptography.exceptions import InvalidTag
from cryptography.hazmat.primitives.ciphers.aead import AESGCM
from cryptography.hazmat.primitives.kdf.scrypt import Scrypt
from sqlalchemy.orm import Session

from hutong.audit.service import Category, record
from hutong.core.clock import utcnow
from hutong.core.errors import InvalidInput
from hutong.identity.authz import Actor, Target, authorize
from hutong.identity.roles import Action
from hutong.lifecycle.keys import KeyMaterial

FORMAT = "hutong-key-escrow/1"
SCRYPT = {"n": 2**17, "r": 8, "p": 1}
MIN_PASSPHRASE = 12
THRESHOLD, SHARES = 2, 3
TARGET = Target("keys", "escrow")


@dataclass(frozen=True)
class Unlock:
    """How to open an escrow file: its passphrase, or at least two of its shares."""

    passphrase: str | None = None
    shares: tuple[str, ...] = ()


@dataclass(frozen=True)
class EscrowFile:
    """An escrow file and what unlocks it, as a restore on a new server receives them."""

    path: Path
    unlock: Unlock

    def open(self) -> KeyMaterial:
        return open_escrow(self.path, self.unlock)


def _b64(data: bytes) -> str:
    return base64.b64encode(data).decode()


def _scrypt(passphrase: str, salt: bytes, params: dict[str, int]) -> bytes:
    return Scrypt(salt=salt, length=32, **params).derive(passphrase.encode())


def _seal(material: KeyMaterial, header: dict[str, object], key: bytes) -> dict[str, object]:
    body = json.dumps({name: _b64(data) for name, data in material.files.items()}).encode()
    nonce = os.urandom(12)
    aad = json.dumps(header, sort_keys=True).encode()
    return {**header, "nonce": _b64(nonce), "sealed": _b64(AESGCM(key).encrypt(nonce, body, aad))}


def _audit(session: Session, actor: Actor, event: str, material: KeyMaterial, method: str) -> None:
    record(
        session,
        actor,
        event,
        category=Category.EXPORT if event.endswith("export") else Category.CONFIG,
        target=TARGET,
        rows=len(material.files),
        details={"method": method, "master_keys": sorted(material.master_ids)},
    )


def export_escrow(session: Session, actor: Actor, path: Path, unlock: Unlock) -> list[str]:
    """Write the escrow file of the running platform's keys. With a passphrase, returns
    nothing; without one, returns the three shares to hand to three custodians."""
    authorize(session, actor, Action.KEY_ESCROW, TARGET)
    material = KeyMaterial.from_dir(session.info["settings"].keys_dir)
    header: dict[str, object] = {"format": FORMAT, "created_at": utcnow().isoformat()}
    shares: list[str] = []
    if unlock.passphrase is not None:
        if len(unlock.passphrase) < MIN_PASSPHRASE:
            raise InvalidInput(
                f"托管口令至少 {MIN_PASSPHRASE} 个字符",
                f"the escrow passphrase needs at least {MIN_PASSPHRASE} characters",
                field="passphrase",
            )
        salt = os.urandom(16)
        method = "scrypt"
        header["kdf"] = {"name": method, "salt": _b64(salt), **SCRYPT}
        key = _scrypt(unlock.passphrase, salt, SCRYPT)
    else:
        key = os.urandom(32)
        method = "slip39"
        header["kdf"] = {"name": method, "threshold": THRESHOLD, "shares": SHARES}
        [shares] = shamir_mnemonic.generate_mnemonics(1, [(THRESHOLD, SHARES)], key)
    document = _seal(material, header, key)
    path.write_text(json.dumps(document, ensure_ascii=False, indent=2), encoding="utf-8")
    path.chmod(0o600)
    _audit(session, actor, "key.escrow.export", material, method)
    return shares


def _escrow_key(header: dict[str, object], unlock: Unlock) -> bytes:
    kdf = header.get("kdf")
    if not isinstance(kdf, dict) or kdf.get("name") not in ("scrypt", "slip39"):
        raise InvalidInput("不是有效的密钥托管文件", "not a key escrow file", field="escrow")
    if kdf["name"] == "scrypt":
        if not unlock.passphrase:
            raise InvalidInput("须输入托管口令", "the passphrase is required", field="passphrase")
        params = {k: int(kdf[k]) for k in ("n", "r", "p")}
        return _scrypt(unlock.passphrase, base64.b64decode(kdf["salt"]), params)
    try:
        return shamir_mnemonic.combine_mnemonics(unlock.shares)
    except (shamir_mnemonic.MnemonicError, ValueError):
        raise InvalidInput(
            f"托管份额无效或不足 {THRESHOLD} 份",
            f"the shares are invalid or fewer than {THRESHOLD}",
            field="shares",
        ) from None


def open_escrow(path: Path, unlock: Unlock) -> KeyMaterial:
    """The keys inside an escrow file; a wrong passphrase or wrong shares say so."""
    try:
        document = json.loads(path.read_text(encoding="utf-8"))
        header = {k: document[k] for k in ("format", "created_at", "kdf")}
        nonce, sealed = base64.b64decode(document["nonce"]), base64.b64decode(document["sealed"])
    except (OSError, ValueError, KeyError, TypeError):
        raise InvalidInput(
            "不是有效的密钥托管文件", "not a key escrow file", field="escrow"
        ) from None
    if header["format"] != FORMAT:
        raise InvalidInput("不是有效的密钥托管文件", "not a key escrow file", field="escrow")
    key = _escrow_key(header, unlock)
    try:
        body = AESGCM(key).decrypt(nonce, sealed, json.dumps(header, sort_keys=True).encode())
    except InvalidTag:
        field = "passphrase" if unlock.passphrase is not None else "shares"
        raise InvalidInput(
            "托管口令或份额错误，未写入任何内容",
            "wrong passphrase or shares; nothing was written",
            field=field,
        ) from None
    return KeyMaterial({name: base64.b64decode(data) for name, data in json.loads(body).items()})


def install_escrow(session: Session, actor: Actor, material: KeyMaterial) -> int:
    """Put escrowed keys into this platform's ``keys/`` (a server whose key folder was lost);
    a different key already there is refused and nothing is written."""
    authorize(session, actor, Action.KEY_ESCROW, TARGET)
    written = material.install(session.info["settings"].keys_dir)
    _audit(session, actor, "key.escrow.import", material, "install")
    return written
