"""Catalog at scale on SQLite: 100,000 entries with 2,000,000 items.

Targets (issue 3): search p95 < 100 ms; the faceted console list page p95 < 200 ms; importing
a 10,000-entry workbook < 60 s. Baselines in the same process: the bare FTS5 match for a
search, and reading the same workbook with openpyxl for the import.

    python bench/bench_catalog.py [--entries 100000] [--items 20] [--requests 200] [--import-entries 10000]
"""

from __future__ import annotations

import argparse
import random
import statistics
import tempfile
import time
from pathlib import Path

from fastapi.testclient import TestClient
from sqlalchemy import insert, select, text

from hutong.catalog import service, transfer, workbook
from hutong.catalog.models import Classification, Item, Resource
from hutong.catalog.schemas import ItemIn, ResourceIn
from hutong.catalog.tokens import tokens
from hutong.core.db import AUDITED, Database
from hutong.core.settings import Settings
from hutong.identity.auth import actor_for
from hutong.identity.authz import system_actor
from hutong.identity.models import Unit
from hutong.identity.schemas import UnitCreate, UserCreate
from hutong.identity.service import create_unit, create_user, user_by_name
from hutong.migrations import upgrade
from hutong.web.app import create_app
from hutong.wiring import wire

SUBJECTS = [
    "中小学生学籍",
    "教师基本",
    "学校办学条件",
    "学生资助",
    "高校毕业生就业",
    "教育经费",
    "学生体质健康",
    "教师资格",
    "职业学校专业",
    "幼儿园",
    "特殊教育",
    "民办学校",
    "校舍安全",
    "教育督导",
    "科研项目",
    "普通话测试",
    "招生考试",
    "留学生",
    "继续教育",
    "学前教育",
]
KINDS = ["信息", "统计", "台账", "名录", "明细", "汇总", "登记", "档案"]
ITEM_NAMES = [
    "姓名",
    "性别",
    "出生日期",
    "民族",
    "身份证件号",
    "学籍号",
    "学校标识码",
    "学校名称",
    "年级",
    "班级",
    "家庭住址",
    "联系电话",
    "监护人姓名",
    "入学日期",
    "毕业日期",
    "学历",
    "专业",
    "职称",
    "任教学科",
    "所在地区",
    "经费金额",
    "统计年度",
    "学段",
    "办学类型",
    "建筑面积",
]
QUERIES = [
    "学籍",
    "教师",
    "学生资助",
    "经费",
    "体质健康",
    "幼儿园",
    "名录",
    "统计",
    "招生考试",
    "普通话",
    "校舍",
    "就业",
    "督导",
    "留学生",
    "特殊教育",
    "民族",
    "学历",
    "身份证",
    "监护人",
    "科研",
]
PASSWORD = "Bench-Pass-2026"


def p95(samples: list[float]) -> float:
    return statistics.quantiles(samples, n=20)[18]


def setup(folder: Path) -> Database:
    db = Database(Settings(data_dir=folder, argon2_time_cost=1, argon2_memory_kib=1024))
    upgrade(db)
    system = system_actor("bench")
    with db.transaction() as session:
        create_unit(
            session, system, UnitCreate(code="MOE", name="教育部", kind="ministry_department")
        )
        for i in range(1, 500):
            create_unit(
                session,
                system,
                UnitCreate(
                    code=f"MOE-U{i:03d}",
                    name=f"单位{i:03d}",
                    kind="ministry_department",
                    parent_code="MOE",
                ),
            )
        create_user(
            session,
            system,
            UserCreate(
                username="bench.steward",
                display_name="s",
                unit_code="MOE-U001",
                roles=["data_steward"],
                password=PASSWORD,
            ),
        )
        create_user(
            session,
            system,
            UserCreate(
                username="bench.reviewer",
                display_name="r",
                unit_code="MOE",
                roles=["catalog_reviewer"],
                password=PASSWORD,
            ),
        )
        reviewer = actor_for(user_by_name(session, "bench.reviewer"))
        service.add_classification(session, reviewer, "3", "部门信息资源")
        for i in range(1, 21):
            service.add_classification(session, reviewer, f"3{i:02d}", f"{SUBJECTS[i - 1]}类", "3")
    return db


