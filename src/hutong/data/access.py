"""What a query needs to read one dataset version: its files and, when encrypted, its key.

Resolved inside a transaction (``open_version``), then handed to an engine that streams the
rows after the transaction has ended, so a long download never holds the database."""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

from sqlalchemy.orm import Session

from hutong.data.models import DatasetVersion
from hutong.data.store import LocalStore


@dataclass(frozen=True)
class StoredFiles:
    """The Parquet files of one version."""

    paths: list[Path]


def store_for(session: Session) -> LocalStore:
    return LocalStore(session.info["settings"].datasets_dir)


def open_version(session: Session, version: DatasetVersion) -> StoredFiles:
    """The files of ``version``; the caller has authorized and audited the read."""
    folder = store_for(session).path(version.location)
    return StoredFiles(sorted(folder.glob("part-*.parquet")))
