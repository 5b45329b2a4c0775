"""DCAT-AP 3 export: Turtle, JSON-LD and RDF/XML of the catalog (Hydra-paged) and of each
dataset, validated with pyshacl against the official DCAT-AP 3.0.0 shapes (no violation)."""

from __future__ import annotations

from pathlib import Path

import pytest
from rdflib import Graph, URIRef
from rdflib.namespace import DCAT, RDF

from hutong.openportal import dcat
from tests.openportal.builders import public_dataset

#: CI clones the repository next to ``shared/``; the shapes are kept there, unmodified.
SHAPES = Path(__file__).resolve().parents[2] / "../shared/standards/dcat-ap-3.0.0"
FORMATS = {"ttl": "turtle", "jsonld": "json-ld", "rdf": "xml"}


@pytest.fixture
def names(db, actors, org, classes, tmp_path):
    return [
        public_dataset(db, actors, org, tmp_path, name=t).replace("/", "-")
        for t in ("各校在校生人数", "各校教职工人数")
    ]


def validate(graph: Graph, shapes_file: str) -> tuple[bool, str]:
    import pyshacl

    shapes = Graph().parse(SHAPES / shapes_file, format="turtle")
    conforms, _g, text = pyshacl.validate(graph, shacl_graph=shapes, inference="none")
    return conforms, text


@pytest.mark.parametrize("suffix", sorted(FORMATS))
def test_catalog_export_conforms_to_the_dcat_ap_3_shapes(client, names, suffix):
    response = client.get(f"/catalog.{suffix}")
    assert response.status_code == 200
    assert response.headers["content-type"].startswith(dcat.SERIALIZATIONS[suffix][1])
    graph = Graph().parse(data=response.content, format=FORMATS[suffix])
    datasets = set(graph.subjects(RDF.type, DCAT.Dataset))
    assert {str(d).rsplit("/", 1)[1] for d in datasets} == set(names)
    for shapes_file in ("shapes.ttl", "range.ttl"):
        conforms, text = validate(graph, shapes_file)
        assert conforms, text


def test_dataset_export_conforms_and_has_three_distributions(client, names):
    response = client.get(f"/dataset/{names[0]}.ttl")
    graph = Graph().parse(data=response.content, format="turtle")
    node = URIRef(f"http://testserver/dataset/{names[0]}")
    assert len(list(graph.objects(node, DCAT.distribution))) == 3
    conforms, text = validate(graph, "shapes.ttl")
    assert conforms, text
    assert client.get("/dataset/no-such.ttl").status_code == 404
    assert client.get(f"/dataset/{names[0]}.n3").status_code == 404


def test_catalog_pages_with_hydra(client, names, monkeypatch):
    monkeypatch.setattr(dcat, "PAGE_SIZE", 1)
    first = Graph().parse(data=client.get("/catalog.ttl").content, format="turtle")
    hydra = dcat.HYDRA
    assert int(next(first.objects(None, hydra.totalItems))) == 2
    assert str(next(first.objects(None, hydra.nextPage))).endswith("/catalog.ttl?page=2")
    second = Graph().parse(data=client.get("/catalog.ttl?page=2").content, format="turtle")
    assert len(set(second.subjects(RDF.type, DCAT.Dataset))) == 1
    assert client.get("/catalog.ttl?page=3").status_code == 422


def test_the_shapes_do_catch_a_dataset_without_a_description(client, names):
    from rdflib.namespace import DCTERMS

    graph = Graph().parse(data=client.get(f"/dataset/{names[0]}.ttl").content, format="turtle")
    graph.remove((URIRef(f"http://testserver/dataset/{names[0]}"), DCTERMS.description, None))
    conforms, text = validate(graph, "shapes.ttl")
    assert not conforms and "description" in text
