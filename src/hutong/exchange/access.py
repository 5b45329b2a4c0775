"""Online access under a grant (M2018 §20–22, DESIGN rule 7): structured queries and
read-only SQL compiled by the policy compiler, streamed as JSON, CSV, Parquet or Arrow IPC.

One short transaction authorizes, resolves the grant (revoked or narrowed grants are read
afresh, so a change takes effect on the next query), enforces the rate limit, compiles,
reserves the rows the statement can return against the day's volume, opens the dataset
version and audits the call (grant, purpose, items, format). The engine then runs the
statement up to its first batch, within the query limits (``data/limits.py``), so an error
there is a 4xx answer, not a cut-short 200. The rows then stream with no transaction open; a
second transaction settles the day's usage to the rows actually sent and audits rows and
bytes, or the failure (``data.delivered``, outcome failed, with what stopped it). Any refusal
is audited as denied and returns no data.
"""

from __future__ import annotations

import secrets
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field, replace
from datetime import datetime, timedelta

import pyarrow as pa
from sqlalchemy import select
from sqlalchemy.orm import Session

from hutong.audit.service import Category, Outcome, record
from hutong.catalog.service import by_code
from hutong.core import clock
from hutong.core.clock import as_utc
from hutong.core.db import Database
from hutong.core.errors import HutongError, NotFound
from hutong.data import export
from hutong.data.access import StoredFiles, open_version
from hutong.data.engine import DuckDBEngine, Engine, QueryStream
from hutong.data.ingest import current
from hutong.data.limits import ClientGone, Stop
from hutong.exchange import basis, delivery, grants
from hutong.exchange.errors import OnlineOnly, RateLimited
from hutong.exchange.models import Delivery, Grant, GrantUsage
from hutong.exchange.refusals import audited_refusal
from hutong.exchange.schemas import QueryIn, SqlIn
from hutong.identity.authz import Actor, Target, authorize
from hutong.identity.roles import Action
from hutong.policy import structured
from hutong.policy.compiler import CompiledQuery, compile_sql
from hutong.policy.grant import AccessMode
from hutong.policy.request import Request
from hutong.privacy.keys import PseudonymKey, for_domain

WINDOW = timedelta(minutes=1)
Compile = Callable[[Request, PseudonymKey | None], CompiledQuery]


@dataclass
class Prepared:
    """Everything the stream needs, resolved inside the authorizing transaction."""

    files: StoredFiles
    compiled: CompiledQuery
    request: Request
    grant_id: int
    grant_code: str
    target: Target
    fmt: str
    token: str | None = None
    delivery_id: int | None = None


@dataclass
class Result:
    """A response to stream: its chunks (the usage is settled when they end or are closed)."""

    chunks: Iterator[bytes]
    media_type: str
    headers: dict[str, str] = field(default_factory=dict)

    def close(self) -> None:
        """Stop streaming (the client left): the query ends and its usage is settled."""
        close = getattr(self.chunks, "close", None)
        if close is not None:
            close()


def usage_row(session: Session, grant: Grant, now: datetime) -> GrantUsage:
    day = clock.local(now).date()
    row = session.get(GrantUsage, (grant.id, day))
    if row is None:
        row = GrantUsage(grant_id=grant.id, day=day, queries=0, denied=0, rows=0, bytes=0)
        row.window_calls = 0
        session.add(row)
    return row


def _rate(grant: Grant, usage: GrantUsage, now: datetime) -> None:
    """At most ``requests_per_minute`` calls in a one-minute window."""
    if usage.window_start is None or now - as_utc(usage.window_start) >= WINDOW:
        usage.window_start, usage.window_calls = now, 0
    if grant.requests_per_minute is not None and usage.window_calls >= grant.requests_per_minute:
        raise RateLimited()
    usage.window_calls += 1


def _count_denial(grant_id: int, now: datetime) -> Callable[[Session], None]:
    def _denied(session: Session) -> None:
        grant = session.get(Grant, grant_id)
        if grant is not None:
            usage_row(session, grant, now).denied += 1

    return _denied


