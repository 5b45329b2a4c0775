"""Key material of backups: the backup key, and the key files a restore needs.

Nothing under ``<data dir>/keys`` is ever in a data backup (decision 0015): a backup is
sealed with the backup key, the database holds data keys wrapped by the master keys, and all
of these live in ``keys/`` only. A restore takes them either from the running platform's
``keys/`` or from the escrow file (``escrow.py``), so a stolen data backup decrypts nothing
and a lost server with its escrow restores everything.

From the one 256-bit backup secret, HKDF-SHA-256 derives the key id, the cipher key (AES-256
or SM4, per ``dataset_cipher``) and the HMAC key that names objects by their content.
"""

from __future__ import annotations

import hashlib
import hmac
import os
from contextlib import suppress
from dataclasses import dataclass
from pathlib import Path
from typing import BinaryIO

from cryptography.hazmat.primitives import hashes, serialization
from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey, Ed25519PublicKey
from cryptography.hazmat.primitives.kdf.hkdf import HKDF

from hutong.core.errors import Conflict
from hutong.core.keys import (
    SECRET_BOX_FILE,
    SIGNING_KEY_FILE,
    secret_box_key,
    signing_key,
    write_private,
)
from hutong.data.crypto import KEY_BYTES, DataKey

BACKUP_KEY_FILE = "backup.key"
MASTER_DIR = "master"
BLOCK = 1 << 20


def _derive(secret: bytes, length: int, info: str) -> bytes:
    return HKDF(hashes.SHA256(), length, None, info.encode()).derive(secret)


def backup_secret(keys_dir: Path) -> bytes:
    """The platform's backup secret, created on first use (mode 0600)."""
    path = keys_dir / BACKUP_KEY_FILE
    if not path.exists():
        with suppress(FileExistsError):
            write_private(path, os.urandom(32))
    return path.read_bytes()


@dataclass(frozen=True)
class BackupKey:
    """Seals backup objects and names them by a keyed hash of their content."""

    key_id: str
    data_key: DataKey
    _naming: bytes

    @classmethod
    def from_secret(cls, secret: bytes, cipher: str) -> BackupKey:
        key_id = _derive(secret, 16, "hutong backup key id").hex()
        data_key = DataKey(
            key_id, cipher, _derive(secret, KEY_BYTES[cipher], f"hutong backup {cipher}")
        )
        return cls(key_id, data_key, _derive(secret, 32, "hutong backup object names"))

    def __repr__(self) -> str:  # never print the secrets
        return f"BackupKey({self.key_id!r})"

    def name_of(self, reader: BinaryIO) -> str:
        """HMAC-SHA-256 of a binary stream's content: the object's name. Keyed, so a name
        does not tell whether a target holds some file an outsider can guess."""
        mac = hmac.new(self._naming, digestmod=hashlib.sha256)
        while block := reader.read(BLOCK):
            mac.update(block)
        return mac.hexdigest()


@dataclass(frozen=True)
class KeyMaterial:
    """The files of a ``keys/`` folder by relative path: what a restore installs."""

    files: dict[str, bytes]

    def __repr__(self) -> str:
        return f"KeyMaterial({sorted(self.files)!r})"

    @classmethod
    def from_dir(cls, keys_dir: Path) -> KeyMaterial:
        """The running platform's keys (the backup and signing keys made if still missing)."""
        backup_secret(keys_dir)
        signing_key(keys_dir)
        secret_box_key(keys_dir)
        files = {
            path.relative_to(keys_dir).as_posix(): path.read_bytes()
            for path in sorted(keys_dir.rglob("*"))
            if path.is_file()
        }
        return cls(files)

    def backup_key(self, cipher: str) -> BackupKey:
        if BACKUP_KEY_FILE not in self.files:
            raise Conflict("缺少备份密钥", "the backup key is missing", field="escrow")
        return BackupKey.from_secret(self.files[BACKUP_KEY_FILE], cipher)

    def public_key(self) -> Ed25519PublicKey:
        """The audit checkpoint key's public half, which signs backup manifests."""
        pem = self.files.get(SIGNING_KEY_FILE)
        if pem is None:
            raise Conflict("缺少审计签名密钥", "the audit signing key is missing", field="escrow")
        key = serialization.load_pem_private_key(pem, password=None)
        assert isinstance(key, Ed25519PrivateKey)
        return key.public_key()

    @property
    def master_ids(self) -> set[str]:
        prefix = f"{MASTER_DIR}/"
        return {
            name.removeprefix(prefix).removesuffix(".key")
            for name in self.files
            if name.startswith(prefix)
        }

    def require(self, master_ids: list[str], key_id: str, cipher: str) -> None:
        """Refuse, before anything is written, keys that cannot open a backup."""
        if self.backup_key(cipher).key_id != key_id:
            raise Conflict(
                "备份密钥与该备份不符", "the backup key does not match this backup", field="escrow"
            )
        if SECRET_BOX_FILE not in self.files or not set(master_ids) <= self.master_ids:
            raise Conflict(
                "密钥托管文件缺少该备份所需的主密钥（轮换主密钥后须重新导出托管文件）",
                "the escrow lacks a master key this backup needs (export it again after a "
                "master-key rotation)",
                field="escrow",
            )

    def install(self, keys_dir: Path) -> int:
        """Write the key files (mode 0600); a different file already there is refused before
        anything is written. Returns how many files were new."""
        clashes = [
            name
            for name, content in self.files.items()
            if (keys_dir / name).exists() and (keys_dir / name).read_bytes() != content
        ]
        if clashes:
            raise Conflict(
                "目标目录已有不同的密钥文件，未写入任何密钥",
                "different key files are already there; nothing was written",
                field="keys",
            )
        new = [name for name in self.files if not (keys_dir / name).exists()]
        keys_dir.mkdir(parents=True, exist_ok=True)
        keys_dir.chmod(0o700)
        for name in new:
            write_private(keys_dir / name, self.files[name])
        return len(new)
