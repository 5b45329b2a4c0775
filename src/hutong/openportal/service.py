"""Public operations of the open portal (M2018 §26, §34): search with facets, a dataset with
its preview and download figures, downloads, datastore reads. Each authorizes ``portal.read``
(the anonymous public may), resolves the dataset through ``public.py`` and audits — with
the client address — in the caller's transaction; reading the rows happens after it.
"""

from __future__ import annotations

import re
from collections import Counter
from dataclasses import dataclass, field
from datetime import timedelta
from typing import Any

from sqlalchemy import func, select
from sqlalchemy.dialects import postgresql, sqlite
from sqlalchemy.orm import Session

from hutong.audit.service import Category, record
from hutong.core.clock import today_local
from hutong.core.errors import InvalidInput
from hutong.data.access import StoredFiles, open_version
from hutong.data.models import DatasetVersion
from hutong.identity.authz import Actor, Target, authorize
from hutong.identity.models import Unit
from hutong.identity.roles import Action
from hutong.openportal import public
from hutong.openportal.datastore import SearchQueryError
from hutong.openportal.models import DownloadCount
from hutong.openportal.public import FACET_FIELDS, FORMATS, PublicDataset

MAX_ROWS = 1000
FQ_FIELDS = (*FACET_FIELDS, "name", "id")
SORTS = {
    "score": lambda d: 0,
    "metadata_modified": lambda d: d.modified_at,
    "metadata_created": lambda d: d.created_at,
    "name": lambda d: d.name,
    "title_string": lambda d: d.title,
    "title": lambda d: d.title,
}


DEFAULT_SORT = [("score", True), ("metadata_modified", True)]


def target(dataset: PublicDataset) -> Target:
    return Target("dataset", dataset.name, dataset.unit_id)


_FQ_TERM = re.compile(r'\s*(?:(?:AND|\+)\s*)?([A-Za-z_]+):(?:"([^"]*)"|([^\s"()]+))\s*')


def parse_fq(fq: str) -> list[tuple[str, str]]:
    """``field:value`` terms joined by spaces or AND (Solr syntax CKAN passes on); anything
    else is a Search Query Error."""
    text = fq.strip()
    if text in ("", "*:*"):
        return []
    terms, position = [], 0
    while position < len(text):
        match = _FQ_TERM.match(text, position)
        if match is None or match.end() == position:
            raise SearchQueryError("fq 无法解析", "cannot parse fq", field="fq")
        name, quoted, bare = match.groups()
        if name not in FQ_FIELDS:
            raise SearchQueryError(
                f"fq 不支持字段 {name[:32]}", f"fq field not supported: {name[:32]}", field="fq"
            )
        terms.append((name, quoted if quoted is not None else bare))
        position = match.end()
    return terms


def parse_sort(sort: str) -> list[tuple[str, bool]]:
    keys = []
    for part in (sort or "score desc, metadata_modified desc").split(","):
        words = part.split()
        if not words:
            continue
        if (
            words[0] not in SORTS
            or len(words) > 2
            or (len(words) == 2 and words[1] not in ("asc", "desc"))
        ):
            raise SearchQueryError("sort 无法解析", "cannot parse sort", field="sort")
        keys.append((words[0], len(words) == 2 and words[1] == "desc"))
    return keys


@dataclass
class SearchResult:
    count: int
    results: list[PublicDataset]
    facets: dict[str, list[tuple[str, str, int]]] = field(default_factory=dict)  # (value, label, n)


def search(
    session: Session,
    actor: Actor,
    q: str = "",
    fq: str = "",
    filters: list[tuple[str, str]] | None = None,
    sort: str = "",
    rows: int = 10,
    start: int = 0,
    facet_fields: tuple[str, ...] = FACET_FIELDS,
    facet_limit: int = 50,
) -> SearchResult:
    """Public datasets matching ``q`` (CJK bigrams), ``fq`` and ``filters``, with facets."""
    authorize(session, actor, Action.PORTAL_READ)
    if not 0 <= rows <= MAX_ROWS:
        raise InvalidInput(
            f"rows 须在 0–{MAX_ROWS} 之间", f"rows must be 0–{MAX_ROWS}", field="rows"
        )
    if start < 0:
        raise InvalidInput("start 须 ≥ 0", "start must be ≥ 0", field="start")
    unknown = [f for f in facet_fields if f not in FACET_FIELDS]
    if unknown:
        raise InvalidInput("不支持的 facet.field", "facet.field not supported", field="facet.field")
    terms = parse_fq(fq) + list(filters or [])
    keys = parse_sort(sort)
    found = [
        d
        for d in public.matching(session, q)
        if all(value in d.facets[name] for name, value in terms)
    ]
    if keys != DEFAULT_SORT:  # the index is already newest first
        for name, descending in reversed(keys):
            found.sort(key=SORTS[name], reverse=descending)
    names = public.index(session).labels
    facets = {}
    for name in facet_fields:
        counts = Counter(v for d in found for v in d.facets[name])
        top = sorted(counts.items(), key=lambda kv: (-kv[1], kv[0]))[: max(facet_limit, 0)]
        facets[name] = [(v, names[name].get(v, v), n) for v, n in top]
    page = found[start : start + rows]
    record(
        session,
        actor,
        "portal.search",
        category=Category.QUERY,
        target=Target("portal"),
        rows=len(page),
        details={"q": q[:100], "fq": fq[:200]},
    )
    return SearchResult(len(found), page, facets)


