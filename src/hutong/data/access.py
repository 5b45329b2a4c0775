"""What a query needs to read one dataset version: its files, the file system they are in and,
when sealed, their key.

Resolved inside a transaction (``open_version``), then handed to an engine that streams the
rows after the transaction has ended, so a long download never holds the database."""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

from fsspec.spec import AbstractFileSystem
from sqlalchemy.orm import Session

from hutong.data.crypto import SUFFIX, DataKey
from hutong.data.keys import key_of
from hutong.data.models import DatasetVersion
from hutong.data.store import DatasetStore


@dataclass(frozen=True)
class StoredFiles:
    """The Parquet files of one version. ``filesystem`` is None for local files (DuckDB reads
    them directly); ``key`` opens them when they are sealed."""

    paths: list[str | Path]
    key: DataKey | None = None
    filesystem: AbstractFileSystem | None = None


def store_for(session: Session) -> DatasetStore:
    settings = session.info["settings"]
    return DatasetStore(settings.dataset_store, settings.datasets_dir)


def open_version(session: Session, version: DatasetVersion) -> StoredFiles:
    """The files of ``version``; the caller has authorized and audited the read. A version
    whose key was destroyed cannot be opened (``Conflict``)."""
    store = store_for(session)
    key = key_of(session, version)
    paths = store.files(version.location, "part-*.parquet" + (SUFFIX if key else ""))
    return StoredFiles(list(paths), key, None if store.local else store.fs)
