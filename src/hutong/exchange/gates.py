"""What must happen between the provider's approval and a grant, from the catalog entry:

- security review by 网信办 when the entry holds PI or is graded important or core
  (N2021 task 7: the security function reviews sharing needs and forms);
- a security and confidentiality agreement for PI, for important/core (secret-adjacent)
  data, and whenever the provider asks for one (commercial data) (M2018 §21, §39);
- the provincial education department's approval, recorded, for the PI of one million
  persons or more (N2021 task 9);
- a recorded security assessment and responsibility letter before children's information
  goes to a third party (N2021 task 10) — every applicant is a third party to the provider.
"""

from __future__ import annotations

from dataclasses import dataclass

from hutong.catalog.models import Resource
from hutong.catalog.vocab import Grade, reaches_million
from hutong.exchange.models import Application
from hutong.exchange.vocab import DocumentKind


@dataclass(frozen=True)
class Gates:
    security_review: bool
    documents: tuple[DocumentKind, ...]


def gates(resource: Resource, require_agreement: bool = False) -> Gates:
    important = resource.grade in (Grade.IMPORTANT, Grade.CORE)
    documents: list[DocumentKind] = []
    if resource.has_pi or important or require_agreement:
        documents.append(DocumentKind.AGREEMENT)
    if resource.has_pi and reaches_million(resource.approx_persons or 0):
        documents.append(DocumentKind.PROVINCIAL_APPROVAL)
    if resource.has_child_pi:
        documents.append(DocumentKind.CHILD_ASSESSMENT)
    return Gates(security_review=resource.has_pi or important, documents=tuple(documents))


def missing_documents(application: Application) -> list[DocumentKind]:
    have = {DocumentKind(d.kind) for d in application.documents}
    needed = gates(application.resource, application.require_agreement).documents
    return [kind for kind in needed if kind not in have]
