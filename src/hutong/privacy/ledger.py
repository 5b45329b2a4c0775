"""The consent ledger: every change of consents also written as a Parquet batch, so the one
question the rest of Hutong asks — may these subjects be processed for this purpose? — is a
join inside DuckDB over millions of rows, not a loop and not a round trip through the
metadata database (decision 0011).

A batch holds ``(subject, kind, code, version, state, batch)`` rows; a subject's current
state for one (kind, code) is its row in the newest batch. A batch counts only while its
``privacy_consent_batches`` row exists, which is written in the same transaction as the
consents, so a file left by a rolled-back transaction is never read. ``compact`` folds a
system's batches into one.
"""

from __future__ import annotations

import uuid
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from pathlib import Path

import pyarrow as pa
import pyarrow.parquet as pq
from sqlalchemy import delete, select
from sqlalchemy.orm import Session
from sqlglot import exp

from hutong.audit.service import Category, record
from hutong.data.engine import Connection, scratch
from hutong.data.sql import literal
from hutong.identity.authz import Actor, Target, authorize
from hutong.identity.roles import Action
from hutong.privacy import consented, notices, subjects
from hutong.privacy.keys import PseudonymKey
from hutong.privacy.models import ConsentBatch

SCHEMA = pa.schema(
    [
        ("subject", pa.string()),
        ("kind", pa.string()),
        ("code", pa.string()),
        ("version", pa.int32()),
        ("state", pa.string()),
        ("batch", pa.int64()),
    ]
)


def root(session: Session) -> Path:
    return session.info["settings"].data_dir / "privacy" / "consents"


@dataclass(frozen=True)
class Change:
    subject: str
    kind: str
    code: str
    version: int
    state: str  # given | withdrawn


def write(session: Session, system_id: int, changes: Sequence[Change]) -> ConsentBatch | None:
    """Append one batch of changes (called by the consent service inside its transaction)."""
    if not changes:
        return None
    folder = root(session) / str(system_id)
    folder.mkdir(parents=True, exist_ok=True)
    name = f"batch-{uuid.uuid4().hex}.parquet"
    batch = ConsentBatch(system_id=system_id, file=f"{system_id}/{name}", rows=len(changes))
    session.add(batch)
    session.flush()
    _write_file(folder / name, changes, batch.id)
    return batch


def _write_file(path: Path, changes: Iterable[Change], batch_id: int) -> None:
    rows = list(changes)
    table = pa.table(
        {
            "subject": [c.subject for c in rows],
            "kind": [c.kind for c in rows],
            "code": [c.code for c in rows],
            "version": pa.array([c.version for c in rows], pa.int32()),
            "state": [c.state for c in rows],
            "batch": pa.array([batch_id] * len(rows), pa.int64()),
        },
        schema=SCHEMA,
    )
    tmp = path.with_suffix(".tmp")
    pq.write_table(table, tmp, compression="zstd")
    tmp.rename(path)


def files(session: Session, system_id: int) -> list[Path]:
    base = root(session)
    rows = session.scalars(
        select(ConsentBatch.file)
        .where(ConsentBatch.system_id == system_id)
        .order_by(ConsentBatch.id)
    )
    return [base / f for f in rows]


# --------------------------------------------------------------------------------- bulk check
@dataclass(frozen=True)
class ConsentSet:
    """Everything the data plane needs to answer the question for one (system, purpose,
    sensitive categories): the ledger files, the oldest notice version that still counts and
    the pseudonym key (its pads are bind parameters, never SQL text)."""

    system_id: int
    purpose: str
    categories: tuple[str, ...]
    baseline: int
    files: tuple[Path, ...]
    key: PseudonymKey

    def params(self) -> dict[str, str]:
        return self.key.params()

    def install(self, connection: Connection, name: str = "consented") -> str:
        """Create the view ``name(subject)``: pseudonyms that may be processed — a valid
        consent to the purpose and to each sensitive category, none withdrawn, none given
        under a notice version older than the latest material change."""
        query = consented.subjects_query(
            [str(p) for p in self.files],
            consented.wanted(self.purpose, self.categories),
            self.baseline,
        )
        connection.execute(f"CREATE OR REPLACE VIEW {name} AS {query.sql('duckdb')}")
        return name

    def allowed(self, column: exp.Expression, view: str = "consented") -> exp.Expression:
        """A predicate over a dataset's ID column: true where the subject may be processed
        (the exchange filters on it, or refuses when any row fails)."""
        subquery = exp.select("subject").from_(view)
        return exp.In(this=subjects.pseudonym_sql(column), query=exp.Subquery(this=subquery))


