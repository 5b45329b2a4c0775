"""/console/catalog/r/{code}/datasets: uploading a dataset version, mapping its columns to the
entry's items, and ingesting it."""

from __future__ import annotations

from typing import Annotated

from fastapi import Depends, File, Form, Request, UploadFile
from fastapi.responses import Response

from hutong.catalog import service
from hutong.core.db import Database
from hutong.core.errors import HutongError
from hutong.data import mapping
from hutong.data.ingest import format_of, ingest_file
from hutong.data.mapping import read_header
from hutong.web.console.base import (
    check_csrf,
    checked_form,
    console_router,
    done,
    fails_again,
    fails_back_to,
    page,
    redirect,
    staff,
)
from hutong.web.console.catalog.common import (
    entry_url,
)
from hutong.web.deps import ConsoleIdentity, database
from hutong.web.uploads import Pending, discard, keep, pending

router = console_router()


@router.post("/console/catalog/r/{code:code}/datasets")
def upload_dataset(
    request: Request,
    code: str,
    file: Annotated[UploadFile, File()],
    csrf_token: Annotated[str, Form()],
    on_invalid: Annotated[str, Form()] = "reject",
    identity: ConsoleIdentity = Depends(staff),
    db: Database = Depends(database),
) -> Response:
    """Step 1 of an upload from the entry page (htmx shows its progress): keep the file and
    go on to its column mapping; errors come back in Chinese on the entry page."""
    check_csrf(identity, csrf_token)
    fails_back_to(request, entry_url(code, "#datasets"))
    kept = keep(file, db.settings.data_dir, code, identity.actor.id, on_invalid)
    try:
        read_header(kept.path, format_of(kept.filename))
    except HutongError:
        discard(kept)  # an unreadable file is not kept for a mapping that cannot come
        raise
    return redirect(request, entry_url(code, f"/datasets/map/{kept.token}"))


def mapping_page(
    request: Request,
    identity: ConsoleIdentity,
    db: Database,
    kept: Pending,
    chosen: dict[str, str] | None,
    on_invalid: str,
    error: HutongError | None = None,
) -> Response:
    header = read_header(kept.path, format_of(kept.filename))
    with db.transaction() as session:
        resource = service.read(session, identity.actor, kept.code)
        proposed = mapping.proposal(session, identity.actor, resource, header)
        items = [i.name for i in resource.items]
        name = resource.name
    chosen = chosen if chosen is not None else proposed
    return page(
        request,
        identity,
        "console/catalog/mapping.html",
        {
            "name": name,
            "entry_url": entry_url(kept.code),
            "action": entry_url(kept.code, f"/datasets/map/{kept.token}"),
            "filename": kept.filename,
            "columns": [(n, column, chosen.get(column, "")) for n, column in enumerate(header)],
            "items": items,
            "missing": [i for i in items if i not in chosen.values()],
            "on_invalid": on_invalid,
            "messages": [("error", error.zh)] if error else [],
        },
    )


@router.get("/console/catalog/r/{code:code}/datasets/map/{token}")
def mapping_form(
    request: Request,
    code: str,
    token: str,
    identity: ConsoleIdentity = Depends(staff),
    db: Database = Depends(database),
) -> Response:
    """Step 2: the file's header, a select per column prefilled with the proposed item."""
    fails_back_to(request, entry_url(code, "#datasets"))
    kept = pending(db.settings.data_dir, token, code, identity.actor.id)
    return mapping_page(request, identity, db, kept, None, kept.on_invalid)


@router.post("/console/catalog/r/{code:code}/datasets/map/{token}")
async def ingest_mapped(
    request: Request,
    code: str,
    token: str,
    identity: ConsoleIdentity = Depends(staff),
    db: Database = Depends(database),
) -> Response:
    """Step 3: ingest with the chosen mapping; the entry remembers it for the next upload."""
    form = await checked_form(request, identity)
    fails_back_to(request, entry_url(code, "#datasets"))
    kept = pending(db.settings.data_dir, token, code, identity.actor.id)
    header = read_header(kept.path, format_of(kept.filename))
    chosen = {column: str(form.get(f"map_{n}", "")) for n, column in enumerate(header)}
    on_invalid = str(form.get("on_invalid", kept.on_invalid))
    fails_again(
        request, lambda error: mapping_page(request, identity, db, kept, chosen, on_invalid, error)
    )
    ingest_file(
        db, identity.actor, code, kept.path, mapping.checked(chosen), on_invalid, fmt=kept.filename
    )
    with db.transaction() as session:
        mapping.remember(session, identity.actor, service.by_code(session, code), chosen)
    discard(kept)
    return done(request, entry_url(code), "数据已入库", "#datasets")
