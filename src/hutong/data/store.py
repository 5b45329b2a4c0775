"""Where dataset versions live: ``<data dir>/datasets/<resource id>/v<N>/`` (local files).

A version is written into a staging folder first and renamed into place in one step, so a
failed or killed ingest never leaves a partial version where readers look."""

from __future__ import annotations

import shutil
import uuid
from pathlib import Path


class LocalStore:
    def __init__(self, root: Path) -> None:
        self.root = root

    def staging(self, resource_id: int) -> Path:
        folder = self.root / str(resource_id) / f".staging-{uuid.uuid4().hex}"
        folder.mkdir(parents=True)
        return folder

    def publish(self, staging: Path, resource_id: int, version: int) -> str:
        """Move a complete staging folder into place; returns its location under the root."""
        final = self.root / str(resource_id) / f"v{version}"
        if final.exists():  # left by a run whose database commit failed after the rename
            shutil.rmtree(final)
        staging.rename(final)
        return str(final.relative_to(self.root))

    def path(self, location: str) -> Path:
        return self.root / location

    def discard(self, staging: Path) -> None:
        shutil.rmtree(staging, ignore_errors=True)
