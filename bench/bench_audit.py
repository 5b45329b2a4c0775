"""Audit spine throughput on SQLite: chained append in batches, and full-chain verification.

Targets (issue 2): append >= 20,000 events/s, verify >= 200,000 events/s on a 2-core machine.
Baselines run in the same process: the same rows inserted without hashing, and the same
table scanned without hashing, so the ratios show what the chain itself costs.

    python bench/bench_audit.py [--events 200000] [--batch 1000]
"""

from __future__ import annotations

import argparse
import tempfile
import time
from pathlib import Path

from sqlalchemy import insert

from hutong.audit.chain import CHAINED_COLUMNS
from hutong.audit.models import AuditEvent
from hutong.audit.service import Category, EventInput, record_many
from hutong.audit.verify import verify_chain
from hutong.core.db import AUDITED, Database
from hutong.core.settings import Settings
from hutong.identity.authz import Actor, Target
from hutong.migrations import upgrade
from hutong.wiring import wire


def fresh_db(folder: Path, algorithm: str) -> Database:
    db = Database(Settings(data_dir=folder, audit_hash=algorithm))
    upgrade(db)
    return db


def actor() -> Actor:
    return Actor(
        kind="user",
        id="42",
        name="steward.jsgzs",
        unit_id=3,
        unit_code="MOE-JSGZS",
        roles=frozenset({"data_steward"}),
        client_address="10.1.2.3",
        request_id="0123456789abcdef0123456789abcdef",
    )  # type: ignore[arg-type]


def items(n: int) -> list[EventInput]:
    who = actor()
    return [
        EventInput(
            who,
            "catalog.update",
            Category.UPDATE,
            Target("resource", f"360A01{i:06d}", 3),
            rows=1,
            details={"version": i % 7},
        )
        for i in range(n)
    ]


def append(db: Database, events: list[EventInput], batch: int) -> float:
    started = time.perf_counter()
    for start in range(0, len(events), batch):
        with db.transaction() as session:
            record_many(session, events[start : start + batch])
    return time.perf_counter() - started


def append_baseline(db: Database, n: int, batch: int) -> float:
    """Same row shape, no hash chain: a plain batched INSERT."""
    row = {c: "x" for c in CHAINED_COLUMNS} | {
        "ts_us": 0,
        "rows": 1,
        "prev_hash": "0" * 64,
        "hash": "0" * 64,
    }
    started = time.perf_counter()
    seq = 0
    for _ in range(0, n, batch):
        rows = []
        for _ in range(batch):
            seq += 1
            rows.append({**row, "seq": seq})
        with db.transaction() as session:
            session.execute(insert(AuditEvent), rows)
            session.info[AUDITED] = True
    return time.perf_counter() - started


def scan_baseline(db: Database) -> float:
    raw = db.engine.raw_connection()
    started = time.perf_counter()
    cursor = raw.cursor()
    cursor.execute(
        f"SELECT {', '.join(CHAINED_COLUMNS)}, prev_hash, hash FROM audit_events ORDER BY seq"
    )
    while cursor.fetchmany(20_000):
        pass
    elapsed = time.perf_counter() - started
    raw.close()
    return elapsed


def main() -> None:
    wire()
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--events", type=int, default=200_000)
    parser.add_argument("--batch", type=int, default=1_000)
    args = parser.parse_args()
    n = args.events
    with tempfile.TemporaryDirectory() as tmp:
        base = fresh_db(Path(tmp) / "baseline", "sha256")
        t_insert = append_baseline(base, n, args.batch)
        t_scan = scan_baseline(base)
        base.dispose()
        print(f"events: {n:,}, batch: {args.batch:,}")
        print(f"baseline plain insert : {n / t_insert:12,.0f} events/s")
        print(f"baseline plain scan   : {n / t_scan:12,.0f} events/s")
        for algorithm in ("sm3", "sha256"):
            db = fresh_db(Path(tmp) / algorithm, algorithm)
            events = items(n)
            t_append = append(db, events, args.batch)
            started = time.perf_counter()
            report = verify_chain(db.engine, db.settings)
            t_verify = time.perf_counter() - started
            assert report.ok and report.events == n, report.problems[:1]
            print(
                f"{algorithm:6} chained append: {n / t_append:12,.0f} events/s "
                f"(target >= 20,000; {t_append / t_insert:.2f}x baseline insert time)"
            )
            print(
                f"{algorithm:6} verify        : {n / t_verify:12,.0f} events/s "
                f"(target >= 200,000; {t_verify / t_scan:.2f}x baseline scan time)"
            )
            db.dispose()


if __name__ == "__main__":
    main()
