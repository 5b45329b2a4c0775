"""Reading dataset versions: the list with quality and detection, the ingest summary, and the
rejects file."""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass

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
from hutong.data.quality import reasons_zh
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


@dataclass
class IngestSummary:
    """What a steward reads after an ingest: rows imported, rows set aside and why."""

    version: int
    imported: int
    set_aside: int
    reasons: list[dict[str, object]]  # every failed check, the most frequent first

    @property
    def zh(self) -> str:
        head = f"第 {self.version} 版导入 {self.imported:,} 行"
        if not self.set_aside:
            return head + "，全部通过校验"
        return f"{head}，隔离 {self.set_aside:,} 行。主要原因：{reasons_zh(self.reasons)}"


def summary(version: DatasetVersion) -> IngestSummary:
    """The summary of a version from its stored quality report (older reports list no reasons)."""
    reasons = list(version.quality.get("reasons", []))  # type: ignore[call-overload]
    return IngestSummary(version.version, version.rows, version.rejected, reasons)


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
