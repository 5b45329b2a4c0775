"""Over a real server, an abandoned consumer query stops: when its client leaves, and when
`hutong serve` is told to stop, which it then does within seconds (issue 12)."""

from __future__ import annotations

import json
import os
import signal
import subprocess
import sys
import threading
import time

import httpx
import pytest
from sqlalchemy import select

from hutong.audit.models import AuditEvent
from tests.e2e.conftest import free_port, live_server  # noqa: F401  (fixture)
from tests.exchange.conftest import many, people  # noqa: F401  (fixtures)

#: A join of the 20,000 rows with themselves three times: hours of work, unless stopped.
CROSS_JOIN = "SELECT count(*) FROM dataset a, dataset b, dataset c WHERE a.编号 || b.编号 <> c.编号"


def events(db, name: str) -> list[tuple[str, dict]]:
    with db.sessions() as session:
        rows = session.execute(
            select(AuditEvent.outcome, AuditEvent.details).where(AuditEvent.event == name)
        ).all()
    return [(outcome, json.loads(details)) for outcome, details in rows]


def wait_for(condition, seconds: float) -> bool:
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        if condition():
            return True
        time.sleep(0.1)
    return False


def token(base: str, password: str) -> dict[str, str]:
    form = {"grant_type": "password", "username": "data.consumer", "password": password}
    answer = httpx.post(f"{base}/api/v1/auth/token", data=form, timeout=30)
    return {"Authorization": f"Bearer {answer.json()['access_token']}"}


def test_a_client_that_leaves_stops_its_query(live_server, db, org, many):  # noqa: F811
    headers = token(live_server, org.password)
    with pytest.raises(httpx.ReadTimeout):
        httpx.post(
            f"{live_server}/api/v1/data/{many}/sql",
            json={"sql": CROSS_JOIN},
            headers=headers,
            timeout=httpx.Timeout(30, read=1.5),
        )
    stopped = lambda: [d.get("stopped") for _o, d in events(db, "data.delivered")]  # noqa: E731
    assert wait_for(lambda: stopped() == ["client-gone"], 10), stopped()
    assert events(db, "data.delivered")[0][0] == "failed"


def test_a_client_that_leaves_mid_stream_stops_its_query(live_server, db, org, many):  # noqa: F811
    headers = token(live_server, org.password)
    wide = {"sql": "SELECT lpad(编号, 2000, '*') AS pad FROM dataset", "format": "csv"}
    url = f"{live_server}/api/v1/data/{many}/sql"
    with httpx.stream("POST", url, json=wide, headers=headers, timeout=30) as response:
        assert response.status_code == 200
        next(response.iter_raw())  # the first rows, then hang up
    stopped = lambda: [d.get("stopped") for _o, d in events(db, "data.delivered")]  # noqa: E731
    assert wait_for(lambda: stopped() == ["client-gone"], 10), stopped()
    ((outcome, details),) = events(db, "data.delivered")
    assert outcome == "failed" and details["bytes"] < 2000 * 20_000


@pytest.fixture
def served(settings, db):
    """`hutong serve` in a process of its own over the test's data; yields (process, URL)."""
    port = free_port()
    env = {
        **os.environ,
        "HUTONG_DATA_DIR": str(settings.data_dir),
        "HUTONG_COMPLIANCE_INTERVAL_MINUTES": "0",
    }
    if settings.database_url:
        env["HUTONG_DATABASE_URL"] = settings.database_url
    command = [sys.executable, "-m", "hutong.cli", "serve", "--port", str(port)]
    process = subprocess.Popen(command, env=env, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE)
    base = f"http://127.0.0.1:{port}"

    def healthy() -> bool:
        try:
            return httpx.get(f"{base}/healthz", timeout=1).status_code == 200
        except httpx.TransportError:
            return False

    try:
        assert wait_for(healthy, 60), "hutong serve did not start"
        yield process, base
    finally:
        if process.poll() is None:
            process.kill()
        process.wait()


def test_serve_exits_within_five_seconds_of_sigterm_while_a_query_runs(
    served,
    db,
    org,
    many,  # noqa: F811
):
    process, base = served
    headers = token(base, org.password)
    answers: list[httpx.Response | Exception] = []

    def ask() -> None:
        try:
            url = f"{base}/api/v1/data/{many}/sql"
            answers.append(httpx.post(url, json={"sql": CROSS_JOIN}, headers=headers, timeout=120))
        except httpx.TransportError as error:
            answers.append(error)

    asking = threading.Thread(target=ask)
    asking.start()
    assert wait_for(lambda: events(db, "data.query"), 30)  # authorized: the engine is next
    time.sleep(1)
    process.send_signal(signal.SIGTERM)
    signalled = time.monotonic()
    process.wait(timeout=5)
    assert time.monotonic() - signalled < 5
    asking.join(timeout=5)
    (answer,) = answers
    assert isinstance(answer, httpx.Response) and answer.status_code == 503, answer
    assert answer.json()["title"] == "server-stopping"
    assert [d.get("stopped") for _o, d in events(db, "data.delivered")] == ["server-stopping"]
