"""Input beyond what the database can hold is invalid input, on every route: an id of 2**64
once reached SQLite's driver and answered 500 (OverflowError) on 16 of 22 API operations."""

from __future__ import annotations

import re
import typing
from enum import Enum

from fastapi.dependencies.utils import get_flat_params
from fastapi.params import ParamTypes
from fastapi.routing import APIRoute, RouteContext, iter_route_contexts
from fastapi.testclient import TestClient

from tests.support import bearer, entry
from tests.web.test_console import sign_in

HUGE = str(2**64)


def _leaves(annotation: object) -> set[object]:
    args = typing.get_args(annotation)
    return {annotation} if not args else set().union(*(_leaves(a) for a in args))


def _sample(annotation: object) -> str:
    """A value the parameter accepts: the first choice of a Literal or Enum, else a word."""
    if typing.get_origin(annotation) is typing.Literal:
        return str(typing.get_args(annotation)[0])
    enums = [a for a in _leaves(annotation) if isinstance(a, type) and issubclass(a, Enum)]
    return str(next(iter(enums[0])).value) if enums else "x"


def _with_huge_integers(route: RouteContext) -> tuple[str, dict[str, str]] | None:
    """The route's path and query with every integer parameter at 2**64, or None if it has
    no integer path or query parameter."""
    if not isinstance(route.original_route, APIRoute):
        return None
    path, query, huge = route.path, {}, False
    for field in get_flat_params(route.original_route.dependant):
        where, annotation = field.field_info.in_, field.field_info.annotation
        value = HUGE if int in _leaves(annotation) else _sample(annotation)
        huge = huge or value == HUGE
        if where is ParamTypes.path:
            coded = f"{{{field.name}:code}}" in path  # a resource code spans two segments
            path = re.sub(r"\{" + field.name + r"(:\w+)?\}", "x/000001" if coded else value, path)
        elif where is ParamTypes.query and (value == HUGE or field.field_info.is_required()):
            query[field.alias] = value
    return (path, query) if huge else None


def test_an_integer_beyond_any_row_id_is_invalid_input_on_every_route(client, db, org):
    headers = bearer(client, db, "data.steward", org.password)
    client = TestClient(client.app, raise_server_exceptions=False)  # a 500 is an answer here
    sign_in(client, "data.steward", org.password)  # console pages read the session cookie
    answers = {}
    for route in iter_route_contexts(client.app.routes):
        request = _with_huge_integers(route)
        for method in sorted(route.methods or ()) if request else ():
            path, query = request
            body = {"json": {}} if method in ("POST", "PUT") else {}
            response = client.request(method, path, params=query, headers=headers, **body)
            answers[f"{method} {route.path}"] = response.status_code
    assert len(answers) > 40, answers
    # A console form checks its CSRF token first (403); everything else refuses the number.
    assert {
        operation: status
        for operation, status in answers.items()
        if status != 422 and not (operation.startswith("POST /console") and status == 403)
    } == {}


def test_the_refusal_names_the_field_and_the_limit_in_chinese(client, db, org):
    headers = bearer(client, db, "data.steward", org.password)
    too_big = client.get(f"/api/v1/share-applications/{HUGE}", headers=headers).json()
    assert (too_big["field"], too_big["detail_zh"]) == (
        "application_id",
        "字段 application_id 无效：不能大于 2147483647",
    )
    too_long = client.get(f"/api/v1/grants/{'G' * 101}", headers=headers).json()
    assert too_long["detail_zh"] == "字段 code 无效：最多 100 个字符"


def test_a_number_in_a_body_beyond_its_column_is_invalid_input(client, db, org, classes):
    """SQLite stores 2**40 where PostgreSQL's integer column overflows: refuse it on both."""
    headers = bearer(client, db, "data.steward", org.password)
    persons = entry(org).model_dump(mode="json") | {"approx_persons": 2**40}
    refused = client.post("/api/v1/resources", headers=headers, json=persons)
    assert (refused.status_code, refused.json().get("field")) == (422, "approx_persons")
    consent = {"system_id": 2**64, "notice_version": 1, "subject_id": "G110101200501011234"}
    consent["purpose"] = "enrolment"
    refused = client.post("/api/v1/consents", headers=headers, json=consent)
    assert (refused.status_code, refused.json().get("field")) == (422, "system_id")


def test_text_holding_nul_is_invalid_input_naming_its_field(client, db, org, classes):
    """PostgreSQL's driver refuses U+0000 (a 500 found by the fuzz test on POST /systems) and
    SQLite stores it: refused before any handler on both, naming the field, changing nothing."""
    headers = bearer(client, db, "data.steward", org.password)
    body = entry(org).model_dump(mode="json") | {"name": "学籍\x00信息"}
    refused = client.post("/api/v1/resources", headers=headers, json=body)
    assert (refused.status_code, refused.json()["field"]) == (422, "name")
    assert "空字符" in refused.json()["detail_zh"]
    nested = entry(org).model_dump(mode="json")
    nested["items"][0]["name"] = "\x00"
    refused = client.post("/api/v1/resources", headers=headers, json=nested)
    assert refused.json()["field"] == "items.0.name"
    in_query = client.get("/api/v1/resources", headers=headers, params={"q": "a\x00"})
    assert (in_query.status_code, in_query.json()["field"]) == (422, "q")
    listed = client.get("/api/v1/resources", headers=headers).json()
    assert all("\x00" not in r["name"] for r in listed["items"])
    accepted = client.post(
        "/api/v1/resources", headers=headers, json=entry(org).model_dump(mode="json")
    )
    assert accepted.status_code == 201