def bulk_entries(db: Database, n: int, items_per: int) -> None:
    """Synthetic published entries written in bulk (the benchmark measures reading them)."""
    rng = random.Random(7)
    with db.sessions() as session:
        classes = list(session.scalars(select(Classification.id).where(Classification.level == 2)))
        units = list(session.scalars(select(Unit.id)))
    choice = rng.choice
    batch = 5_000
    for start in range(0, n, batch):
        resources, items, fts = [], [], []
        for rid in range(start + 1, min(start + batch, n) + 1):
            subject = choice(SUBJECTS)
            name = f"{choice(['全国', '分省', '高校', '中小学', ''])}{subject}{choice(KINDS)}{rid}"
            summary = f"{subject}相关的{choice(KINDS)}数据，按{choice(['月', '季度', '年'])}更新。"
            item_names = (
                rng.sample(ITEM_NAMES, items_per)
                if items_per <= len(ITEM_NAMES)
                else [f"项{j}" for j in range(items_per)]
            )
            share = choice(["conditional", "conditional", "unconditional", "not_shared"])
            resources.append(
                dict(
                    id=rid,
                    code=f"3{classes[rid % len(classes)] - classes[0] + 1:02d}/{rid:06d}",
                    status="published",
                    version=4,
                    classification_id=classes[rid % len(classes)],
                    attribute="department",
                    name=name,
                    provider_unit_id=units[rid % len(units)],
                    summary=summary,
                    format=choice(["table", "database", "file"]),
                    share_type=share,
                    share_legal_basis="《中华人民共和国统计法》" if share == "not_shared" else "",
                    open_type=choice(["not_open", "proactive", "on_request"]),
                    update_cycle=choice(["monthly", "annual", "quarterly"]),
                    related_codes=[],
                    data_kind="administrative",
                    grade=choice(["general", "general", "important"]),
                    has_pi=rid % 3 == 0,
                    sensitive_categories=[],
                    has_child_pi=False,
                    deidentified=False,
                    search_text=f"{name} {summary} {' '.join(item_names)}",
                )
            )
            items += [
                dict(
                    resource_id=rid,
                    position=p,
                    name=iname,
                    data_type="字符型",
                    pi_category="none",
                    sensitive=False,
                    default_mask="none",
                    element_ref="",
                    description="",
                )
                for p, iname in enumerate(item_names, start=1)
            ]
            fts.append({"id": rid, "t": " ".join(sorted(tokens(resources[-1]["search_text"])))})
        with db.transaction() as session:
            session.execute(insert(Resource), resources)
            session.execute(insert(Item), items)
            session.execute(text("INSERT INTO catalog_fts (rowid, tokens) VALUES (:id, :t)"), fts)
            session.info[AUDITED] = True  # bulk fixture load, not an operation
    with db.engine.begin() as connection:
        connection.exec_driver_sql("ANALYZE")


def timed_requests(client: TestClient, headers: dict, urls: list[str]) -> list[float]:
    samples = []
    for url in urls:
        started = time.perf_counter()
        response = client.get(url, headers=headers)
        samples.append((time.perf_counter() - started) * 1000)
        assert response.status_code == 200, response.text[:300]
    return samples


