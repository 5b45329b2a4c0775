"""Every compliance rule over a platform of 500 units, 100,000 catalog entries, 1,000
information systems, 50,000 share applications (10,000 granted) and 10 million audit events,
on SQLite.

Target (issue 5): all rules in ≤ 60 s. Baseline in the same process: one plain ``COUNT(*)``
over each table the rules read.

The synthetic platform is written with set-based SQL (recursive CTEs, ``INSERT … SELECT``),
not row by row; audit events carry no hash chain (the rules never read the hashes).

    python bench/bench_compliance.py [--units 500] [--entries 100000] [--systems 1000] [--events 10000000]
"""

from __future__ import annotations

import argparse
import tempfile
import time
from pathlib import Path

from sqlalchemy import text

from hutong.compliance import runner
from hutong.compliance.rules import load
from hutong.core.clock import now_us
from hutong.core.db import Database
from hutong.core.settings import Settings
from hutong.identity.authz import system_actor
from hutong.migrations import upgrade
from hutong.wiring import wire

TABLES = (
    "units",
    "users",
    "user_roles",
    "catalog_resources",
    "catalog_items",
    "catalog_tasks",
    "exchange_applications",
    "exchange_grants",
    "information_systems",
    "compliance_system_profiles",
    "compliance_security_audits",
    "dataset_versions",
    "audit_events",
)
DAY_US = 86_400_000_000


def seq(n: int) -> str:
    """A recursive CTE of the integers 1..n, named s(n)."""
    return f"WITH RECURSIVE s(n) AS (SELECT 1 UNION ALL SELECT n + 1 FROM s WHERE n < {int(n)}) "


