"""Every (method, path) is served by exactly one route: domains are built apart and merged, so a
second module claiming an existing path would silently never be reached."""

from __future__ import annotations

from collections import Counter

from fastapi.routing import iter_route_contexts

from hutong.core.settings import Settings
from hutong.web.app import create_app


def test_no_two_routes_claim_the_same_method_and_path(tmp_path):
    app = create_app(Settings(data_dir=tmp_path))
    # Included routers are expanded: app.routes itself holds one entry per included router.
    claims = Counter(
        (method, route.path)
        for route in iter_route_contexts(app.routes)
        for method in route.methods or ()
    )
    assert len(claims) > 200
    assert [claim for claim, count in claims.items() if count > 1] == []
