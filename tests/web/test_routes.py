"""Every (method, path) is served by exactly one route: domains are built apart and merged, so a
second module claiming an existing path would silently never be reached."""

from __future__ import annotations

from collections import Counter

from hutong.core.settings import Settings
from hutong.web.app import create_app


def test_no_two_routes_claim_the_same_method_and_path(tmp_path):
    app = create_app(Settings(data_dir=tmp_path))
    claims = Counter(
        (method, route.path)
        for route in app.routes
        for method in getattr(route, "methods", ()) or ()
    )
    assert [claim for claim, count in claims.items() if count > 1] == []