def build(
    db: Database, units: int, entries: int, systems: int, applications: int, events: int
) -> None:
    now = now_us()
    statements = [
        # units: a ministry root and its children
        seq(units) + "INSERT INTO units (id, code, name, kind, parent_id, created_at) "
        "SELECT n, 'U' || n, '单位' || n, CASE WHEN n = 1 THEN 'ministry_department' "
        "ELSE 'provincial_department' END, CASE WHEN n = 1 THEN NULL ELSE 1 END, "
        "'2024-01-01 00:00:00' FROM s",
        # two accounts per unit; a few dormant, a few doubling officer roles
        seq(units * 2) + "INSERT INTO users (id, username, display_name, unit_id, password_hash, "
        "must_change_password, failed_logins, totp_enabled, enabled, last_login_at, created_at) "
        "SELECT n, 'user' || n, '用户' || n, (n + 1) / 2, 'x', n % 97 = 0, 0, n % 2 = 0, 1, "
        "CASE WHEN n % 7 = 0 THEN '2024-01-01 00:00:00' ELSE datetime('now') END, "
        "'2024-01-01 00:00:00' FROM s",
        seq(units * 2) + "INSERT INTO user_roles (user_id, role) SELECT n, CASE WHEN n % 2 = 1 "
        "THEN 'data_steward' WHEN n % 10 = 0 THEN 'security_admin' ELSE 'pi_officer' END FROM s",
        seq(units)
        + "INSERT INTO user_roles (user_id, role) SELECT n * 2, 'auditor' FROM s WHERE n % 50 = 0",
        "INSERT INTO catalog_classifications (id, code, name, level, parent_id) "
        "VALUES (1, '3', '部门信息资源', 1, NULL)",
        # systems, 1,000: a quarter above one million persons, gaps spread by modulo
        seq(systems)
        + "INSERT INTO information_systems (id, name, kind, owner_unit_id, operator_unit_id, "
        f"approval_status, created_at) SELECT n, '系统' || n, CASE WHEN n % 3 = 0 THEN 'survey' "
        f"ELSE 'admin_system' END, 1 + n % {units}, 1 + n % {units}, CASE WHEN n % 40 = 0 "
        "THEN 'proposed' ELSE 'operating' END, '2024-01-01 00:00:00' FROM s",
        seq(systems)
        + "INSERT INTO compliance_system_profiles (system_id, persons_pi, pi_officer_user_id, "
        "responsible_person, mlps_level, third_party_platform, third_party_agreement_ref, "
        "provincial_filing_date, provincial_filing_ref, security_rules_doc, emergency_plan_doc, "
        "emergency_plan_covers_data, confidentiality_review, confidentiality_review_date, "
        "storage_plan_doc, offsite_backup, stores_abroad, export_assessment_ref, "
        "encrypts_at_rest, encrypts_in_transit, updated_at) "
        "SELECT n, CASE WHEN n % 4 = 0 THEN 2000000 ELSE 50000 END, "
        f"CASE WHEN n % 8 = 0 THEN NULL ELSE 2 * (1 + n % {units}) END, '负责人', "
        "CASE WHEN n % 9 = 0 THEN 2 ELSE 3 END, CASE WHEN n % 11 = 0 THEN '云平台' ELSE '' END, "
        "'', CASE WHEN n % 13 = 0 THEN NULL ELSE '2025-01-01' END, '备案', '办法', '预案', "
        "n % 17 <> 0, 'passed', '2025-01-01', '方案', 1, 0, '', n % 19 <> 0, 1, "
        "'2025-01-01 00:00:00' FROM s WHERE n % 50 <> 0",
        seq(systems)
        + "INSERT INTO compliance_security_audits (system_id, audited_on, auditor, conclusion, "
        "report_ref, recorded_by, recorded_at) SELECT n, CASE WHEN n % 6 = 0 THEN '2024-01-01' "
        "ELSE date('now', '-30 days') END, '机构', 'passed', '', 'bench', '2025-01-01' FROM s",
        # 100,000 catalog entries with three items each
        seq(entries)
        + "INSERT INTO catalog_resources (id, code, status, version, classification_id, "
        "attribute, name, provider_unit_id, summary, format, share_type, share_conditions, "
        "share_method, share_legal_basis, open_type, open_conditions, open_method, update_cycle, "
        "release_date, related_codes, usage_requirements, responsible_person, data_kind, "
        "source_system_id, grade, general_level, has_pi, sensitive_categories, has_child_pi, "
        "approx_persons, deidentified, retention_days, search_text, created_at, updated_at) "
        "SELECT n, '3/' || printf('%07d', n), CASE WHEN n % 10 = 0 THEN 'draft' ELSE "
        f"'published' END, 1, 1, 'department', '资源' || n, 1 + n % {units}, '摘要', 'table', "
        "CASE n % 5 WHEN 0 THEN 'not_shared' WHEN 1 THEN 'unconditional' ELSE 'conditional' END, "
        "'', '', CASE WHEN n % 15 = 0 THEN '' ELSE '《统计法》' END, "
        "CASE WHEN n % 7 = 0 THEN 'proactive' ELSE 'not_open' END, '', '', "
        "CASE n % 4 WHEN 0 THEN 'monthly' WHEN 1 THEN 'annual' ELSE 'irregular' END, "
        "date('now', '-400 days'), '[]', '', CASE WHEN n % 23 = 0 THEN '' ELSE '管理员' END, "
        f"'administrative', CASE WHEN n % 3 = 0 THEN 1 + n % {systems} ELSE NULL END, "
        "CASE WHEN n % 6 = 0 THEN 'important' ELSE 'general' END, NULL, n % 2 = 0, '[]', "
        "n % 29 = 0, CASE WHEN n % 31 = 0 THEN 2000000 ELSE 1000 END, 0, "
        "CASE WHEN n % 5 = 0 THEN NULL ELSE 3650 END, '', '2024-01-01 00:00:00', "
        "'2024-01-01 00:00:00' FROM s",
        seq(entries * 3)
        + "INSERT INTO catalog_items (resource_id, position, name, name_key, data_type, length, "
        "element_ref, description, pi_category, sensitive, default_mask) "
        "SELECT (n + 2) / 3, 1 + n % 3, '信息项' || (n % 3), '信息项' || (n % 3), '字符型', 50, '', '', "
        "CASE WHEN n % 3 = 0 AND n % 2 = 0 THEN 'identity' WHEN n % 37 = 0 THEN 'ethnicity' "
        "ELSE 'none' END, n % 37 = 0 AND n % 74 <> 0, 'none' FROM s",
        # two dataset versions for every tenth entry
        seq(entries // 10 * 2)
        + "INSERT INTO dataset_versions (resource_id, version, location, rows, columns, "
        "content_sha256, source_name, source_encoding, rejected, quality, quality_score, "
        "detection, ingested_by, ingested_at) SELECT 10 * ((n + 1) / 2), 1 + n % 2, 'x', 100, "
        "'[]', '', 'f.csv', 'utf-8', 0, '{}', CASE WHEN n % 9 < 2 THEN 40.0 ELSE 90.0 END, "
        'CASE WHEN n % 13 = 0 THEN \'{"mismatches": [{"zh": "不一致"}], "persons": 5, '
        '"children": 0}\' ELSE \'{"mismatches": [], "persons": 5, "children": 0}\' END, '
        "'bench', datetime('now', '-' || (n % 90) || ' days') FROM s",
        seq(entries // 20)
        + "INSERT INTO catalog_tasks (kind, unit_id, resource_id, description, opened_at, "
        f"due_date, closed_at, status) SELECT 'change', 1 + n % {units}, n * 20, '变更', "
        "'2025-01-01 00:00:00', CASE WHEN n % 3 = 0 THEN '2025-01-10' ELSE date('now', "
        "'+5 days') END, NULL, 'open' FROM s",
        # share applications in every state, one in five granted (with a grant), some overdue
        seq(applications)
        + "INSERT INTO exchange_applications (id, resource_id, applicant_unit_id, "
        "provider_unit_id, applicant_name, status, purpose, purpose_category, items, "
        "item_reasons, row_filter, period_from, period_until, access_mode, security_measures, "
        "require_agreement, refusal_reason, submitted_at, due_date, paused_workdays, updated_at) "
        f"SELECT n, 1 + n % {entries}, 1 + (n + 7) % {units}, 1 + n % {units}, 'consumer', "
        "CASE n % 5 WHEN 0 THEN 'granted' WHEN 1 THEN 'submitted' WHEN 2 THEN 'refused' "
        "WHEN 3 THEN 'security_review' ELSE 'withdrawn' END, '核查', 'administration', "
        "'[\"学校名称\"]', '{}', '[]', '2026-01-01', '2027-01-01', 'online_only', '专人负责', "
        "0, CASE WHEN n % 10 = 2 THEN '' ELSE '用途不符' END, datetime('now', '-' || (n % 40) "
        "|| ' days'), date('now', '+' || (n % 30 - 15) || ' days'), 0, datetime('now') FROM s",
        seq(applications // 5)
        + "INSERT INTO exchange_grants (code, application_id, resource_id, consumer_unit_id, "
        "provider_unit_id, users, clients, items, row_filter, purpose, purpose_category, "
        "access_mode, max_rows_per_query, valid_from, valid_until, status, revision, "
        "revoke_reason, created_at, consent_purpose, consent_categories, consent_subject_item) "
        "SELECT 'G' || printf('%08d', n), 5 * n, resource_id, applicant_unit_id, "
        "provider_unit_id, '[]', '[]', '[{\"name\": \"学校名称\"}]', '[]', '核查', "
        "'administration', 'online_only', 1000, datetime('now', '-10 days'), "
        "datetime('now', '+' || (n % 300) || ' days'), 'active', 1, '', datetime('now'), "
        "'', '[]', '' FROM s JOIN exchange_applications a ON a.id = 5 * n",
        # ten million audit events over the last 180 days
        seq(events)
        + "INSERT INTO audit_events (seq, ts_us, actor_id, actor_name, actor_unit, actor_roles, "
        "event, category, target_type, target_id, purpose, outcome, rows, client_addr, "
        "request_id, details, prev_hash, hash) "
        f"SELECT n, {now} - (({events} - n) * {180 * DAY_US // max(events, 1)}), "
        f"CAST(1 + n % {units * 2} AS TEXT), 'user' || (1 + n % {units * 2}), 'U1', "
        "CASE WHEN n % 1000 = 0 THEN 'system_admin' ELSE 'data_steward' END, "
        "CASE n % 5 WHEN 0 THEN 'catalog.read' WHEN 1 THEN 'auth.login' WHEN 2 THEN "
        "'catalog.export' ELSE 'data.ingest' END, CASE n % 5 WHEN 0 THEN 'query' WHEN 1 THEN "
        "'login' WHEN 2 THEN 'export' ELSE 'insert' END, 'resource', '3/' || printf('%07d', "
        f"1 + n % {entries}), '', CASE WHEN n % 50 = 0 THEN 'denied' WHEN n % 5 = 1 AND "
        "n % 7 = 0 THEN 'failed' ELSE 'allowed' END, n % 1000, '', '', '', '', '' FROM s",
    ]
    with db.engine.begin() as connection:
        for statement in statements:
            connection.exec_driver_sql(statement)
    with db.engine.begin() as connection:
        connection.exec_driver_sql("ANALYZE")


def baseline(db: Database) -> float:
    started = time.perf_counter()
    with db.engine.connect() as connection:
        for table in TABLES:
            connection.execute(text(f"SELECT count(*) FROM {table}")).scalar()
    return time.perf_counter() - started


def main() -> None:
    wire()
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--units", type=int, default=500)
    parser.add_argument("--entries", type=int, default=100_000)
    parser.add_argument("--systems", type=int, default=1_000)
    parser.add_argument("--applications", type=int, default=50_000)
    parser.add_argument("--events", type=int, default=10_000_000)
    args = parser.parse_args()
    with tempfile.TemporaryDirectory(prefix="bench-compliance-") as folder:
        db = Database(Settings(data_dir=Path(folder), audit_checkpoint_every=0))
        upgrade(db)
        started = time.perf_counter()
        build(db, args.units, args.entries, args.systems, args.applications, args.events)
        print(f"synthetic platform written in {time.perf_counter() - started:.1f} s")
        base = baseline(db)
        rules = load()
        started = time.perf_counter()
        with db.transaction() as session:
            done = runner.run(session, system_actor("bench"))
        elapsed = time.perf_counter() - started
        per_rule: list[tuple[float, str]] = []
        with db.transaction() as session:  # second pass: time each rule alone (nothing new opens)
            for rule_id in rules:
                t0 = time.perf_counter()
                runner.run(session, system_actor("bench"), [rule_id])
                per_rule.append((time.perf_counter() - t0, rule_id))
        print(
            f"{len(rules)} rules over {args.units:,} units, {args.entries:,} entries, "
            f"{args.systems:,} systems, {args.applications:,} share applications, "
            f"{args.events:,} audit events"
        )
        print(f"findings opened: {done.opened:,} (failing subjects {done.failing:,})")
        print(f"all rules: {elapsed:.1f} s (target ≤ 60 s)")
        print(
            f"baseline COUNT(*) over the {len(TABLES)} tables: {base:.2f} s; ratio {elapsed / base:.1f}×"
        )
        print("slowest rules (second pass):")
        for seconds, rule_id in sorted(per_rule, reverse=True)[:5]:
            print(f"  {rule_id:<34} {seconds:6.2f} s")
        db.dispose()


if __name__ == "__main__":
    main()
