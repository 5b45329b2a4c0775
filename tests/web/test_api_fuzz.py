"""Property-based tests of the HTTP API: schemathesis generates requests from
/api/v1/openapi.json, valid and invalid, and sends them in-process to every operation, as the
data steward (bearer token) and anonymously. No answer may be a server error, and every
answer must be declared: its status code, media type and body (problem+json included).

Each caller runs every operation against one seeded world, so the suite pays for the world
twice, not once per operation; schemathesis' pytest plugin would build one per operation
(and its fixture-backed schema does not run under pytest 9)."""

from __future__ import annotations

import re
import tempfile
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pytest
import schemathesis
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from schemathesis import GenerationMode
from schemathesis.checks import (
    content_type_conformance,
    not_a_server_error,
    response_headers_conformance,
    response_schema_conformance,
    status_code_conformance,
)
from schemathesis.core.failures import FailureGroup

from hutong.core.settings import Settings
from hutong.web.app import create_app
from tests.support import bearer, entry, published

#: Examples per operation, positive and negative together; generation is derandomized (the
#: same requests on every run) and keeps no example database, so CI is stable.
EXAMPLES = 15
CHECKS = [
    not_a_server_error,
    status_code_conformance,
    content_type_conformance,
    response_headers_conformance,
    response_schema_conformance,
]


def _document() -> dict[str, Any]:
    """The OpenAPI document, taken from an app over a throwaway data directory."""
    with tempfile.TemporaryDirectory() as data_dir:
        return create_app(Settings(data_dir=Path(data_dir))).openapi()


SCHEMA = schemathesis.openapi.from_dict(_document())
OPERATIONS = [result.ok() for result in SCHEMA.get_all_operations()]


@dataclass
class Caller:
    app: Any
    headers: dict[str, str]
    #: path parameters that name something in the world, pinned in a share of the requests
    known: dict[str, object]


@pytest.fixture(params=["data.steward", "anonymous"])
def caller(request, client, db, org, actors, classes) -> Caller:
    """A world with a published entry, its dataset version and an open change task."""
    code = published(db, actors, entry(org))
    steward = bearer(client, db, "data.steward", org.password)
    csv = "姓名,性别,出生日期,任教学科\n张三,1,1980-01-02,数学\n".encode()
    files = {"file": ("teachers.csv", csv, "text/csv")}
    assert client.post(
        f"/api/v1/resources/{code}/datasets", headers=steward, files=files
    ).is_success
    change = {"description": "新增任教学段"}
    assert client.post(f"/api/v1/resources/{code}/changes", headers=steward, json=change).is_success
    headers = steward if request.param == "data.steward" else {}
    return Caller(client.app, headers, {"code": code, "version": 1, "username": "data.steward"})


def _cases(operation, caller: Caller) -> st.SearchStrategy:
    """Valid and invalid requests, and valid ones that name what the world holds."""
    cases = [operation.as_strategy(generation_mode=mode) for mode in GenerationMode]
    names = re.findall(r"\{(\w+)\}", operation.path)
    known = {name: caller.known[name] for name in names if name in caller.known}
    if known:
        cases.append(operation.as_strategy(path_parameters=known))
    return st.one_of(cases)


def _failure(operation, caller: Caller) -> str | None:
    """What is wrong with ``operation``'s answers to EXAMPLES generated requests, or None."""
    cases = _cases(operation, caller)

    @settings(
        max_examples=EXAMPLES,
        derandomize=True,
        database=None,
        deadline=None,
        suppress_health_check=list(HealthCheck),
    )
    @given(case=cases)
    def answers_as_declared(case) -> None:
        case.call_and_validate(app=caller.app, headers=caller.headers, checks=CHECKS)

    try:
        answers_as_declared()
    except (FailureGroup, Exception) as failure:  # the checks that failed, or what the call raised
        return str(failure)
    return None


def test_every_answer_is_declared_and_none_is_a_server_error(caller):
    failures = {op.label: _failure(op, caller) for op in OPERATIONS}
    report = [f"== {label}\n{failure}" for label, failure in failures.items() if failure]
    if report:
        pytest.fail(f"{len(report)} of {len(OPERATIONS)} operations:\n\n" + "\n\n".join(report))
