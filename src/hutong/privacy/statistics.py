"""Statistical release of a dataset version (the service around ``release.aggregate``): the
provider's steward asks for an aggregate table; the read is authorized and audited in one
transaction, the table computed in DuckDB after it (``data.access.open_version``)."""

from __future__ import annotations

from sqlalchemy import select

from hutong.audit.service import Category, record
from hutong.catalog.service import by_code, target
from hutong.core.db import Database
from hutong.core.errors import Conflict, NotFound
from hutong.data.access import open_version
from hutong.data.engine import opened
from hutong.data.models import DatasetVersion
from hutong.identity.authz import Actor, authorize
from hutong.identity.roles import Action
from hutong.privacy import release
from hutong.privacy.schemas import ReleaseIn


def release_table(db: Database, actor: Actor, data: ReleaseIn) -> release.ReleaseTable:
    with db.transaction() as session:
        resource = by_code(session, data.resource_code)
        authorize(session, actor, Action.PRIVACY_RELEASE, target(resource))
        query = select(DatasetVersion).where(DatasetVersion.resource_id == resource.id)
        if data.version is not None:
            query = query.where(DatasetVersion.version == data.version)
        version = session.scalar(query.order_by(DatasetVersion.version.desc()).limit(1))
        if version is None:
            if data.version is not None:
                raise NotFound("数据版本不存在", "unknown dataset version", field="version")
            raise Conflict("该信息资源尚无数据", "the entry has no data yet", field="resource_code")
        files = open_version(session, version)
        record(
            session,
            actor,
            "privacy.release",
            category=Category.QUERY,
            target=target(resource),
            rows=version.rows,
            details={"version": version.version, "by": data.by, "epsilon": data.epsilon},
        )
    connection = opened(files)
    try:
        return release.aggregate(
            connection,
            "dataset",
            data.by,
            sum_column=data.sum,
            threshold=data.threshold,
            epsilon=data.epsilon,
            sum_bounds=data.sum_bounds,
            confidence=data.confidence,
        )
    finally:
        connection.close()
