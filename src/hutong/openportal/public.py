"""What the public may see: the one definition of a public dataset, held as an in-memory index.

A dataset is public when its catalog entry is published, 主动公开 (M2018 §24), and one of its
versions has passed the release gate and not been withdrawn (``Release.state == "public"``).
Every public route — pages, CKAN API, datastore, DCAT, downloads — reads through this module,
so a withdrawn or non-public dataset is invisible everywhere at once, counts and facets
included.

The index is rebuilt when the catalog's generation moves (``catalog/facet_index.py``); every
release transition bumps it in its own transaction, so cached search results never outlive a
change.
"""

from __future__ import annotations

from dataclasses import dataclass, field, replace
from datetime import datetime

import numpy as np
from sqlalchemy import select
from sqlalchemy.orm import Session

from hutong.catalog.facet_index import per_generation
from hutong.catalog.models import Classification, Resource
from hutong.catalog.search import _matching_ids
from hutong.catalog.tokens import query_terms
from hutong.catalog.vocab import DataKind, OpenType, ResourceFormat, Status, UpdateCycle
from hutong.core.clock import as_utc
from hutong.core.errors import NotFound
from hutong.data.models import DatasetVersion
from hutong.identity.models import Unit
from hutong.openportal.models import Release

PUBLIC = "public"
#: Download formats of every public dataset.
FORMATS = ("csv", "xlsx", "json")
#: Facet fields: CKAN's names plus Hutong's own (catalog format, update cycle, classification).
FACET_FIELDS = (
    "organization",
    "groups",
    "tags",
    "res_format",
    "format",
    "update_cycle",
    "classification",
)


def dataset_name(code: str) -> str:
    """The URL-safe public name of an entry: ``30101/000001`` → ``30101-000001``."""
    return code.replace("/", "-")


def org_name(unit_code: str) -> str:
    return unit_code.lower()


@dataclass(frozen=True)
class PublicDataset:
    id: int
    code: str
    name: str
    title: str
    summary: str
    unit_id: int
    unit_code: str
    unit_name: str
    classification_code: str
    classification_name: str
    group: tuple[str, str]  # (code, name) of the top-level class (类)
    tags: tuple[str, ...]
    format: str
    update_cycle: str
    data_kind: str
    created_at: datetime
    modified_at: datetime
    published_at: datetime
    version: int
    version_id: int
    rows: int
    columns: tuple[dict[str, str], ...]
    quality_score: float
    quality: dict[str, object] = field(compare=False, hash=False)
    items: tuple[dict[str, object], ...] = ()
    usage_requirements: str = ""
    open_conditions: str = ""
    release_date: str | None = None
    #: Values per facet / ``fq`` field (``values``), computed once with the index.
    facets: dict[str, tuple[str, ...]] = field(default_factory=dict, compare=False, hash=False)

    @property
    def resource_ids(self) -> dict[str, str]:
        """CKAN resource ids of the version, one per download format."""
        return {fmt: f"{self.name}-v{self.version}-{fmt}" for fmt in FORMATS}

    @property
    def format_label(self) -> str:
        return ResourceFormat(self.format).zh

    @property
    def cycle_label(self) -> str:
        return UpdateCycle(self.update_cycle).zh


@dataclass(frozen=True)
class Index:
    generation: int
    datasets: tuple[PublicDataset, ...]  # newest published first
    by_name: dict[str, PublicDataset]
    ids: np.ndarray  # resource ids, sorted, with ``order`` mapping to datasets
    order: np.ndarray
    labels: dict[str, dict[str, str]] = field(default_factory=dict)  # facet → value → label


_cache: dict[str, Index] = {}


def index(session: Session) -> Index:
    """The public index of this database, rebuilt when the catalog generation has moved."""
    return per_generation(session, _cache, _load)


def _classification_paths(session: Session) -> dict[int, list[tuple[str, str]]]:
    rows = session.execute(
        select(
            Classification.id, Classification.code, Classification.name, Classification.parent_id
        )
    ).all()
    by_id = {r.id: r for r in rows}
    paths = {}
    for row in rows:
        path, node = [], row
        while node is not None:
            path.append((node.code, node.name))
            node = by_id.get(node.parent_id) if node.parent_id else None
        paths[row.id] = path[::-1]
    return paths