def bench_import(db: Database, n: int, folder: Path) -> tuple[float, float]:
    rng = random.Random(11)
    entries = [
        ResourceIn(
            classification_code="301",
            attribute="department",
            name=f"导入测试资源{i}",
            provider_unit_code="MOE-U001",
            summary=f"{rng.choice(SUBJECTS)}数据",
            format="table",
            share_type="conditional",
            open_type="not_open",
            update_cycle="annual",
            data_kind="administrative",
            items=[ItemIn(name=name, data_type="字符型") for name in rng.sample(ITEM_NAMES, 8)],
        )
        for i in range(n)
    ]
    outs = [
        service.ResourceOut(
            **e.model_dump(),
            code="",
            status="draft",
            version=1,
            provider_unit_name="",
            classification_name="",
            updated_at="2026-01-01T00:00:00",
        )
        for e in entries
    ]
    content = workbook.export_xlsx(outs)
    (folder / "import.xlsx").write_bytes(content)
    started = time.perf_counter()
    import io

    from openpyxl import load_workbook

    book = load_workbook(io.BytesIO(content), read_only=True)
    for sheet in book.worksheets:
        for _row in sheet.iter_rows(values_only=True):
            pass
    baseline = time.perf_counter() - started
    started = time.perf_counter()
    parsed = workbook.parse_xlsx(content)
    with db.transaction() as session:
        steward = actor_for(user_by_name(session, "bench.steward"))
        transfer.import_entries(session, steward, parsed, "xlsx")
    return time.perf_counter() - started, baseline


def main() -> None:
    wire()
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--entries", type=int, default=100_000)
    parser.add_argument("--items", type=int, default=20)
    parser.add_argument("--requests", type=int, default=200)
    parser.add_argument("--import-entries", type=int, default=10_000)
    args = parser.parse_args()
    with tempfile.TemporaryDirectory() as tmp:
        folder = Path(tmp)
        db = setup(folder)
        started = time.perf_counter()
        bulk_entries(db, args.entries, args.items)
        print(
            f"loaded {args.entries:,} entries / {args.entries * args.items:,} items in {time.perf_counter() - started:.1f} s"
        )
        client = TestClient(create_app(db.settings, db))
        token = client.post(
            "/api/v1/auth/token",
            data={"grant_type": "password", "username": "bench.reviewer", "password": PASSWORD},
        ).json()["access_token"]
        headers = {"Authorization": f"Bearer {token}"}
        rng = random.Random(3)
        search_urls = [f"/api/v1/resources?q={rng.choice(QUERIES)}" for _ in range(args.requests)]
        timed_requests(client, headers, search_urls[:10])  # warm caches
        search = timed_requests(client, headers, search_urls)
        baseline = []
        raw = db.engine.raw_connection()
        for url in search_urls:
            q = url.split("q=")[1]
            terms = " AND ".join(
                f'"{t}"' for t in __import__("hutong.catalog.tokens", fromlist=["x"]).query_terms(q)
            )
            started = time.perf_counter()
            raw.execute(
                "SELECT count(*) FROM catalog_fts WHERE catalog_fts MATCH ?", (terms,)
            ).fetchone()
            baseline.append((time.perf_counter() - started) * 1000)
        raw.close()
        print(
            f"search (API, q + facets, 20 rows): p50 {statistics.median(search):.1f} ms, p95 {p95(search):.1f} ms "
            f"(target < 100 ms); bare FTS5 count p95 {p95(baseline):.1f} ms, ratio {p95(search) / p95(baseline):.1f}x"
        )
        login = client.get("/console/login")
        csrf = login.text.split('name="csrf_token" value="')[1].split('"')[0]
        client.post(
            "/console/login",
            data={"username": "bench.reviewer", "password": PASSWORD, "csrf_token": csrf},
        )
        facets = [
            "",
            "share_type=conditional",
            "grade=important",
            "open_type=proactive&update_cycle=annual",
            "has_pi=true",
            "format=table",
        ]
        list_urls = [
            f"/console/catalog?{rng.choice(facets)}&q={rng.choice(['', '', rng.choice(QUERIES)])}"
            for _ in range(args.requests)
        ]
        page = timed_requests(client, {}, list_urls)
        print(
            f"faceted list page (console HTML): p50 {statistics.median(page):.1f} ms, p95 {p95(page):.1f} ms "
            f"(target < 200 ms); ratio to search p95 {p95(page) / p95(search):.1f}x"
        )
        elapsed, base = bench_import(db, args.import_entries, folder)
        print(
            f"import {args.import_entries:,}-entry workbook: {elapsed:.1f} s (target < 60 s); "
            f"openpyxl read alone {base:.1f} s, ratio {elapsed / base:.1f}x"
        )
        db.dispose()


if __name__ == "__main__":
    main()
