"""Detector on the audit stream: catch-up speed, cost per event against the cost of
appending the event, and a sustained run with the producer and the detector side by side.

Targets (issue 16): 1,000 audit events/s sustained with all shipped rules, alert latency
p95 <= 5 s from the event's commit, detector CPU <= 25 % of one core, no event skipped (the
cursor proves it: events read == chain head - starting cursor). The issue's full run is
10 minutes (``--seconds 600``); the default is a short run.

The workload is a mix of what the platform writes — grant queries and deliveries, catalog
reads, public downloads, logins, refusals — with a trigger every few seconds (a burst of
refusals, failed logins across accounts, an account at a new address), so rules fire.

    python bench/bench_monitor.py [--events 5000] [--seconds 20] [--rate 1000]
"""

from __future__ import annotations

import argparse
import json
import random
import statistics
import tempfile
import threading
import time
from pathlib import Path

from sqlalchemy import select

from hutong.audit.models import AuditEvent
from hutong.audit.service import Category, EventInput, Outcome, record_many
from hutong.core.db import Database
from hutong.core.settings import Settings
from hutong.identity.authz import Actor, Target, public_actor
from hutong.migrations import upgrade
from hutong.monitor.detector import Detector, monitor_actor
from hutong.monitor.models import Alert
from hutong.wiring import wire

USERS = 50


def user(n: int, address: str | None = None) -> Actor:
    return Actor(
        kind="user",
        id=str(100 + n),
        name=f"consumer.{n:02d}",
        unit_id=3,
        unit_code="11110000000012345X",
        roles=frozenset({"data_consumer"}),  # type: ignore[arg-type]
        client_address=address or f"10.0.{n % 4}.{n}",
    )


def ordinary(rng: random.Random) -> EventInput:
    """One event of the everyday mix."""
    n, roll = rng.randrange(USERS), rng.random()
    who, code = user(n), f"4111010001/30101/{rng.randrange(200):06d}"
    if roll < 0.4:
        return EventInput(
            who,
            "data.query",
            Category.QUERY,
            Target("resource", code),
            details={"grant": f"G{n:04d}", "format": "json"},
        )
    if roll < 0.8:
        rows = rng.randrange(1, 500)
        return EventInput(
            who,
            "data.delivered",
            Category.QUERY,
            Target("resource", code),
            rows=rows,
            details={"grant": f"G{n:04d}", "bytes": rows * 80},
        )
    if roll < 0.9:
        return EventInput(who, "catalog.read", Category.QUERY, Target("resource", code), rows=1)
    if roll < 0.95:
        visitor = public_actor(f"198.51.100.{rng.randrange(250)}")
        return EventInput(
            visitor,
            "portal.download",
            Category.EXPORT,
            Target("dataset", f"d{rng.randrange(20)}"),
            rows=1000,
        )
    if roll < 0.98:
        return EventInput(who, "auth.login", Category.LOGIN, Target("user", who.name))
    return EventInput(who, "key.manage", Category.ACCESS, outcome=Outcome.DENIED)


def triggers(rng: random.Random) -> list[EventInput]:
    """What should raise alerts: probing, brute force across accounts, a new address."""
    prober = user(rng.randrange(USERS))
    probing = [EventInput(prober, "key.manage", Category.ACCESS, outcome=Outcome.DENIED)] * 12
    attacker = Actor(
        kind="anonymous",
        id="-",
        name="unknown:x",
        unit_id=None,
        unit_code=None,
        client_address=f"203.0.113.{rng.randrange(250)}",
    )
    spraying = [
        EventInput(
            attacker,
            "auth.login",
            Category.LOGIN,
            Target("user", f"consumer.{k:02d}"),
            outcome=Outcome.FAILED,
        )
        for k in range(6)
    ]
    moved = user(rng.randrange(USERS), f"192.0.2.{rng.randrange(250)}")
    return [
        *probing,
        *spraying,
        EventInput(moved, "catalog.read", Category.QUERY, Target("resource", "x")),
    ]


def fresh(folder: Path) -> Database:
    db = Database(Settings(data_dir=folder))
    upgrade(db)
    return db


def append_cost(db: Database, rng: random.Random, n: int) -> tuple[float, float]:
    """(cpu s, wall s) per event, one event per transaction as services append them."""
    cpu, wall = time.process_time(), time.perf_counter()
    for _ in range(n):
        with db.transaction() as session:
            record_many(session, [ordinary(rng)])
    return (time.process_time() - cpu) / n, (time.perf_counter() - wall) / n


