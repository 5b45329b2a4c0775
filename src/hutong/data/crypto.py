"""Dataset files encrypted at rest (N2021 tasks 5, 8): a chunked AEAD format with random access.

A file is a 32-byte header followed by chunks of at most ``CHUNK`` plaintext bytes, each sealed
with AES-256-GCM or SM4-GCM under the dataset's data key. Chunk *i* uses the nonce
``prefix ‖ i`` and authenticates the header, its index and whether it is the last chunk, so
chunks cannot be reordered, dropped, truncated or moved between files. Because chunks have a
fixed size, a reader can decrypt just the byte ranges a query needs: DuckDB reads Parquet
through ``EncryptedFileSystem`` (an fsspec file system) and gets projection and row-group
pruning as on clear files, while clear data exists only in memory (decision 0009).
"""

from __future__ import annotations

import io
import os
import struct
import threading
from collections.abc import Iterator
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path
from typing import BinaryIO

from cryptography.exceptions import InvalidTag
from cryptography.hazmat.primitives.ciphers import Cipher, algorithms, modes
from cryptography.hazmat.primitives.ciphers.aead import AESGCM
from fsspec.spec import AbstractFileSystem

from hutong.core.errors import Conflict

MAGIC = b"HTENC1\x00\x00"
HEADER = struct.Struct(">8sBxxxI8s8s")  # magic, cipher, pad, chunk size, nonce prefix, key tag
CHUNK = 1024 * 1024
TAG = 16
CIPHERS = {"aes-256-gcm": 1, "sm4-gcm": 2}
KEY_BYTES = {"aes-256-gcm": 32, "sm4-gcm": 16}
SUFFIX = ".enc"


@dataclass(frozen=True)
class DataKey:
    """A dataset's data key in clear, held in memory only while it is used."""

    key_id: str
    cipher: str
    secret: bytes = b""

    def __repr__(self) -> str:  # never print the secret
        return f"DataKey({self.key_id!r}, {self.cipher!r})"

    @property
    def tag(self) -> bytes:
        return bytes.fromhex(self.key_id)[:8]


def new_key(key_id: str, cipher: str) -> DataKey:
    return DataKey(key_id, cipher, os.urandom(KEY_BYTES[cipher]))


def seal(cipher: str, secret: bytes, nonce: bytes, plain: bytes, aad: bytes) -> bytes:
    if cipher == "aes-256-gcm":
        return AESGCM(secret).encrypt(nonce, plain, aad)
    encryptor = Cipher(algorithms.SM4(secret), modes.GCM(nonce)).encryptor()
    encryptor.authenticate_additional_data(aad)
    return encryptor.update(plain) + encryptor.finalize() + encryptor.tag


def unseal(cipher: str, secret: bytes, nonce: bytes, sealed: bytes, aad: bytes) -> bytes:
    """Decrypt and authenticate; any tampering or a wrong key is an ``InvalidTag``."""
    if cipher == "aes-256-gcm":
        return AESGCM(secret).decrypt(nonce, sealed, aad)
    body, tag = sealed[:-TAG], sealed[-TAG:]
    decryptor = Cipher(algorithms.SM4(secret), modes.GCM(nonce, tag)).decryptor()
    decryptor.authenticate_additional_data(aad)
    return decryptor.update(body) + decryptor.finalize()


def _aad(header: bytes, index: int, last: bool) -> bytes:
    return header + struct.pack(">Q?", index, last)


def encrypt_file(source: Path, target: Path, key: DataKey, prefix: bytes | None = None) -> None:
    """Seal ``source`` into ``target`` chunk by chunk (bounded memory). The nonce prefix is
    random unless given: backups derive it from the content so that one content always seals
    to one object (a prefix must never be reused with the same key for other content)."""
    prefix = os.urandom(8) if prefix is None else prefix
    header = HEADER.pack(MAGIC, CIPHERS[key.cipher], CHUNK, prefix, key.tag)
    prefix = header[16:24]
    with source.open("rb") as reader, target.open("wb") as writer:
        writer.write(header)
        index, chunk = 0, reader.read(CHUNK)
        while True:
            following = reader.read(CHUNK)
            last = not following
            nonce = prefix + struct.pack(">I", index)
            writer.write(seal(key.cipher, key.secret, nonce, chunk, _aad(header, index, last)))
            if last:
                return
            index, chunk = index + 1, following


def encrypt_in_place(path: Path, key: DataKey) -> Path:
    """Replace a clear staging file by its sealed form; returns the new path."""
    target = path.with_name(path.name + SUFFIX)
    encrypt_file(path, target, key)
    path.unlink()
    return target


