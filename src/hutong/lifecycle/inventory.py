"""What a backup holds besides the database: every file the snapshot refers to.

Dataset version files are listed from the versions *in the snapshot*, wherever the dataset
store is (local or object storage); versions published later are not in it and not needed.
The other file stores are folders of the data directory whose files are written before the
transaction that refers to them commits and never change afterwards, so listing them after the
snapshot finds every file it refers to (a newer, unreferenced file is harmless). ``keys/`` is
never listed: keys travel apart, in the escrow file (decision 0015).
"""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import BinaryIO

from fsspec.spec import AbstractFileSystem

from hutong.core.settings import Settings
from hutong.data.store import DatasetStore

#: Folders of the data directory that hold files the database refers to: exchange document
#: scans, the consent ledger, research extracts, purged audit archives with their signed
#: manifests. A domain that keeps files elsewhere adds its folder here.
FILE_TREES = ("exchange/documents", "privacy/consents", "privacy/extracts", "audit-archive")
DATASETS = "datasets"


@dataclass(frozen=True)
class Source:
    """One file to back up: its path inside a restored data directory, and where it is now."""

    path: str
    fs: AbstractFileSystem | None  # None: a local file
    location: str

    def open(self) -> BinaryIO:
        if self.fs is None:
            return Path(self.location).open("rb")
        return self.fs.open(self.location, "rb")


def dataset_files(settings: Settings, versions: list[dict[str, object]]) -> Iterator[Source]:
    store = DatasetStore(settings.dataset_store, settings.datasets_dir)
    for version in versions:
        folder = f"{store.root}/{version['location']}"
        for found in sorted(store.fs.find(folder)):
            relative = found[len(folder) :].lstrip("/")
            path = f"{DATASETS}/{version['location']}/{relative}"
            yield Source(path, None if store.local else store.fs, found)


def tree_files(data_dir: Path) -> Iterator[Source]:
    for tree in FILE_TREES:
        for found in sorted((data_dir / tree).rglob("*")):
            if found.is_file():
                yield Source(found.relative_to(data_dir).as_posix(), None, str(found))


def sources(settings: Settings, versions: list[dict[str, object]]) -> list[Source]:
    return [*dataset_files(settings, versions), *tree_files(settings.data_dir)]
