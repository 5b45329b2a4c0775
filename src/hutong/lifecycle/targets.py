"""Backup targets: named fsspec locations (a local folder, an S3-compatible bucket …).

A target holds ``objects/<ab>/<name>`` — sealed objects named by the keyed hash of their
content, written once and referenced by every later backup — and ``backups/<id>.json``, the
signed manifests. Whatever goes wrong on one target (unreachable, full, refused) is caught
here and reported as that target's failure, so a backup goes on to the others.
"""

from __future__ import annotations

import hashlib
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path
from typing import TypeVar

import fsspec
from fsspec.spec import AbstractFileSystem

from hutong.core.errors import InvalidInput, NotFound
from hutong.core.settings import Settings

BLOCK = 1 << 20
T = TypeVar("T")


class TargetFailed(Exception):
    """One target could not do its part; ``reason`` is safe to show (no personal data)."""

    def __init__(self, name: str, reason: str) -> None:
        super().__init__(f"{name}: {reason}")
        self.name, self.reason = name, reason


@dataclass
class TargetStore:
    name: str
    url: str
    options: dict[str, object] = field(default_factory=dict)
    present: set[str] = field(default_factory=set)
    fs: AbstractFileSystem = field(init=False, repr=False)
    root: str = field(init=False, default="")

    def _call(self, what: str, work: Callable[[], T]) -> T:
        """Run one file-system step; any failure of the backend, opening it included, becomes
        ``TargetFailed``. The backends raise their own types (OSError, ImportError, botocore
        and aiohttp errors …), hence the broad catch, narrowed to this one target."""
        try:
            if not self.root:
                self.fs, root = fsspec.core.url_to_fs(self.url, **self.options)
                self.root = root.rstrip("/") or "/"
            return work()
        except Exception as error:
            raise TargetFailed(
                self.name, f"{what}: {type(error).__name__}: {error}"[:500]
            ) from error

    def object_path(self, name: str) -> str:
        return f"{self.root}/objects/{name[:2]}/{name}"

    def manifest_path(self, backup_id: str) -> str:
        return f"{self.root}/backups/{backup_id}.json"

    def scan(self) -> None:
        """Learn which objects the target already holds (one listing, not one request each)."""

        def listing() -> set[str]:
            self.fs.invalidate_cache()  # another host may have changed the target since
            self.fs.makedirs(f"{self.root}/objects", exist_ok=True)
            return {path.rsplit("/", 1)[-1] for path in self.fs.find(f"{self.root}/objects")}

        self.present = self._call("列出对象", listing)

    def put(self, local: Path, name: str) -> None:
        def write() -> None:
            path = self.object_path(name)
            self.fs.makedirs(path.rsplit("/", 1)[0], exist_ok=True)
            self.fs.put_file(str(local), path)

        self._call("写入对象", write)
        self.present.add(name)

    def put_manifest(self, backup_id: str, body: bytes) -> None:
        def write() -> None:
            self.fs.makedirs(f"{self.root}/backups", exist_ok=True)
            self.fs.pipe_file(self.manifest_path(backup_id), body)

        self._call("写入清单", write)

    def manifest(self, backup_id: str) -> bytes:
        return self._call("读取清单", lambda: self.fs.cat_file(self.manifest_path(backup_id)))

    def manifests(self) -> list[bytes]:
        """Every manifest file on the target (not yet verified), to choose what to restore."""

        def read_all() -> list[bytes]:
            paths = self.fs.glob(f"{self.root}/backups/*.json")
            return list(self.fs.cat(paths).values()) if paths else []

        return self._call("读取清单", read_all)

    def digest(self, name: str) -> str:
        """SHA-256 of the stored object, read back in full from the target."""

        def read() -> str:
            digest = hashlib.sha256()
            with self.fs.open(self.object_path(name), "rb") as handle:
                while block := handle.read(BLOCK):
                    digest.update(block)
            return digest.hexdigest()

        return self._call("读取对象", read)

    def fetch(self, name: str, local: Path) -> str:
        """Copy a stored object to a local file; returns the SHA-256 of what was read."""

        def copy() -> str:
            digest = hashlib.sha256()
            with self.fs.open(self.object_path(name), "rb") as handle, local.open("wb") as out:
                while block := handle.read(BLOCK):
                    digest.update(block)
                    out.write(block)
            return digest.hexdigest()

        return self._call("读取对象", copy)


def open_target(settings: Settings, name: str) -> TargetStore:
    configured = settings.backup_targets.get(name)
    if configured is None:
        raise NotFound(
            f"未配置备份目标「{name}」", f"no backup target named {name}", field="target"
        )
    return TargetStore(name, configured.url, dict(configured.options))


def chosen(settings: Settings, names: list[str] | None) -> list[TargetStore]:
    """The targets of one backup: those named, or all configured; at least the minimum."""
    names = list(dict.fromkeys(names)) if names else sorted(settings.backup_targets)
    unknown = [n for n in names if n not in settings.backup_targets]
    if unknown:
        raise InvalidInput(
            f"未配置的备份目标：{'、'.join(unknown)}", "unknown backup target", field="to"
        )
    if len(names) < settings.backup_min_targets:
        raise InvalidInput(
            f"备份须送往至少 {settings.backup_min_targets} 个不同地点的目标（M2018 第十三条）",
            f"a backup goes to at least {settings.backup_min_targets} targets",
            field="to",
        )
    return [open_target(settings, n) for n in names]
