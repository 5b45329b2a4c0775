"""What every public page shares (M2018 §26, §34): errors answered as pages rather than
problem+json (``PortalRoute``), the portal's navigation, and the ``public`` actor of a visitor,
rate limited per client address."""

from __future__ import annotations

from fastapi import Request
from fastapi.responses import Response
from fastapi.routing import APIRoute

from hutong.core.errors import HutongError, TooManyRequests
from hutong.identity.authz import Actor, public_actor
from hutong.web.deps import client_address
from hutong.web.templating import render, request_language


class PortalRoute(APIRoute):
    """Errors on public pages are pages too (problem+json stays for the APIs)."""

    def get_route_handler(self):  # type: ignore[no-untyped-def]
        handler = super().get_route_handler()

        async def guarded(request: Request) -> Response:
            try:
                return await handler(request)
            except HutongError as error:
                lang = request_language(request)
                response = portal_page(
                    request,
                    "public/portal/error.html",
                    {
                        "status": error.status,
                        "detail": error.message("en" if lang == "en" else "zh"),
                    },
                    error.status,
                )
                if isinstance(error, TooManyRequests):
                    response.headers["Retry-After"] = str(error.retry_after)
                return response

        return guarded


PORTAL_NAV = [
    ("/", "Open data"),
    ("/datasets", "Datasets"),
    ("/organization", "Organisations"),
    ("/disclosure", "Disclosure on request"),
]


def visitor(request: Request, bucket: str | None = None) -> Actor:
    actor = public_actor(client_address(request), request.state.request_id)
    if bucket is not None:
        settings = request.app.state.settings
        limit = {"download": settings.portal_downloads_per_minute}.get(
            bucket, settings.portal_api_per_minute
        )
        request.app.state.rate_limiter.hit(bucket, actor.client_address or "", limit)
    return actor


def portal_page(request: Request, template: str, context: dict, status: int = 200) -> Response:
    return render(request, template, {"nav": PORTAL_NAV, "portal": True, **context}, status)
