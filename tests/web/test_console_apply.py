"""Applying for shared data in the console: a refused application comes back with everything
typed kept and the message beside its field; an accepted one opens its own page."""

from __future__ import annotations

import re

from hutong.exchange.models import Application
from tests.support import entry, published
from tests.web.test_console import csrf, sign_in


def test_a_refused_application_keeps_what_was_typed(client, db, org, classes, actors):
    code = published(db, actors, entry(org))
    sign_in(client, "data.consumer", org.password)
    form = client.get(f"/console/exchange/apply/{code}")
    assert form.status_code == 200
    item = re.search(r'name="items" value="([^"]+)"', form.text).group(1)
    typed = {
        "csrf_token": csrf(form.text),
        "purpose": "核对本省教师资格认定材料",
        "purpose_category": "administration",
        "items": [item],
        "access_mode": "file_delivery",
        "security_measures": "",
    }
    refused = client.post(f"/console/exchange/apply/{code}", data=typed)
    assert refused.status_code == 422
    assert "“安全保护措施”" in refused.text
    assert "核对本省教师资格认定材料" in refused.text  # kept
    assert re.search(rf'value="{re.escape(item)}" checked', refused.text)
    assert re.search(r'<option value="file_delivery" selected', refused.text)
    assert (
        'id="security_measures" name="security_measures" required minlength="2" aria-invalid="true"'
        in refused.text
    )
    with db.sessions() as session:
        assert session.query(Application).count() == 0

    accepted = client.post(
        f"/console/exchange/apply/{code}",
        data={**typed, "security_measures": "专人专机，用后销毁"},
        follow_redirects=False,
    )
    assert accepted.status_code == 303
    assert re.match(r"/console/exchange/a/\d+\?done=", accepted.headers["location"])
    assert "共享申请已提交" in client.get(accepted.headers["location"]).text
