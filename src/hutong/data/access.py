"""What a query needs to read one dataset version: its files and, when sealed, its key.

Resolved inside a transaction (``open_version``), then handed to an engine that streams the
rows after the transaction has ended, so a long download never holds the database."""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

from sqlalchemy.orm import Session

from hutong.data.crypto import SUFFIX, DataKey
from hutong.data.keys import key_of
from hutong.data.models import DatasetVersion
from hutong.data.store import LocalStore


@dataclass(frozen=True)
class StoredFiles:
    """The Parquet files of one version; ``key`` opens them when they are sealed."""

    paths: list[Path]
    key: DataKey | None = None


def store_for(session: Session) -> LocalStore:
    return LocalStore(session.info["settings"].datasets_dir)


def open_version(session: Session, version: DatasetVersion) -> StoredFiles:
    """The files of ``version``; the caller has authorized and audited the read. A version
    whose key was destroyed cannot be opened (``Conflict``)."""
    folder = store_for(session).path(version.location)
    key = key_of(session, version)
    pattern = "part-*.parquet" + (SUFFIX if key else "")
    return StoredFiles(sorted(folder.glob(pattern)), key)
