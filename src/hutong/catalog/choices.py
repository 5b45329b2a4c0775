"""What the entry form offers to choose from beyond the code lists: the nodes of the
classification tree and the registered information systems (an entry's source system)."""

from __future__ import annotations

from dataclasses import dataclass

from sqlalchemy import select
from sqlalchemy.orm import Session

from hutong.catalog.models import Classification, InformationSystem


@dataclass
class FormChoices:
    #: (code, name, level) of every classification node, in code order (the tree's order).
    classifications: list[tuple[str, str, int]]
    #: (id, name) of every registered information system, by name.
    systems: list[tuple[int, str]]


def form_choices(session: Session) -> FormChoices:
    classes = session.execute(
        select(Classification.code, Classification.name, Classification.level).order_by(
            Classification.code
        )
    ).all()
    systems = session.execute(
        select(InformationSystem.id, InformationSystem.name).order_by(InformationSystem.name)
    ).all()
    return FormChoices(
        [(code, name, level) for code, name, level in classes],
        [(i, name) for i, name in systems],
    )