class DecryptingReader(io.RawIOBase):
    """A seekable, read-only view of the clear bytes of a sealed file in any fsspec file system.

    DuckDB may share one handle between its threads and calls ``seek`` then ``read`` on it as
    two steps, so the position, the last clear chunk and the underlying file handle are kept
    per thread."""

    def __init__(self, fs: AbstractFileSystem, path: str, key: DataKey) -> None:
        self._fs, self._path, self._key = fs, path, key
        self._local = threading.local()
        self._handles: list[BinaryIO] = []
        self._lock = threading.Lock()
        header = self._pread(0, HEADER.size)
        magic, cipher, chunk, _prefix, tag = HEADER.unpack(header)
        if magic != MAGIC or cipher != CIPHERS[key.cipher] or tag != key.tag:
            self.close()
            raise Conflict("数据文件与密钥不匹配", "the data file does not match its key")
        self._header, self._chunk = header, chunk
        self._chunks, self.size = _layout(fs.size(path), chunk)

    def _pread(self, offset: int, size: int) -> bytes:
        handle = getattr(self._local, "handle", None)
        if handle is None:
            handle = self._local.handle = self._fs.open(self._path, "rb")
            with self._lock:
                self._handles.append(handle)
        handle.seek(offset)
        return handle.read(size)

    @property
    def _position(self) -> int:
        return getattr(self._local, "position", 0)

    @_position.setter
    def _position(self, value: int) -> None:
        self._local.position = value

    def readable(self) -> bool:
        return True

    def seekable(self) -> bool:
        return True

    def tell(self) -> int:
        return self._position

    def seek(self, offset: int, whence: int = io.SEEK_SET) -> int:
        base = {io.SEEK_SET: 0, io.SEEK_CUR: self._position, io.SEEK_END: self.size}[whence]
        self._position = max(0, base + offset)
        return self._position

    def _plain_chunk(self, index: int) -> bytes:
        cached = getattr(self._local, "chunk", (-1, b""))
        if cached[0] != index:
            sealed = self._pread(HEADER.size + index * (self._chunk + TAG), self._chunk + TAG)
            nonce = self._header[16:24] + struct.pack(">I", index)
            aad = _aad(self._header, index, index == self._chunks - 1)
            try:
                plain = unseal(self._key.cipher, self._key.secret, nonce, sealed, aad)
            except InvalidTag:
                raise Conflict(
                    "数据文件校验失败（已被篡改或密钥错误）",
                    "the data file failed authentication (tampered with, or the wrong key)",
                ) from None
            cached = self._local.chunk = (index, plain)
        return cached[1]

    def read(self, size: int = -1) -> bytes:
        position = self._position
        end = self.size if size is None or size < 0 else min(self.size, position + size)
        parts = []
        while position < end:
            index, offset = divmod(position, self._chunk)
            piece = self._plain_chunk(index)[offset : offset + (end - position)]
            parts.append(piece)
            position += len(piece)
        self._position = position
        return b"".join(parts)

    def readinto(self, buffer) -> int:  # type: ignore[no-untyped-def]
        data = self.read(len(buffer))
        buffer[: len(data)] = data
        return len(data)

    def close(self) -> None:
        with self._lock:
            for handle in self._handles:
                handle.close()
            self._handles.clear()
        super().close()


def _layout(sealed_size: int, chunk: int) -> tuple[int, int]:
    """(number of chunks, clear size) of a sealed file of ``sealed_size`` bytes."""
    body = sealed_size - HEADER.size
    chunks = max(1, -(-body // (chunk + TAG)))
    return chunks, body - chunks * TAG


def decrypted_chunks(fs: AbstractFileSystem, path: str, key: DataKey) -> Iterator[bytes]:
    """The clear bytes of a sealed file in pieces, e.g. to stream a download."""
    reader = DecryptingReader(fs, path, key)
    try:
        while piece := reader.read(CHUNK):
            yield piece
    finally:
        reader.close()


class EncryptedFileSystem(AbstractFileSystem):
    """Read-only fsspec file system over sealed files, registered on one DuckDB connection.

    ``hutongenc://<path>`` opens ``<path>`` in the underlying file system (local files, or the
    object store the versions live in) with the key it was registered with, so a connection can
    read only the versions its caller resolved."""

    protocol = "hutongenc"
    cachable = False

    def __init__(self, keys: dict[str, DataKey], base: AbstractFileSystem) -> None:
        super().__init__()
        self._keys = keys  # path of a sealed file in ``base`` → its data key
        self._base = base

    @staticmethod
    def url(path: str) -> str:
        return f"hutongenc://{path}"

    def _known(self, path: str) -> str:
        clean = self._strip_protocol(path)
        for candidate in (clean, "/" + clean.lstrip("/")):
            if candidate in self._keys:
                return candidate
        raise FileNotFoundError(path)

    def _open(self, path: str, mode: str = "rb", **kwargs: object) -> DecryptingReader:
        if "r" not in mode:
            raise PermissionError("sealed files are read-only")
        known = self._known(path)
        return DecryptingReader(self._base, known, self._keys[known])

    def info(self, path: str, **kwargs: object) -> dict[str, object]:
        known = self._known(path)
        with self._base.open(known, "rb") as handle:
            chunk = HEADER.unpack(handle.read(HEADER.size))[2]
        size = _layout(self._base.size(known), chunk)[1]
        return {"name": known, "size": size, "type": "file"}

    def modified(self, path: str) -> datetime:
        modified = self._base.modified(self._known(path))
        return modified if modified.tzinfo else modified.replace(tzinfo=UTC)

    def ls(self, path: str, detail: bool = True, **kwargs: object) -> list:  # type: ignore[type-arg]
        entry = self.info(path)
        return [entry] if detail else [entry["name"]]
