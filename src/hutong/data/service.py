"""Reading dataset versions: the list with quality and detection, and the rejects file."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

from sqlalchemy import select
from sqlalchemy.orm import Session

from hutong.audit.service import Category, record
from hutong.catalog.service import read, target
from hutong.core.errors import NotFound
from hutong.data.access import open_version, store_for
from hutong.data.crypto import CHUNK, SUFFIX, decrypted_chunks
from hutong.data.ingest import REJECTS
from hutong.data.models import DatasetVersion
from hutong.identity.authz import Actor, authorize
from hutong.identity.roles import Action


def versions(session: Session, actor: Actor, code: str) -> list[DatasetVersion]:
    """Every version of an entry's dataset, newest first (metadata only, no data)."""
    resource = read(session, actor, code)
    rows = list(
        session.scalars(
            select(DatasetVersion)
            .where(DatasetVersion.resource_id == resource.id)
            .order_by(DatasetVersion.version.desc())
        )
    )
    record(
        session,
        actor,
        "data.versions",
        category=Category.QUERY,
        target=target(resource),
        rows=len(rows),
    )
    return rows


def rejects_file(session: Session, actor: Actor, code: str, version: int) -> Iterator[bytes]:
    """The quarantined rows of a version as CSV bytes, decrypted in memory when sealed; they
    hold the unit's own data, so only its steward may have them."""
    resource = read(session, actor, code)
    authorize(session, actor, Action.DATA_READ, target(resource))
    row = session.scalar(
        select(DatasetVersion).where(
            DatasetVersion.resource_id == resource.id, DatasetVersion.version == version
        )
    )
    files = open_version(session, row) if row else None
    folder = store_for(session).path(row.location) if row else None
    path = folder / (REJECTS + (SUFFIX if files and files.key else "")) if folder else None
    if path is None or not path.exists():
        raise NotFound("该版本没有被隔离的行", "this version has no rejected rows", field="version")
    record(
        session,
        actor,
        "data.rejects",
        category=Category.EXPORT,
        target=target(resource),
        rows=row.rejected,
        details={"version": version},
    )
    return decrypted_chunks(path, files.key) if files.key else _chunks(path)


def _chunks(path: Path) -> Iterator[bytes]:
    with path.open("rb") as handle:
        while piece := handle.read(CHUNK):
            yield piece
