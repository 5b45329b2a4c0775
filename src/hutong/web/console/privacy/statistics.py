"""/console/privacy/statistics: statistical release with small cells suppressed or noised."""

from __future__ import annotations

from fastapi import Depends, Request
from fastapi.responses import Response

from hutong.core.db import Database
from hutong.core.errors import HutongError
from hutong.privacy import statistics as stats
from hutong.privacy.schemas import (
    ReleaseIn,
)
from hutong.web.console.base import (
    checked_form,
    console_router,
    fails_again,
    staff,
)
from hutong.web.console.privacy.common import (
    BASE,
    section,
    split_lines,
)
from hutong.web.deps import ConsoleIdentity, database

router = console_router()


@router.get(f"{BASE}/statistics")
def statistics_page(
    request: Request, identity: ConsoleIdentity = Depends(staff), db: Database = Depends(database)
) -> Response:
    return section(request, identity, "statistics.html", {"table": None, "form": {}})


@router.post(f"{BASE}/statistics")
async def statistics_run(
    request: Request, identity: ConsoleIdentity = Depends(staff), db: Database = Depends(database)
) -> Response:
    form = await checked_form(request, identity)
    values = {
        k: str(form.get(k, "")).strip() for k in ("resource_code", "by", "threshold", "epsilon")
    }

    def shown(table: dict | None, error: HutongError | None = None) -> Response:
        context = {"table": table, "form": values, "error": error.zh if error else None}
        return section(request, identity, "statistics.html", context)

    fails_again(request, lambda error: shown(None, error))
    data = ReleaseIn.model_validate(
        {
            "resource_code": values["resource_code"],
            "by": split_lines(values["by"]),
            "threshold": values["threshold"] or 5,
            "epsilon": values["epsilon"] or None,
        }
    )
    return shown(stats.release_table(db, identity.actor, data).as_dict())
