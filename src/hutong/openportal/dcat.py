"""DCAT-AP 3.0.0 export of the public catalog and of each public dataset (Turtle, JSON-LD,
RDF/XML), the catalog paged with Hydra as ckanext-dcat does.

Built with rdflib from the public index, so only public datasets appear. Controlled values
use the EU vocabularies DCAT-AP names (file types, frequencies, languages, data themes), each
concept typed ``skos:Concept`` with a label so the range shapes hold too. The export is
validated against the official SHACL shapes in ``tests/openportal/test_dcat.py``.
"""

from __future__ import annotations

from datetime import datetime

from rdflib import BNode, Graph, Literal, Namespace, URIRef
from rdflib.namespace import DCAT, DCTERMS, FOAF, RDF, SKOS, XSD

from hutong.core.paging import Page
from hutong.openportal.public import FORMATS, PublicDataset, org_name

HYDRA = Namespace("http://www.w3.org/ns/hydra/core#")
VCARD = Namespace("http://www.w3.org/2006/vcard/ns#")
DCATAP = Namespace("http://data.europa.eu/r5r/")
EU = "http://publications.europa.eu/resource/authority/"
FILE_TYPES = {"csv": "CSV", "xlsx": "XLSX", "json": "JSON"}
MEDIA_TYPES = {
    "csv": "text/csv",
    "xlsx": "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
    "json": "application/json",
}
FREQUENCIES = {
    "realtime": "CONT",
    "daily": "DAILY",
    "weekly": "WEEKLY",
    "monthly": "MONTHLY",
    "quarterly": "QUARTERLY",
    "semiannual": "ANNUAL_2",
    "annual": "ANNUAL",
    "irregular": "IRREG",
}
PAGE_SIZE = 100
SERIALIZATIONS = {  # suffix → (rdflib format, media type)
    "ttl": ("turtle", "text/turtle"),
    "jsonld": ("json-ld", "application/ld+json"),
    "rdf": ("pretty-xml", "application/rdf+xml"),
}
LICENSE = "http://publications.europa.eu/resource/authority/licence/CC_BY_4_0"


def _zh(text: str) -> Literal:
    return Literal(text, lang="zh")


def _when(moment: datetime) -> Literal:
    return Literal(moment.replace(microsecond=0).isoformat(), datatype=XSD.dateTime)


def _concept(graph: Graph, iri: str, label: str, kind: URIRef | None = None) -> URIRef:
    node = URIRef(iri)
    graph.add((node, RDF.type, SKOS.Concept))
    graph.add((node, SKOS.prefLabel, Literal(label, lang="en")))
    if kind is not None:
        graph.add((node, RDF.type, kind))
    return node


def _graph() -> Graph:
    graph = Graph()
    for prefix, ns in (("dcat", DCAT), ("dct", DCTERMS), ("foaf", FOAF), ("skos", SKOS),
                       ("hydra", HYDRA), ("vcard", VCARD), ("dcatap", DCATAP)):  # fmt: skip
        graph.bind(prefix, ns)
    return graph


def _agent(graph: Graph, base: str, unit_code: str, name: str) -> URIRef:
    agent = URIRef(f"{base}/organization/{org_name(unit_code)}")
    graph.add((agent, RDF.type, FOAF.Agent))
    graph.add((agent, FOAF.name, _zh(name)))
    return agent