def prepare(
    session: Session, actor: Actor, code: str, grant_code: str | None, fmt: str, build: Compile
) -> Prepared:
    resource = by_code(session, code)
    target = Target("resource", resource.code, resource.provider_unit_id)
    authorize(session, actor, Action.DATA_QUERY, target)
    now = clock.utcnow()
    with audited_refusal(actor, "data.query", target, format=fmt) as extra:
        grant = grants.for_query(session, actor, resource, grant_code)
        extra["grant"] = grant.code
        extra["on_denied"] = _count_denial(grant.id, now)
        if fmt != "json" and grant.access_mode == AccessMode.ONLINE_ONLY:
            raise OnlineOnly()
        version = current(session, resource.id)
        if version is None:
            raise NotFound("该信息资源尚无数据", "the resource has no data yet", field="code")
        usage = usage_row(session, grant, now)
        _rate(grant, usage, now)
        consent, consent_params = basis.consent_filter(session, grant)
        policy = grants.policy(grant, consent)
        request = Request(policy, now, rows_used_today=usage.rows)
        key = (
            for_domain(session.info["settings"].keys_dir, policy.pseudonym_domain)
            if policy.keyed
            else None
        )
        compiled = build(request, key)
        compiled = replace(compiled, params={**compiled.params, **consent_params})
        files = open_version(session, version)
    usage.queries += 1
    usage.rows += compiled.row_cap  # reserved; settled to the rows actually sent
    prepared = Prepared(files, compiled, request, grant.id, grant.code, target, fmt)
    if fmt != "json":
        prepared.token = secrets.token_hex(8)
        row = Delivery(
            token=prepared.token,
            grant_id=grant.id,
            format=fmt,
            recipient=actor.name,
            created_at=now,
        )
        session.add(row)
        session.flush()
        prepared.delivery_id = row.id
    record(
        session,
        actor,
        "data.query",
        category=Category.QUERY if fmt == "json" else Category.EXPORT,
        target=target,
        purpose=policy.purpose[:256],
        details={
            "grant": grant.code,
            "revision": grant.revision,
            "items": list(compiled.items),
            "format": fmt,
            "row_cap": compiled.row_cap,
            "version": version.version,
            **({"consent": grant.consent_purpose} if consent else {}),
        },
    )
    return prepared


def settle(
    db: Database,
    actor: Actor,
    prepared: Prepared,
    tally: delivery.Tally,
    failure: HutongError | None = None,
) -> None:
    """Return the unused reservation, count bytes, record the delivery, audit rows/bytes, or
    the failure that stopped the query (outcome failed, ``stopped`` naming it)."""
    with db.transaction() as session:
        grant = session.get(Grant, prepared.grant_id)
        assert grant is not None
        usage = usage_row(session, grant, prepared.request.now)
        usage.rows -= prepared.compiled.row_cap - tally.rows
        usage.bytes += tally.bytes
        if prepared.delivery_id is not None:
            row = session.get(Delivery, prepared.delivery_id)
            assert row is not None
            row.rows, row.bytes, row.sha256 = tally.rows, tally.bytes, tally.sha256
        record(
            session,
            actor,
            "data.delivered",
            category=Category.QUERY if prepared.fmt == "json" else Category.EXPORT,
            target=prepared.target,
            outcome=Outcome.ALLOWED if failure is None else Outcome.FAILED,
            rows=tally.rows,
            purpose=prepared.request.grant.purpose[:256],
            details={
                "grant": prepared.grant_code,
                "items": list(prepared.compiled.items),
                "format": prepared.fmt,
                "bytes": tally.bytes,
                **({"delivery": prepared.token} if prepared.token else {}),
                **({"stopped": failure.code} if failure is not None else {}),
            },
        )


def _started(
    db: Database, actor: Actor, prepared: Prepared, engine: Engine, stop: Stop
) -> QueryStream:
    """The statement run up to its first batch. A failure or stop there is settled (audited
    as failed, the reserved rows returned) and raised before any byte is sent."""
    compiled = prepared.compiled
    stream = engine.stream(prepared.files, compiled.sql, compiled.params, stop)
    try:
        stream.start()
    except HutongError as error:
        settle(db, actor, prepared, delivery.Tally(), error)
        raise
    return stream


def _encoded(
    prepared: Prepared, batches: Iterator[pa.RecordBatch], head: dict[str, object]
) -> Iterator[bytes]:
    columns = prepared.compiled.columns
    if prepared.fmt == "json":
        return export.json_envelope(batches, list(columns), head)
    schema = export.text_schema(columns)
    return delivery.encode_file(batches, prepared.fmt, prepared.token or "", schema)