def _load(session: Session, current: int) -> Index:
    stmt = (
        select(Resource, Release, DatasetVersion, Unit)
        .join(Release, Release.resource_id == Resource.id)
        .join(DatasetVersion, DatasetVersion.id == Release.version_id)
        .join(Unit, Unit.id == Resource.provider_unit_id)
        .where(
            Release.state == PUBLIC,
            Resource.status == Status.PUBLISHED.value,
            Resource.open_type == OpenType.PROACTIVE.value,
        )
    )
    paths = _classification_paths(session)
    datasets = []
    for resource, release, version, unit in session.execute(stmt).all():
        path = paths.get(resource.classification_id, [("", "")])
        kind = DataKind(resource.data_kind).zh
        datasets.append(
            PublicDataset(
                id=resource.id,
                code=resource.code,
                name=dataset_name(resource.code),
                title=resource.name,
                summary=resource.summary,
                unit_id=unit.id,
                unit_code=unit.code,
                unit_name=unit.name,
                classification_code=path[-1][0],
                classification_name=path[-1][1],
                group=path[0],
                tags=tuple(dict.fromkeys([*(name for _c, name in path), kind])),
                format=resource.format,
                update_cycle=resource.update_cycle,
                data_kind=resource.data_kind,
                created_at=as_utc(resource.created_at),
                modified_at=as_utc(release.published_at or resource.updated_at),
                published_at=as_utc(release.published_at or release.requested_at),
                version=release.version,
                version_id=version.id,
                rows=int(version.rows),
                columns=tuple(version.columns),
                quality_score=float(version.quality_score),
                quality=dict(version.quality),
                items=tuple(
                    {
                        "name": i.name,
                        "data_type": i.data_type,
                        "length": i.length,
                        "description": i.description,
                        "element_ref": i.element_ref,
                    }
                    for i in resource.items
                ),
                usage_requirements=resource.usage_requirements,
                open_conditions=resource.open_conditions,
                release_date=resource.release_date.isoformat() if resource.release_date else None,
            )
        )
    datasets = [replace(d, facets={k: tuple(v) for k, v in values(d).items()}) for d in datasets]
    datasets.sort(key=lambda d: (d.modified_at, d.id), reverse=True)
    ids = np.array([d.id for d in datasets], dtype=np.int64)
    order = np.argsort(ids, kind="stable")
    return Index(
        current,
        tuple(datasets),
        {d.name: d for d in datasets},
        ids[order],
        order,
        labels(datasets),
    )


def values(d: PublicDataset) -> dict[str, list[str]]:
    """The values a dataset has for each facet / ``fq`` field."""
    return {
        "organization": [org_name(d.unit_code)],
        "groups": [f"class-{d.group[0]}"],
        "classification": [d.classification_code],
        "tags": list(d.tags),
        "res_format": [f.upper() for f in FORMATS],
        "format": [d.format],
        "update_cycle": [d.update_cycle],
        "name": [d.name],
        "id": [d.name],
    }


def labels(datasets: list[PublicDataset]) -> dict[str, dict[str, str]]:
    out: dict[str, dict[str, str]] = {name: {} for name in FACET_FIELDS}
    for d in datasets:
        out["organization"][org_name(d.unit_code)] = d.unit_name
        out["groups"][f"class-{d.group[0]}"] = d.group[1]
        out["classification"][d.classification_code] = d.classification_name
    out["format"] = {m.value: m.zh for m in ResourceFormat}
    out["update_cycle"] = {m.value: m.zh for m in UpdateCycle}
    return out


def dataset(session: Session, name: str) -> PublicDataset:
    """A public dataset by name (or code); anything else is simply not found."""
    found = index(session).by_name.get(dataset_name(name))
    if found is None:
        raise NotFound("数据集不存在或未公开", "no such public dataset", field="name")
    return found


def by_resource_id(session: Session, resource_id: str) -> tuple[PublicDataset, str]:
    """(dataset, format) of a CKAN resource id ``<name>-v<n>-<fmt>``."""
    head, _, fmt = resource_id.rpartition("-")
    name, _, version = head.rpartition("-v")
    found = index(session).by_name.get(name)
    if found is None or fmt not in FORMATS or version != str(found.version):
        raise NotFound("资源不存在或未公开", "no such public resource", field="resource_id")
    return found, fmt


def matching(session: Session, q: str) -> list[PublicDataset]:
    """Public datasets matching a full-text query (every CJK bigram), newest first."""
    idx = index(session)
    if not query_terms(q):
        return list(idx.datasets)
    hits = _matching_ids(session, q)
    mask = np.zeros(len(idx.datasets), dtype=bool)
    if len(idx.ids) and len(hits):
        where = np.searchsorted(idx.ids, hits).clip(max=len(idx.ids) - 1)
        found = idx.ids[where] == hits
        mask[idx.order[where[found]]] = True
    return [d for d, keep in zip(idx.datasets, mask, strict=True) if keep]


@dataclass(frozen=True)
class Organisation:
    id: int
    code: str
    name: str
    title: str
    count: int


def organisations(session: Session) -> list[Organisation]:
    """Units with at least one public dataset (an organisation with none is not shown)."""
    counts: dict[int, list] = {}
    for d in index(session).datasets:
        entry = counts.setdefault(d.unit_id, [d.unit_code, d.unit_name, 0])
        entry[2] += 1
    return sorted(
        (
            Organisation(uid, code, org_name(code), title, n)
            for uid, (code, title, n) in counts.items()
        ),
        key=lambda o: o.name,
    )


def organisation(session: Session, name: str) -> Organisation:
    for org in organisations(session):
        if org.name == name.lower() or org.code == name:
            return org
    raise NotFound("机构不存在或没有公开数据", "no such organisation", field="id")
