"""/console/catalog: the catalog searched with facets, in three views (published, my unit's, awaiting review)."""

from __future__ import annotations

from urllib.parse import urlencode

from fastapi import Depends, Request
from fastapi.responses import Response

from hutong.catalog import revisions, search
from hutong.catalog.vocab import (
    Status,
)
from hutong.core import paging
from hutong.core.db import Database
from hutong.core.paging import Page
from hutong.identity.authz import is_allowed
from hutong.identity.roles import Action, Role
from hutong.web.console.base import console_router, page, staff
from hutong.web.console.catalog.common import (
    entry_url,
    labels,
    own,
)
from hutong.web.deps import ConsoleIdentity, database

router = console_router()

PAGE_SIZE = 20


FACET_TITLES = {  # msgids, translated in the template
    "unit": "Provider unit",
    "classification": "Classification",
    "share_type": "Sharing",
    "open_type": "Disclosure",
    "grade": "Grade",
    "format": "Format",
    "update_cycle": "Update cycle",
    "has_pi": "Personal information",
    "status": "Status",
}
VIEWS = [
    ("published", "Published catalog"),
    ("mine", "All of my unit"),
    ("review", "Awaiting review"),
]


@router.get("/console/catalog")
def catalog_page(
    request: Request,
    identity: ConsoleIdentity = Depends(staff),
    db: Database = Depends(database),
) -> Response:
    params = request.query_params
    q = params.get("q", "").strip()
    view = params.get("view", "published")
    statuses = {
        "published": (Status.PUBLISHED.value,),
        "mine": tuple(s.value for s in Status),
        "review": (Status.SUBMITTED.value,),
    }.get(view, (Status.PUBLISHED.value,))
    filters = {k: params[k] for k in search.FACETS if params.get(k) and k != "status"}
    number = paging.number(params.get("page", 1), PAGE_SIZE)
    with db.transaction() as session:
        if view == "mine":
            filters["unit"] = str(identity.actor.unit_id)
        result = search.search(
            session,
            identity.actor,
            search.Query(q, filters, statuses, paging.offset(number, PAGE_SIZE), PAGE_SIZE),
        )
        rows = [
            {
                "code": r.code,
                "url": entry_url(r.code),
                "name": r.name,
                "unit": r.provider_unit.name,
                "share_type": r.share_type,
                "open_type": r.open_type,
                "grade": r.grade,
                "status": r.status,
                "updated": r.updated_at.strftime("%Y-%m-%d"),
            }
            for r in result.resources
        ]
        queue = [
            {
                "url": entry_url(r.code, "#revision"),
                "name": r.name,
                "unit": r.provider_unit.name,
                "revision": rev,
            }
            for r, rev in (revisions.queue(session, identity.actor) if view == "review" else [])
        ]
    listed = Page(rows, result.total, number, PAGE_SIZE)
    base = {k: v for k, v in params.items() if k != "page"}

    def link(**changes: str | None) -> str:
        merged = {**base, **changes}
        return "/console/catalog?" + urlencode({k: v for k, v in merged.items() if v})

    facets = [
        {
            "name": name,
            "title": FACET_TITLES[name],
            "active": params.get(name),
            "clear_url": link(**{name: None}),
            "values": [
                {
                    "label": label,
                    "count": n,
                    "url": link(**{name: value}),
                    "selected": params.get(name) == value,
                }
                for value, label, n in values
            ],
        }
        for name, values in result.facets.items()
        if name != "status" and values
    ]
    return page(
        request,
        identity,
        "console/catalog/list.html",
        {
            "q": q,
            "view": view,
            "rows": rows,
            "total": result.total,
            "facets": facets,
            "labels": labels(),
            **listed.links(lambda at: link(page=str(at))),
            "views": VIEWS,
            "queue": queue,
            "can_create": is_allowed(identity.actor, Action.CATALOG_EDIT, own(identity)),
            "can_review": Role.CATALOG_REVIEWER in identity.actor.roles,
            "view_link": lambda v: link(view=v, unit=None),
        },
    )
