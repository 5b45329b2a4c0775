"""Sending a backup's objects to its targets: each content sealed once, uploaded only where
it is missing, a failing target dropped without stopping the others (pgBackRest's multiple
repositories, restic's content-addressed store; decision 0015)."""

from __future__ import annotations

import hashlib
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path

from hutong.core.errors import Conflict
from hutong.data.crypto import encrypt_file
from hutong.lifecycle.inventory import Source
from hutong.lifecycle.keys import BLOCK, BackupKey
from hutong.lifecycle.targets import TargetFailed, TargetStore


def file_sha256(path: Path) -> str:
    digest = hashlib.sha256()
    with path.open("rb") as handle:
        while block := handle.read(BLOCK):
            digest.update(block)
    return digest.hexdigest()


@dataclass
class Transfer:
    targets: list[TargetStore]
    key: BackupKey
    #: objects already stored somewhere: name → (SHA-256 of the stored bytes, stored size)
    known: dict[str, tuple[str, int]]
    work: Path
    failed: dict[str, str] = field(default_factory=dict)
    written: dict[str, int] = field(default_factory=dict)
    new: dict[str, tuple[str, int]] = field(default_factory=dict)

    @property
    def live(self) -> list[TargetStore]:
        return [t for t in self.targets if t.name not in self.failed]

    def _guard(self, target: TargetStore, step: Callable[[], object]) -> None:
        try:
            step()
        except TargetFailed as error:
            self.failed[target.name] = error.reason

    def scan(self) -> None:
        for target in self.live:
            self._guard(target, target.scan)

    def send(self, source: Source) -> dict[str, object]:
        """Back up one file; returns its manifest entry."""
        try:
            with source.open() as reader:
                name = self.key.name_of(reader)
        except FileNotFoundError:
            raise Conflict(
                f"待备份的文件不存在：{source.path}", f"a file to back up is missing: {source.path}"
            ) from None
        missing = [t for t in self.live if name not in t.present]
        if missing or name not in self.known:
            sealed = self._seal(source, name)
            self.known[name] = self.new[name] = (file_sha256(sealed), sealed.stat().st_size)
            for target in missing:
                self._guard(target, lambda target=target: target.put(sealed, name))
                if target.name not in self.failed:
                    self.written[target.name] = (
                        self.written.get(target.name, 0) + self.known[name][1]
                    )
            sealed.unlink()
        sha, stored = self.known[name]
        return {"path": source.path, "object": name, "sha256": sha, "stored": stored}

    def _seal(self, source: Source, name: str) -> Path:
        """The sealed object in the work folder. Its nonce prefix comes from its name, so the
        same content always seals to the same bytes (and the same digest on every target)."""
        plain = Path(source.location)
        if source.fs is not None:  # a dataset file in object storage: fetch it first
            plain = self.work / "plain"
            source.fs.get_file(source.location, str(plain))
        sealed = self.work / "sealed"
        encrypt_file(plain, sealed, self.key.data_key, prefix=bytes.fromhex(name)[:8])
        if source.fs is not None:
            plain.unlink()
        return sealed

    def finish(self, backup_id: str, manifest: bytes) -> None:
        for target in self.live:
            self._guard(target, lambda target=target: target.put_manifest(backup_id, manifest))
