"""Open portal at scale on SQLite: 10,000 public datasets and one of 10,000,000 rows.

Targets (issue 7): ``package_search`` p95 < 50 ms; ``datastore_search`` 100-row pages on the
10-million-row dataset p95 < 200 ms; 50 concurrent anonymous clients for 60 s with no error
other than deliberate 429s. Baselines in the same process: the public index lookup alone
(``service.search`` without HTTP) and a bare DuckDB ``LIMIT 100 OFFSET n`` over the Parquet.

    python bench/bench_portal.py [--datasets 10000] [--rows 10000000] [--requests 200] [--seconds 60]
"""

from __future__ import annotations

import argparse
import random
import statistics
import sys
import tempfile
import threading
import time
from collections import Counter
from pathlib import Path

import duckdb
import httpx
import uvicorn
from fastapi.testclient import TestClient
from sqlalchemy import insert, select, text, update

sys.path.insert(0, str(Path(__file__).parent))
from bench_catalog import SUBJECTS, bulk_entries, setup
from hutong.catalog.facet_index import bump
from hutong.catalog.models import Resource
from hutong.core.db import AUDITED, Database
from hutong.data.models import DatasetVersion
from hutong.identity.authz import public_actor
from hutong.identity.models import Unit
from hutong.openportal import public, service
from hutong.openportal.models import Release
from hutong.web.app import create_app
from hutong.wiring import wire

COLUMNS = ["学校标识码", "年级", "性别", "在校生人数"]


def p95(samples: list[float]) -> float:
    return statistics.quantiles(samples, n=20)[18]


def write_parquet(target: Path, rows: int) -> None:
    target.mkdir(parents=True, exist_ok=True)
    connection = duckdb.connect(config={"threads": 2})
    connection.execute(
        f"""COPY (SELECT lpad((i % 300000)::VARCHAR, 10, '2') AS 学校标识码,
                lpad((i % 12 + 1)::VARCHAR, 2, '0') AS 年级, ((i % 2) + 1)::VARCHAR AS 性别,
                (5 + hash(i) % 300)::VARCHAR AS 在校生人数
            FROM range({rows}) t(i)) TO '{target / "part-0.parquet"}' (FORMAT parquet)"""
    )
    connection.close()


def make_public(db: Database, big_rows: int) -> str:
    """Every entry 主动公开 with a released version: all share a small file, the first a
    big one."""
    store = Path(db.settings.datasets_dir)
    write_parquet(store / "bench" / "small", 50)
    write_parquet(store / "bench" / "big", big_rows)
    with db.sessions() as session:
        unit = session.scalar(select(Unit.id).where(Unit.code == "MOE"))
        ids = list(session.scalars(select(Resource.id).order_by(Resource.id)))
    columns = [{"name": c, "type": "VARCHAR"} for c in COLUMNS]
    with db.transaction() as session:
        session.execute(update(Resource).values(open_type="proactive"))
        versions = [
            dict(
                id=rid,
                resource_id=rid,
                version=1,
                location="bench/big" if rid == ids[0] else "bench/small",
                rows=big_rows if rid == ids[0] else 50,
                columns=columns,
                content_sha256="0" * 64,
                source_name="bench.parquet",
                source_encoding="utf-8",
                rejected=0,
                quality={},
                quality_score=95.0,
                detection={"columns": {}},
                ingested_by="bench",
            )
            for rid in ids
        ]
        session.execute(insert(DatasetVersion), versions)
        session.execute(
            insert(Release),
            [
                dict(
                    resource_id=rid,
                    version_id=rid,
                    version=1,
                    state="public",
                    check_passed=True,
                    check_report={"passed": True, "problems": []},
                    requested_by="bench",
                    requested_unit_id=unit,
                    reviewed_by="bench",
                    risk_note="bench",
                )
                for rid in ids
            ],
        )
        bump(session.connection())
        session.info[AUDITED] = True  # bulk fixture load, not an operation
    with db.sessions() as session:
        code = session.scalar(select(Resource.code).where(Resource.id == ids[0]))
    return public.dataset_name(code) + "-v1-csv"


def timed(client: TestClient, urls: list[str]) -> list[float]:
    samples = []
    for url in urls:
        started = time.perf_counter()
        response = client.get(url)
        samples.append((time.perf_counter() - started) * 1000)
        assert response.status_code == 200, response.text[:300]
    return samples