def catch_up(db: Database, rng: random.Random, n: int, append_cpu: float) -> None:
    detector = Detector(db)
    detector.drain(monitor_actor())  # first start: learns what is there
    for start in range(0, n, 500):
        with db.transaction() as session:
            record_many(
                session, [ordinary(rng) for _ in range(min(500, n - start))] + triggers(rng)
            )
    cpu, wall = time.process_time(), time.perf_counter()
    report = detector.drain(monitor_actor())
    cpu, wall = time.process_time() - cpu, time.perf_counter() - wall
    per_event = cpu / report.read
    print(
        f"catch-up    : {report.read:,} events in {wall:.2f} s = {report.read / wall:,.0f} events/s"
    )
    print(
        f"              detector cpu {per_event * 1e6:,.0f} µs/event; append cpu {append_cpu * 1e6:,.0f} µs/event; ratio {per_event / append_cpu:.2f}"
    )
    print(
        f"              {len(detector.rules.rules)} rules, alerts raised {report.raised}, repeated {report.repeated}"
    )


def produce(
    db: Database,
    rng: random.Random,
    rate: int,
    seconds: float,
    stop: threading.Event,
    tally: list[int],
) -> None:
    """``rate`` events/s in 20 commits a second, a trigger burst every 5 s."""
    tick, started = 0.05, time.perf_counter()
    per_tick = max(1, int(rate * tick))
    while not stop.is_set() and time.perf_counter() - started < seconds:
        due = started + tick * (tally[0] // per_tick + 1)
        batch = [ordinary(rng) for _ in range(per_tick)]
        if tally[0] // per_tick % int(5 / tick) == 0:
            burst = triggers(rng)
            batch[: len(burst)] = burst
        with db.transaction() as session:
            record_many(session, batch)
        tally[0] += len(batch)
        time.sleep(max(0.0, due - time.perf_counter()))


def sustained(db: Database, rng: random.Random, rate: int, seconds: float) -> None:
    detector, actor = Detector(db), monitor_actor()
    start = detector.drain(actor).cursor
    stop, tally = threading.Event(), [0]
    producer = threading.Thread(target=produce, args=(db, rng, rate, seconds, stop, tally))
    cpu, wall, read = time.thread_time(), time.perf_counter(), 0
    producer.start()
    while producer.is_alive():
        report = detector.step(actor)
        read += report.read
        if report.read < detector.batch_size:
            time.sleep(db.settings.monitor_poll_seconds)
    read += detector.drain(actor).read
    cpu, wall = time.thread_time() - cpu, time.perf_counter() - wall
    with db.sessions() as session:
        head = session.scalar(select(AuditEvent.seq).order_by(AuditEvent.seq.desc()).limit(1))
        latencies = alert_latencies(session)
        alerts = session.query(Alert).count()
    print(
        f"sustained   : {tally[0]:,} events in {wall:.1f} s = {tally[0] / wall:,.0f} events/s (target rate {rate:,})"
    )
    print(f"              detector cpu {cpu / wall:.1%} of one core (target <= 25 %)")
    if latencies:
        p95 = statistics.quantiles(latencies, n=20)[-1] if len(latencies) > 1 else latencies[0]
        print(
            f"              alert latency from event commit: p50 {statistics.median(latencies):.2f} s, p95 {p95:.2f} s over {len(latencies)} alert events, {alerts} alerts"
        )
    print(
        f"              events read {read:,} = head {head:,} - start {start:,}: {'yes' if read == head - start else 'NO'}, none skipped or read twice"
    )


def alert_latencies(session) -> list[float]:  # type: ignore[no-untyped-def]
    """Seconds from the triggering event's append to the alert's audit event."""
    raised = session.execute(
        select(AuditEvent.ts_us, AuditEvent.details).where(
            AuditEvent.event.in_(["alert.raise", "alert.repeat"])
        )
    ).all()
    triggers_at = {}
    seqs = [json.loads(details)["last_seq"] for _, details in raised]
    for seq, ts in session.execute(
        select(AuditEvent.seq, AuditEvent.ts_us).where(AuditEvent.seq.in_(seqs))
    ):
        triggers_at[seq] = ts
    return [(ts - triggers_at[s]) / 1e6 for (ts, _), s in zip(raised, seqs, strict=True)]


def main() -> None:
    wire()
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--events", type=int, default=5_000, help="catch-up events")
    parser.add_argument("--seconds", type=float, default=20.0, help="sustained run length")
    parser.add_argument("--rate", type=int, default=1_000, help="sustained events per second")
    args = parser.parse_args()
    rng = random.Random(16)
    with tempfile.TemporaryDirectory() as tmp:
        db = fresh(Path(tmp) / "catch-up")
        append_cpu, append_wall = append_cost(db, rng, 1_000)
        print(
            f"append      : {append_cpu * 1e6:,.0f} µs cpu, {append_wall * 1e6:,.0f} µs wall per event (one event per transaction)"
        )
        catch_up(db, rng, args.events, append_cpu)
        db.dispose()
        db = fresh(Path(tmp) / "sustained")
        sustained(db, rng, args.rate, args.seconds)
        db.dispose()


if __name__ == "__main__":
    main()
