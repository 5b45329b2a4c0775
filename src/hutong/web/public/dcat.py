"""DCAT-AP 3 of the public catalog (paged with Hydra) and of each public dataset, in Turtle,
JSON-LD and RDF/XML: ``/catalog.{ttl,jsonld,rdf}``, ``/dataset/{name}.{ttl,jsonld,rdf}``."""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Query, Request
from fastapi.responses import Response

from hutong.core.errors import InvalidInput, NotFound
from hutong.identity.authz import Actor, public_actor
from hutong.openportal import dcat, service
from hutong.web.deps import Code, Natural, client_address
from hutong.web.openapi import PUBLIC_ERRORS, downloads

router = APIRouter(tags=["dcat"], responses=PUBLIC_ERRORS)
RDF = downloads(*(media for _format, media in dcat.SERIALIZATIONS.values()))


def _suffix(suffix: str) -> str:
    if suffix not in dcat.SERIALIZATIONS:
        raise NotFound("不支持的格式", "unknown serialization (ttl, jsonld, rdf)", field="suffix")
    return suffix


def visitor(request: Request) -> Actor:
    """The anonymous public, rate limited per address like the CKAN API."""
    actor = public_actor(client_address(request), request.state.request_id)
    request.app.state.rate_limiter.hit(
        "api", actor.client_address or "", request.app.state.settings.portal_api_per_minute
    )
    return actor


def base_url(request: Request) -> str:
    return str(request.base_url).rstrip("/")


@router.get(
    "/catalog.{suffix}",
    summary="DCAT-AP 3 catalog (Hydra-paged): ttl, jsonld or rdf",
    response_class=Response,
    responses=RDF,
)
def catalog(request: Request, suffix: Code, page: Annotated[Natural, Query(ge=1)] = 1) -> Response:
    suffix = _suffix(suffix)
    actor = visitor(request)
    with request.app.state.db.transaction() as session:
        datasets, publisher = service.dcat_export(session, actor)
    if page > 1 and (page - 1) * dcat.PAGE_SIZE >= len(datasets):
        raise InvalidInput("页码超出范围", "page out of range", field="page")
    graph = dcat.catalog_graph(base_url(request), datasets, publisher, page, suffix)
    body, media = dcat.serialize(graph, suffix)
    return Response(body, media_type=media)


@router.get(
    "/dataset/{name}.{suffix}",
    summary="DCAT-AP 3 of one public dataset: ttl, jsonld or rdf",
    response_class=Response,
    responses=RDF,
)
def dataset(request: Request, name: Code, suffix: Code) -> Response:
    suffix = _suffix(suffix)
    actor = visitor(request)
    with request.app.state.db.transaction() as session:
        datasets, _publisher = service.dcat_export(session, actor, name)
    body, media = dcat.serialize(dcat.dataset_graph(base_url(request), datasets[0]), suffix)
    return Response(body, media_type=media)