def read(session: Session, actor: Actor, name: str, event: str = "portal.read") -> PublicDataset:
    authorize(session, actor, Action.PORTAL_READ)
    dataset = public.dataset(session, name)
    record(session, actor, event, category=Category.QUERY, target=target(dataset), rows=1)
    return dataset


def files_of(session: Session, dataset: PublicDataset) -> StoredFiles:
    """The version's files, after the caller has authorized and audited the read."""
    return open_version(session, session.get(DatasetVersion, dataset.version_id))


def download(
    session: Session, actor: Actor, name: str, fmt: str
) -> tuple[PublicDataset, StoredFiles]:
    """A download of a public dataset: audited as an export with the client address, and
    counted for the dataset's download chart."""
    if fmt not in FORMATS:
        raise InvalidInput(
            "格式须为 csv、xlsx 或 json", "format must be csv, xlsx or json", field="format"
        )
    authorize(session, actor, Action.PORTAL_READ)
    dataset = public.dataset(session, name)
    count_download(session, dataset.id, fmt)
    record(
        session,
        actor,
        "portal.download",
        category=Category.EXPORT,
        target=target(dataset),
        rows=dataset.rows,
        details={"format": fmt, "version": dataset.version},
    )
    return dataset, files_of(session, dataset)


def count_download(session: Session, resource_id: int, fmt: str) -> None:
    """One more download today, as a single upsert (no read-modify-write race)."""
    row = {"resource_id": resource_id, "day": today_local(), "format": fmt, "count": 1}
    table = DownloadCount.__table__
    dialect = session.get_bind().dialect.name
    insert = (postgresql if dialect == "postgresql" else sqlite).insert(table).values(**row)
    session.execute(
        insert.on_conflict_do_update(
            index_elements=["resource_id", "day", "format"],
            set_={"count": table.c.count + 1},
        )
    )


def downloads_by_day(session: Session, resource_id: int, days: int = 90) -> dict[str, Any]:
    """Downloads per day over the last ``days`` days, per format (for the ECharts chart)."""
    since = today_local() - timedelta(days=days - 1)
    rows = session.execute(
        select(DownloadCount.day, DownloadCount.format, func.sum(DownloadCount.count))
        .where(DownloadCount.resource_id == resource_id, DownloadCount.day >= since)
        .group_by(DownloadCount.day, DownloadCount.format)
    ).all()
    by = {(d, f): int(n) for d, f, n in rows}
    axis = [since + timedelta(days=i) for i in range(days)]
    return {
        "days": [d.isoformat() for d in axis],
        "series": {f: [by.get((d, f), 0) for d in axis] for f in FORMATS},
        "total": sum(by.values()),
    }


def total_downloads(session: Session) -> int:
    """Downloads of the datasets public now (a withdrawn one's figures are not shown)."""
    ids = [d.id for d in public.index(session).datasets]
    if not ids:
        return 0
    total = session.scalar(
        select(func.coalesce(func.sum(DownloadCount.count), 0)).where(
            DownloadCount.resource_id.in_(ids)
        )
    )
    return int(total or 0)


def platform_publisher(session: Session) -> tuple[str, str]:
    """(code, name) of the platform's operator: the root of the unit tree."""
    row = session.execute(
        select(Unit.code, Unit.name).where(Unit.parent_id.is_(None)).order_by(Unit.id).limit(1)
    ).first()
    return (row[0], row[1]) if row else ("hutong", "互通")


def dcat_export(
    session: Session, actor: Actor, name: str | None = None
) -> tuple[list[PublicDataset], tuple[str, str]]:
    """The public datasets for a DCAT export (all, or the one named), audited."""
    authorize(session, actor, Action.PORTAL_READ)
    if name is not None:
        datasets = [public.dataset(session, name)]
        where = target(datasets[0])
    else:
        datasets = list(public.index(session).datasets)
        where = Target("catalog", "dcat")
    record(session, actor, "portal.dcat", category=Category.QUERY, target=where, rows=len(datasets))
    return datasets, platform_publisher(session)