def concurrent(app, clients: int, seconds: float, urls: list[str]) -> tuple[Counter, list[float]]:  # type: ignore[no-untyped-def]
    server = uvicorn.Server(
        uvicorn.Config(app, host="127.0.0.1", port=0, log_level="warning", lifespan="off")
    )
    thread = threading.Thread(target=server.run, daemon=True)
    thread.start()
    while not server.started:
        time.sleep(0.05)
    port = server.servers[0].sockets[0].getsockname()[1]
    codes: Counter = Counter()
    latencies: list[float] = []
    lock = threading.Lock()
    deadline = time.monotonic() + seconds

    def work(seed: int) -> None:
        rng = random.Random(seed)
        with httpx.Client(base_url=f"http://127.0.0.1:{port}", timeout=30) as http:
            while time.monotonic() < deadline:
                started = time.perf_counter()
                try:
                    status = http.get(rng.choice(urls)).status_code
                except httpx.HTTPError as error:
                    status = type(error).__name__
                with lock:
                    codes[status] += 1
                    if status == 200:
                        latencies.append((time.perf_counter() - started) * 1000)

    workers = [threading.Thread(target=work, args=(i,)) for i in range(clients)]
    for w in workers:
        w.start()
    for w in workers:
        w.join()
    server.should_exit = True
    thread.join(timeout=10)
    return codes, latencies


def main() -> None:
    wire()
    parser = argparse.ArgumentParser()
    parser.add_argument("--datasets", type=int, default=10_000)
    parser.add_argument("--rows", type=int, default=10_000_000)
    parser.add_argument("--requests", type=int, default=200)
    parser.add_argument("--seconds", type=float, default=60)
    parser.add_argument("--clients", type=int, default=50)
    args = parser.parse_args()
    rng = random.Random(11)
    with tempfile.TemporaryDirectory() as folder:
        started = time.perf_counter()
        db = setup(Path(folder))
        bulk_entries(db, args.datasets, 8)
        big = make_public(db, args.rows)
        with db.engine.begin() as connection:
            connection.execute(text("ANALYZE"))
        print(
            f"built {args.datasets:,} public datasets and one of {args.rows:,} rows in {time.perf_counter() - started:.0f} s"
        )
        settings = db.settings.model_copy(update={"portal_api_per_minute": 10**9})
        app = create_app(settings, db)
        with TestClient(app) as client:
            client.get("/api/3/action/package_search")  # the first call builds the index
            queries = [rng.choice(SUBJECTS) for _ in range(args.requests)]
            urls = [f"/api/3/action/package_search?q={q}&rows=20" for q in queries]
            search = timed(client, urls)
            base = []
            for q in queries:
                t = time.perf_counter()
                with db.transaction() as session:
                    service.search(session, public_actor("bench"), q=q, rows=20)
                base.append((time.perf_counter() - t) * 1000)
            offsets = [rng.randrange(0, args.rows - 100) for _ in range(args.requests)]
            pages = timed(
                client,
                [
                    f"/api/3/action/datastore_search?resource_id={big}&limit=100&offset={o}"
                    for o in offsets
                ],
            )
            first = timed(
                client,
                [
                    f"/api/3/action/datastore_search?resource_id={big}&limit=100&offset={o}"
                    for o in offsets[:50]
                    if o < 100_000
                ]
                or [f"/api/3/action/datastore_search?resource_id={big}&limit=100"],
            )
            raw = []
            path = Path(db.settings.datasets_dir) / "bench" / "big" / "part-0.parquet"
            for o in offsets:
                t = time.perf_counter()
                c = duckdb.connect()
                c.sql(f"SELECT * FROM read_parquet('{path}') LIMIT 100 OFFSET {o}").to_arrow_table()
                c.close()
                raw.append((time.perf_counter() - t) * 1000)
        print(
            f"package_search ({args.datasets:,} public, q + facets, rows=20): p50 {statistics.median(search):.1f} ms, p95 {p95(search):.1f} ms (target < 50 ms); baseline service.search without HTTP p95 {p95(base):.1f} ms → {p95(search) / p95(base):.2f}×"
        )
        print(
            f"datastore_search 100 rows at random offsets of {args.rows:,}: p50 {statistics.median(pages):.1f} ms, p95 {p95(pages):.1f} ms (target < 200 ms); bare DuckDB LIMIT/OFFSET p95 {p95(raw):.1f} ms → {p95(pages) / p95(raw):.2f}×; first pages p95 {p95(first) if len(first) > 1 else first[0]:.1f} ms"
        )
        urls = [
            *(f"/api/3/action/package_search?q={q}" for q in SUBJECTS[:5]),
            f"/api/3/action/datastore_search?resource_id={big}&limit=100",
            "/api/3/action/package_list?limit=100",
            "/",
        ]
        codes, latencies = concurrent(create_app(db.settings, db), args.clients, args.seconds, urls)
        errors = {k: v for k, v in codes.items() if k not in (200, 429)}
        print(
            f"{args.clients} concurrent anonymous clients for {args.seconds:.0f} s (default limit {db.settings.portal_api_per_minute}/min per address): {sum(codes.values()):,} requests, {codes[200]:,} × 200 (p95 {p95(latencies) if len(latencies) > 1 else 0:.0f} ms), {codes[429]:,} × 429, other {errors or 'none'}"
        )
        db.dispose()


if __name__ == "__main__":
    main()