def open_check(
    session: Session,
    actor: Actor,
    system_id: int,
    purpose: str,
    categories: Sequence[str] = (),
    purpose_of_use: str | None = None,
) -> ConsentSet:
    """Authorize and audit the bulk question for one system and purpose; the caller then runs
    it in DuckDB (``count`` or its own query with ``ConsentSet.allowed``)."""
    system = notices.scoped_system(session, actor, Action.CONSENT_CHECK, system_id)
    record(
        session,
        actor,
        "consent.check",
        category=Category.QUERY,
        target=Target("system", str(system.id), system.owner_unit_id),
        purpose=purpose_of_use or purpose,
        details={"purpose": purpose, "categories": list(categories)},
    )
    return consent_set(session, system.id, purpose, categories)


def consent_set(
    session: Session, system_id: int, purpose: str, categories: Sequence[str] = ()
) -> ConsentSet:
    """The ledger as it stands for one system and purpose, unaudited: for callers that
    authorized the question themselves (``open_check``; the exchange, whose grant names its
    legal basis)."""
    return ConsentSet(
        system_id,
        purpose,
        tuple(categories),
        notices.baseline(session, system_id),
        tuple(files(session, system_id)),
        subjects.key(session),
    )


def count(
    connection: Connection, relation: str, column: str, consents: ConsentSet
) -> tuple[int, int]:
    """(rows that may be processed, rows that may not) of ``relation`` by its ID ``column``,
    one semi-join inside DuckDB."""
    view = consents.install(connection, "hutong_consented")
    test = consents.allowed(exp.column(column, quoted=True), view).sql("duckdb")
    allowed, total = connection.execute(
        f"SELECT COUNT(*) FILTER (WHERE {test}), COUNT(*) FROM {relation}", consents.params()
    ).fetchall()[0]
    return int(allowed), int(total) - int(allowed)


def flags(connection: Connection, ids: Sequence[str], consents: ConsentSet) -> list[bool]:
    """Per ID (in order): may it be processed. For API callers with a list of IDs."""
    connection.register("hutong_ids", pa.table({"id": list(ids), "n": range(len(ids))}))
    view = consents.install(connection, "hutong_consented")
    test = consents.allowed(exp.column("id"), view).sql("duckdb")
    rows = connection.execute(
        f"SELECT COALESCE({test}, false) FROM hutong_ids ORDER BY n", consents.params()
    ).fetchall()
    return [bool(r[0]) for r in rows]


def check(ids: Sequence[str], consents: ConsentSet) -> list[bool]:
    """``flags`` on a scratch connection of its own, closed after: the bulk check of the API
    and the console, which bring the IDs and no connection."""
    with scratch() as connection:
        return flags(connection, ids, consents)


def compact(session: Session, actor: Actor, system_id: int) -> int:
    """Fold a system's batches into one file holding each key's newest row (PI officer or
    steward of the owner unit); returns the rows kept."""
    system = notices.system_by_id(session, system_id)
    authorize(session, actor, Action.CONSENT_RECORD, notices.system_target(system))
    old = files(session, system.id)
    if len(old) < 2:
        return sum(1 for _ in old)
    folder = root(session) / str(system.id)
    name = f"batch-{uuid.uuid4().hex}.parquet"
    session.execute(delete(ConsentBatch).where(ConsentBatch.system_id == system.id))
    batch = ConsentBatch(system_id=system.id, file=f"{system.id}/{name}", rows=0)
    session.add(batch)
    session.flush()
    paths = ", ".join(literal(str(p)) for p in old)
    connection = scratch()
    try:
        table = connection.sql(
            f"""SELECT subject, kind, code, arg_max(version, batch)::INTEGER AS version,
                       arg_max(state, batch) AS state, {batch.id}::BIGINT AS batch
                FROM read_parquet([{paths}]) GROUP BY subject, kind, code"""
        ).to_arrow_table()
    finally:
        connection.close()
    pq.write_table(table.cast(SCHEMA), folder / name, compression="zstd")
    batch.rows = table.num_rows
    record(
        session,
        actor,
        "consent.compact",
        category=Category.UPDATE,
        target=notices.system_target(system),
        rows=table.num_rows,
        details={"batches": len(old)},
    )
    return table.num_rows