def add_dataset(graph: Graph, base: str, d: PublicDataset) -> URIRef:
    node = URIRef(f"{base}/dataset/{d.name}")
    graph.add((node, RDF.type, DCAT.Dataset))
    graph.add((node, DCTERMS.title, _zh(d.title)))
    graph.add((node, DCTERMS.description, _zh(d.summary)))
    graph.add((node, DCTERMS.identifier, Literal(d.code)))
    graph.add((node, DCTERMS.issued, _when(d.published_at)))
    graph.add((node, DCTERMS.modified, _when(d.modified_at)))
    graph.add((node, DCAT["version"], Literal(str(d.version))))
    graph.add((node, DCTERMS.publisher, _agent(graph, base, d.unit_code, d.unit_name)))
    graph.add((node, DCAT.landingPage, URIRef(f"{base}/dataset/{d.name}")))
    graph.add((URIRef(f"{base}/dataset/{d.name}"), RDF.type, FOAF.Document))
    graph.add(
        (
            node,
            DCTERMS.language,
            _concept(graph, EU + "language/ZHO", "Chinese", DCTERMS.LinguisticSystem),
        )
    )
    frequency = FREQUENCIES.get(d.update_cycle, "IRREG")
    graph.add((node, DCTERMS.accrualPeriodicity,
               _concept(graph, EU + f"frequency/{frequency}", frequency.lower(), DCTERMS.Frequency)))  # fmt: skip
    graph.add(
        (node, DCAT.theme, _concept(graph, EU + "data-theme/EDUC", "Education, culture and sport"))
    )
    for tag in d.tags:
        graph.add((node, DCAT.keyword, _zh(tag)))
    contact = BNode()
    graph.add((contact, RDF.type, VCARD.Kind))
    graph.add((contact, VCARD.fn, _zh(d.unit_name)))
    graph.add((node, DCAT.contactPoint, contact))
    license_node = URIRef(LICENSE)
    graph.add((license_node, RDF.type, DCTERMS.LicenseDocument))
    for fmt in FORMATS:
        dist = URIRef(f"{base}/dataset/{d.name}/distribution/{fmt}")
        download = URIRef(f"{base}/dataset/{d.name}/download.{fmt}")
        graph.add((node, DCAT.distribution, dist))
        graph.add((dist, RDF.type, DCAT.Distribution))
        graph.add((dist, DCTERMS.title, _zh(f"{d.title}（{fmt.upper()}）")))
        graph.add((dist, DCAT.accessURL, download))
        graph.add((dist, DCAT.downloadURL, download))
        graph.add((dist, DCTERMS.issued, _when(d.published_at)))
        graph.add((dist, DCTERMS.modified, _when(d.modified_at)))
        graph.add((dist, DCTERMS.license, license_node))
        graph.add((dist, DCTERMS.format,
                   _concept(graph, EU + f"file-type/{FILE_TYPES[fmt]}", FILE_TYPES[fmt], DCTERMS.MediaTypeOrExtent)))  # fmt: skip
        media = URIRef(f"https://www.iana.org/assignments/media-types/{MEDIA_TYPES[fmt]}")
        graph.add((media, RDF.type, DCTERMS.MediaType))
        graph.add((dist, DCAT.mediaType, media))
    return node


def _catalog(
    graph: Graph, base: str, publisher: tuple[str, str], modified: datetime | None
) -> URIRef:
    node = URIRef(f"{base}/catalog")
    graph.add((node, RDF.type, DCAT.Catalog))
    graph.add((node, DCTERMS.title, _zh("互通 教育数据开放平台")))
    graph.add(
        (
            node,
            DCTERMS.description,
            _zh("教育部机关及直属事业单位依《教育数据管理办法》主动公开的教育数据。"),
        )
    )
    graph.add((node, DCTERMS.publisher, _agent(graph, base, *publisher)))
    graph.add((node, FOAF.homepage, URIRef(f"{base}/")))
    graph.add((URIRef(f"{base}/"), RDF.type, FOAF.Document))
    graph.add(
        (
            node,
            DCTERMS.language,
            _concept(graph, EU + "language/ZHO", "Chinese", DCTERMS.LinguisticSystem),
        )
    )
    scheme = URIRef(EU + "data-theme")
    graph.add((scheme, RDF.type, SKOS.ConceptScheme))
    graph.add((scheme, DCTERMS.title, Literal("Data theme", lang="en")))
    graph.add((node, DCAT.themeTaxonomy, scheme))
    if modified is not None:
        graph.add((node, DCTERMS.modified, _when(modified)))
    return node


def catalog_graph(
    base: str,
    datasets: list[PublicDataset],
    publisher: tuple[str, str],
    page: int = 1,
    suffix: str = "ttl",
) -> Graph:
    """One page of the catalog (``PAGE_SIZE`` datasets), with its Hydra paging."""
    graph = _graph()
    listed = Page.cut(datasets, page, PAGE_SIZE)
    total, last = listed.total, listed.pages
    catalog = _catalog(graph, base, publisher, datasets[0].modified_at if datasets else None)
    for d in listed.items:
        graph.add((catalog, DCAT.dataset, add_dataset(graph, base, d)))
    pages = URIRef(f"{base}/catalog.{suffix}?page={page}")
    graph.add((pages, RDF.type, HYDRA.PagedCollection))
    graph.add((pages, HYDRA.totalItems, Literal(total, datatype=XSD.integer)))
    graph.add((pages, HYDRA.itemsPerPage, Literal(PAGE_SIZE, datatype=XSD.integer)))
    graph.add((pages, HYDRA.firstPage, Literal(f"{base}/catalog.{suffix}?page=1")))
    graph.add((pages, HYDRA.lastPage, Literal(f"{base}/catalog.{suffix}?page={last}")))
    if listed.next is not None:
        graph.add((pages, HYDRA.nextPage, Literal(f"{base}/catalog.{suffix}?page={listed.next}")))
    if listed.previous is not None:
        graph.add(
            (pages, HYDRA.previousPage, Literal(f"{base}/catalog.{suffix}?page={listed.previous}"))
        )
    return graph


def dataset_graph(base: str, d: PublicDataset) -> Graph:
    graph = _graph()
    add_dataset(graph, base, d)
    return graph


def serialize(graph: Graph, suffix: str) -> tuple[bytes, str]:
    fmt, media = SERIALIZATIONS[suffix]
    data = graph.serialize(format=fmt, encoding="utf-8")
    return data, media
