"""/console/catalog/tree: the catalog as a tree of classifications."""

from __future__ import annotations

from fastapi import Depends, Request
from fastapi.responses import Response

from hutong.catalog import aggregate
from hutong.core.db import Database
from hutong.web.console.base import console_router, page, staff
from hutong.web.deps import ConsoleIdentity, database

router = console_router()


@router.get("/console/catalog/tree")
def tree_page(
    request: Request,
    by: str = "unit",
    identity: ConsoleIdentity = Depends(staff),
    db: Database = Depends(database),
) -> Response:
    by = "classification" if by == "classification" else "unit"
    with db.transaction() as session:
        roots = aggregate.tree(session, identity.actor, by)
    top = sorted(
        (n for r in roots for n in ([r] if not r.children else r.children)), key=lambda n: -n.total
    )[:15]
    return page(
        request,
        identity,
        "console/catalog/tree.html",
        {
            "by": by,
            "roots": roots,
            "total": sum(r.total for r in roots),
            "chart": {"names": [n.name for n in top][::-1], "counts": [n.total for n in top][::-1]},
        },
    )
