"""Consumer queries within their limits (issue 12): an expensive query is stopped at the time
or memory limit, a run-time error is a 4xx problem before any byte is sent, an error once
rows are streaming ends the body so that every reader notices, and each is audited failed."""

from __future__ import annotations

import io
import json
import time

import pyarrow as pa
import pyarrow.csv as pacsv
import pyarrow.ipc as ipc
import pyarrow.parquet as pq
import pytest
from fastapi.testclient import TestClient
from sqlalchemy import func, select

from hutong.audit.models import AuditEvent
from hutong.data import engine
from hutong.exchange.models import GrantUsage
from hutong.web.app import create_app
from tests.support import bearer

URL = "/api/v1/data/{}/sql"
#: A join of the 20,000 rows with themselves three times: 8 × 10¹² comparisons.
CROSS_JOIN = "SELECT count(*) FROM dataset a, dataset b, dataset c WHERE a.编号 || b.编号 <> c.编号"
#: Rows wide enough to fill the engine's read-ahead, so the failing rows come late.
LATE_FAILURE = "SELECT lpad(性别, 2000, '*') AS pad, CAST(编号 AS BIGINT) AS n FROM dataset"


@pytest.fixture
def limited(settings, db, org):
    """A client of an app with a 1 s time limit and a 64 MB memory limit, and its headers."""
    tight = settings.model_copy(
        update={"query_time_limit_seconds": 1.0, "query_memory_limit": "64MB"}
    )
    with TestClient(create_app(tight, db)) as client:
        yield client, bearer(client, db, "data.consumer", org.password)


def delivered(db):
    """(outcome, rows, details) of every ``data.delivered`` event."""
    with db.sessions() as session:
        rows = session.execute(
            select(AuditEvent.outcome, AuditEvent.rows, AuditEvent.details)
            .where(AuditEvent.event == "data.delivered")
            .order_by(AuditEvent.seq)
        ).all()
    return [(outcome, count, json.loads(details)) for outcome, count, details in rows]


def rows_reserved(db) -> int:
    with db.sessions() as session:
        return session.scalar(select(func.sum(GrantUsage.rows))) or 0


def assert_problem(response, status: int, title: str) -> None:
    assert response.status_code == status, response.text
    assert response.headers["content-type"].startswith("application/problem+json")
    assert response.json()["title"] == title


def test_an_expensive_query_is_stopped_at_the_time_limit_and_audited_as_failed(limited, db, many):
    client, headers = limited
    started = time.monotonic()
    response = client.post(URL.format(many), json={"sql": CROSS_JOIN}, headers=headers)
    assert time.monotonic() - started < 10
    assert_problem(response, 422, "query-time-limit")
    assert "1 秒" in response.json()["detail"]
    ((outcome, rows, details),) = delivered(db)
    assert outcome == "failed" and rows == 0 and details["stopped"] == "query-time-limit"
    assert rows_reserved(db) == 0  # the reservation is returned


def test_a_query_needing_more_memory_than_its_limit_is_stopped(limited, db, many):
    client, headers = limited
    sql = "SELECT count(DISTINCT a.编号 || b.编号) FROM dataset a, dataset b"
    response = client.post(URL.format(many), json={"sql": sql}, headers=headers)
    assert_problem(response, 422, "query-memory-limit")
    ((outcome, _rows, details),) = delivered(db)
    assert outcome == "failed" and details["stopped"] == "query-memory-limit"


def test_a_run_time_error_before_the_first_rows_is_a_problem_naming_no_value(
    client, consumer_headers, db, many
):
    """Once a 200 whose JSON stopped after ``"rows": [``."""
    sql = {"sql": "SELECT CAST(编号 AS BIGINT) FROM dataset"}
    response = client.post(URL.format(many), json=sql, headers=consumer_headers)
    assert_problem(response, 422, "query-failed")
    assert response.json()["field"] == "sql" and "x0" not in response.text
    ((outcome, rows, details),) = delivered(db)
    assert outcome == "failed" and rows == 0 and details["stopped"] == "query-failed"
    assert rows_reserved(db) == 0


@pytest.fixture
def small_batches(monkeypatch):
    monkeypatch.setattr(engine, "BATCH_ROWS", 100)


def test_an_error_once_json_rows_stream_leaves_invalid_json_ending_in_the_error(
    client, consumer_headers, db, many, small_batches
):
    response = client.post(URL.format(many), json={"sql": LATE_FAILURE}, headers=consumer_headers)
    assert response.status_code == 200  # sent with the first rows
    body = response.text
    with pytest.raises(json.JSONDecodeError):
        json.loads(body)
    trailer = json.loads("{" + body[body.rindex('"error": ') :] + "}")["error"]
    assert trailer["title"] == "query-failed" and trailer["status"] == 422
    assert "x0" not in body
    sent = body.count('"*')  # each row's pad starts with the mask character
    ((outcome, rows, details),) = delivered(db)
    assert outcome == "failed" and details["stopped"] == "query-failed"
    assert 0 < sent == rows < 20_000


READERS = {
    "csv": lambda data: pacsv.read_csv(io.BytesIO(data)),
    "parquet": lambda data: pq.read_table(io.BytesIO(data)),
    "arrow": lambda data: ipc.open_stream(data).read_all(),
}


@pytest.mark.parametrize("fmt", sorted(READERS))
def test_an_error_once_a_file_streams_makes_it_unreadable_and_ends_in_an_error_line(
    client, consumer_headers, db, many, small_batches, fmt
):
    body = {"sql": LATE_FAILURE, "format": fmt}
    response = client.post(URL.format(many), json=body, headers=consumer_headers)
    assert response.status_code == 200
    assert (
        response.content.rstrip(b"\n")
        .rsplit(b"\n", 1)[-1]
        .startswith(b"#hutong-error,query-failed,")
    )
    with pytest.raises((pa.ArrowInvalid, OSError)):
        READERS[fmt](response.content)
    ((outcome, rows, details),) = delivered(db)
    assert outcome == "failed" and details["stopped"] == "query-failed" and rows > 0