def _stream(
    db: Database, actor: Actor, prepared: Prepared, stream: QueryStream, head: dict[str, object]
) -> Iterator[bytes]:
    """The encoded rows, settled when they end, fail or are abandoned. An error once bytes
    were sent ends the body with the format's error trailer, after it is audited."""
    tally = delivery.Tally()
    # What ends the stream early but a typed failure (the client leaving closes this
    # generator) is settled as the client gone.
    failure: HutongError | None = ClientGone()
    try:
        yield from tally.count_bytes(_encoded(prepared, tally.count_rows(stream), head))
        failure = None
    except HutongError as error:
        failure = error
    finally:
        stream.close()
        settle(db, actor, prepared, tally, failure)
    if failure is not None:
        yield delivery.trailer(prepared.fmt, failure, len(prepared.compiled.columns))


def _headers(prepared: Prepared, code: str) -> dict[str, str]:
    headers = {"X-Hutong-Grant": prepared.grant_code}
    if prepared.token:
        name = f"{code.replace('/', '-')}-{prepared.token}.{delivery.SUFFIXES[prepared.fmt]}"
        headers["Content-Disposition"] = f'attachment; filename="{name}"'
    return headers


def run_sql(
    db: Database,
    actor: Actor,
    code: str,
    body: SqlIn,
    engine: Engine | None = None,
    stop: Stop | None = None,
) -> Result:
    """Read-only SQL over ``dataset``, compiled under the grant, run up to its first batch,
    then streamed; ``stop`` stops it from another thread."""
    with db.transaction() as session:
        prepared = prepare(
            session,
            actor,
            code,
            body.grant,
            body.format,
            lambda request, key: compile_sql(body.sql, request, key),
        )
    engine = engine or DuckDBEngine.for_queries(db.settings)
    stream = _started(db, actor, prepared, engine, stop or Stop())
    chunks = _stream(db, actor, prepared, stream, {"grant": prepared.grant_code})
    return Result(chunks, delivery.MEDIA_TYPES[body.format], _headers(prepared, code))


def run_query(
    db: Database,
    actor: Actor,
    code: str,
    body: QueryIn,
    engine: Engine | None = None,
    stop: Stop | None = None,
) -> Result:
    """A structured query (items, filters, sort, cursor page). JSON pages carry the next
    page's cursor, so they are read whole before the answer; the other formats stream the
    page as a file."""
    query = structured.StructuredQuery.model_validate(body.model_dump(exclude={"grant", "format"}))
    with db.transaction() as session:
        prepared = prepare(
            session,
            actor,
            code,
            body.grant,
            body.format,
            lambda request, key: structured.compile_query(query, request, key),
        )
    engine = engine or DuckDBEngine.for_queries(db.settings)
    stream = _started(db, actor, prepared, engine, stop or Stop())
    if body.format != "json":
        return Result(
            _stream(db, actor, prepared, stream, {}),
            delivery.MEDIA_TYPES[body.format],
            _headers(prepared, code),
        )
    tally = delivery.Tally()
    failure: HutongError | None = None
    try:
        compiled = prepared.compiled
        batches = list(tally.count_rows(stream))
        rows = [tuple(r) for b in batches for r in export.json_rows(b)]
        cursor = structured.next_page(query, prepared.request, compiled, rows)  # type: ignore[arg-type]
        head = {"grant": prepared.grant_code, "next_cursor": cursor}
        payload = b"".join(export.json_envelope(batches, list(compiled.columns), head))
        tally.bytes = len(payload)
    except HutongError as error:
        failure = error
        raise
    finally:
        settle(db, actor, prepared, tally, failure)
    return Result(iter([payload]), delivery.MEDIA_TYPES["json"], _headers(prepared, code))


def trace(session: Session, actor: Actor, path) -> Delivery:  # type: ignore[no-untyped-def]
    """The delivery (and so the grant and recipient) a file came from: by the fingerprint
    it carries, else by its SHA-256."""
    authorize(session, actor, Action.GRANT_TRACE)
    token, sha = delivery.read_fingerprint(path)
    found = None
    if token:
        found = session.scalar(select(Delivery).where(Delivery.token == token))
    if found is None:
        found = session.scalar(select(Delivery).where(Delivery.sha256 == sha))
    with audited_refusal(actor, "grant.trace", sha256=sha):
        if found is None:
            raise NotFound(
                "文件不是本平台交付的，或已无法识别", "no delivery matches this file", field="file"
            )
    record(
        session,
        actor,
        "grant.trace",
        category=Category.QUERY,
        target=grants.target(found.grant),
        rows=1,
        details={"delivery": found.token, "by": "fingerprint" if token else "sha256"},
    )
    return found
