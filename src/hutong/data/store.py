"""Where dataset versions live: ``<root>/<resource id>/v<N>/``, the root a local folder
(``<data dir>/datasets``, the default) or any fsspec file system such as S3-compatible object
storage (setting ``dataset_store``, e.g. ``s3://bucket/hutong`` with the ``s3`` extra).

A version is written into a local staging folder first. Locally it is renamed into place in
one step; on object storage it is uploaded under its final prefix. Either way readers find a
version only through its database row, committed after the files are complete, so a failed or
killed ingest never leaves a partial version where readers look."""

from __future__ import annotations

import shutil
import uuid
from collections.abc import Iterator
from pathlib import Path

import fsspec
from fsspec.implementations.local import LocalFileSystem

from hutong.data.crypto import CHUNK, DataKey, decrypted_chunks


class DatasetStore:
    def __init__(self, root: str, staging_root: Path) -> None:
        self.fs, self.root = fsspec.core.url_to_fs(root or str(staging_root))
        self.local = isinstance(self.fs, LocalFileSystem)
        self.staging_root = staging_root

    def staging(self, resource_id: int) -> Path:
        folder = self.staging_root / str(resource_id) / f".staging-{uuid.uuid4().hex}"
        folder.mkdir(parents=True)
        return folder

    def publish(self, staging: Path, resource_id: int, version: int) -> str:
        """Rename a complete local staging folder into place (inside the transaction that
        numbers the version); returns its location under the root."""
        location = f"{resource_id}/v{version}"
        final = Path(self.root) / location
        if final.exists():  # left by a run whose database commit failed afterwards
            shutil.rmtree(final)
        staging.rename(final)
        return location

    def upload(self, staging: Path, resource_id: int) -> str:
        """Copy a complete staging folder to object storage under a prefix of its own, before
        the transaction (uploads are slow); returns its location under the root."""
        location = f"{resource_id}/{staging.name.removeprefix('.staging-')}"
        self.fs.put(f"{staging}/", f"{self.root}/{location}", recursive=True)
        shutil.rmtree(staging)
        return location

    def files(self, location: str, pattern: str) -> list[str]:
        """Paths (in this store's file system) of a version's files matching ``pattern``."""
        return sorted(self.fs.glob(f"{self.root}/{location}/{pattern}"))

    def exists(self, location: str, name: str) -> bool:
        return self.fs.exists(f"{self.root}/{location}/{name}")

    def chunks(self, location: str, name: str, key: DataKey | None) -> Iterator[bytes]:
        """The clear bytes of one file in pieces (decrypted in memory when ``key`` is given)."""
        path = f"{self.root}/{location}/{name}"
        if key is not None:
            yield from decrypted_chunks(self.fs, path, key)
            return
        with self.fs.open(path, "rb") as handle:
            while piece := handle.read(CHUNK):
                yield piece

    def discard(self, staging: Path, uploaded: str | None = None) -> None:
        """Remove what a failed ingest left: its staging folder and any upload."""
        shutil.rmtree(staging, ignore_errors=True)
        if uploaded:
            self.fs.rm(f"{self.root}/{uploaded}", recursive=True)
