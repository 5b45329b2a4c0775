"""Reading dataset versions: the list with quality and detection, and the rejects file."""

from __future__ import annotations

from collections.abc import Iterator

from sqlalchemy import select
from sqlalchemy.orm import Session

from hutong.audit.service import Category, record
from hutong.catalog.service import read, target
from hutong.core.errors import NotFound
from hutong.data.access import store_for
from hutong.data.crypto import SUFFIX
from hutong.data.ingest import REJECTS
from hutong.data.keys import key_of
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
    store = store_for(session)
    key = key_of(session, row) if row else None
    name = REJECTS + (SUFFIX if key else "")
    if row is None or not store.exists(row.location, name):
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
    return store.chunks(row.location, name, key)
