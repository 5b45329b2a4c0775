"""Hostile SQL and structured filters: each is refused with the expected typed error, and
nothing is compiled (issue 6 "bad input"; DESIGN rule 7)."""

from __future__ import annotations

from datetime import timedelta

import pytest
from pydantic import ValidationError

from hutong.policy import errors
from hutong.policy.compiler import compile_sql
from hutong.policy.conditions import Eq, IsNull, Prefix
from hutong.policy.request import Request
from hutong.policy.structured import SortKey, StructuredQuery, compile_query
from tests.policy.conftest import NOW, make_grant

HOSTILE_SQL = [
    # not one read-only SELECT
    ("DROP TABLE dataset", errors.NotOneSelect),
    ("CREATE TABLE leak AS SELECT * FROM dataset", errors.NotOneSelect),
    ("INSERT INTO dataset VALUES ('1')", errors.NotOneSelect),
    ("UPDATE dataset SET 性别 = '1'", errors.NotOneSelect),
    ("DELETE FROM dataset", errors.NotOneSelect),
    ("PRAGMA database_list", errors.NotOneSelect),
    ("SET threads = 64", errors.NotOneSelect),
    ("ATTACH '/tmp/other.db' AS other", errors.NotOneSelect),
    ("COPY dataset TO '/tmp/leak.csv'", errors.NotOneSelect),
    ("INSTALL httpfs", errors.NotOneSelect),
    ("LOAD httpfs", errors.NotOneSelect),
    ("CALL pragma_version()", errors.NotOneSelect),
    ("DESCRIBE dataset", errors.NotOneSelect),
    ("SELECT 1; SELECT 2", errors.NotOneSelect),
    ("SELECT * FROM dataset; DROP TABLE dataset", errors.NotOneSelect),
    ("SELECT * FROM dataset -- a comment\n; DROP TABLE dataset", errors.NotOneSelect),
    ("EXPORT DATABASE '/tmp/leak'", errors.QuerySyntax),
    ("SELEC * FROM dataset", errors.QuerySyntax),
    # other tables, files, table functions, system catalogs
    ("SELECT * FROM students_2025", errors.ForbiddenSource),
    ("SELECT * FROM read_csv('/etc/passwd')", errors.ForbiddenSource),
    ("SELECT * FROM read_parquet('/srv/hutong/data/**/*.parquet')", errors.ForbiddenSource),
    ("SELECT * FROM '/etc/passwd'", errors.ForbiddenSource),
    ("SELECT * FROM glob('/*')", errors.ForbiddenSource),
    ("SELECT * FROM range(10)", errors.ForbiddenSource),
    ("SELECT * FROM query_table('dataset')", errors.ForbiddenSource),
    ("SELECT * FROM duckdb_tables()", errors.ForbiddenSource),
    ("SELECT * FROM duckdb_settings", errors.ForbiddenSource),
    ("SELECT * FROM information_schema.tables", errors.ForbiddenSource),
    ("SELECT * FROM pg_catalog.pg_class", errors.ForbiddenSource),
    ("SELECT * FROM main.dataset", errors.ForbiddenSource),
    ("SELECT 性别 FROM dataset WHERE 性别 IN (SELECT x FROM students_2025)", errors.ForbiddenSource),
    ("SELECT (SELECT max(value) FROM duckdb_settings()) FROM dataset", errors.ForbiddenSource),
    # CTE and quoted-identifier tricks, look-alikes
    ("WITH dataset AS (SELECT * FROM read_csv('/etc/passwd')) SELECT * FROM dataset", errors.ForbiddenSource),
    ("WITH DataSet AS (SELECT 1 AS x) SELECT * FROM dataset", errors.ForbiddenSource),
    ("WITH t AS (SELECT 1 AS x) SELECT * FROM (WITH u AS (SELECT * FROM t) SELECT * FROM u) s, u", errors.ForbiddenSource),
    ('SELECT * FROM "dataset; DROP TABLE dataset"', errors.ForbiddenSource),
    ('SELECT * FROM "dataset"."main"', errors.ForbiddenSource),
    ("SELECT * FROM dataѕet", errors.ForbiddenSource),  # Cyrillic ѕ
    ("SELECT * FROM ｄａｔａｓｅｔ", errors.ForbiddenSource),  # full-width letters
    ("SELECT 1 FROM dataset a, dataset b, dataset c, dataset d, dataset e", errors.ForbiddenSource),
    ("SELECT * FROM dataset, LATERAL (WITH dataset AS (SELECT 1 AS 学籍号) SELECT 学籍号 FROM dataset) u", errors.ForbiddenSource),
    ("SELECT * FROM dataset, LATERAL (SELECT * FROM read_csv('/etc/passwd')) t", errors.ForbiddenSource),
    ("SELECT * FROM dataset, generate_series(1, 10) g", errors.ForbiddenSource),
    # hidden characters
    ("SELECT * FROM data\u200bset", errors.HiddenCharacters),  # zero-width space
    ("SELECT 性别 FROM dataset /*\u202e ; DROP TABLE dataset */", errors.HiddenCharacters),
    ("SELECT 性别 FROM dataset\x00; DROP TABLE dataset", errors.HiddenCharacters),
    # functions not on the allow-list
    ("SELECT read_text('/etc/passwd')", errors.ForbiddenFunction),
    ("SELECT getenv('HOME')", errors.ForbiddenFunction),
    ("SELECT current_setting('threads')", errors.ForbiddenFunction),
    ("SELECT query('SELECT * FROM duckdb_secrets()')", errors.ForbiddenFunction),
    ("SELECT hutong_citizen_id_ok(身份证号) FROM dataset", errors.ForbiddenFunction),
    ("SELECT sha256(性别) FROM dataset", errors.ForbiddenFunction),
    ("SELECT unnest([1, 2])", errors.ForbiddenFunction),
    ("SELECT * FROM dataset, unnest([学籍号]) t(x)", errors.ForbiddenFunction),
    ("SELECT * FROM dataset, LATERAL (SELECT unnest([学籍号])) t", errors.ForbiddenFunction),
    ("SELECT * FROM dataset, LATERAL read_csv('/etc/passwd')", errors.ForbiddenFunction),
    ("SELECT COLUMNS('.*') FROM dataset", errors.ForbiddenFunction),
    # references the view does not expose
    ("SELECT 学籍号 FROM dataset", errors.ItemNotGranted),
    ("SELECT 性别 FROM dataset WHERE 行政区划 = '320102'", errors.ItemNotGranted),
    ("SELECT count(*) FROM dataset GROUP BY 学籍号", errors.ItemNotGranted),
    ("SELECT 性别 FROM dataset ORDER BY 学籍号", errors.ItemNotGranted),
    ('SELECT "身份证号 " FROM dataset', errors.ItemNotGranted),
    ("SELECT a.性别 FROM dataset a JOIN dataset b ON a.学籍号 = b.学籍号", errors.ItemNotGranted),
    ("SELECT z.性别 FROM dataset a", errors.ItemNotGranted),
    ("SELECT @@version", errors.ItemNotGranted),
    ("SELECT * FROM dataset JOIN dataset b USING (学籍号)", errors.ItemNotGranted),
    ("SELECT * REPLACE (学籍号 AS 性别) FROM dataset", errors.ItemNotGranted),
    ("WITH x AS (SELECT 学籍号 FROM dataset) SELECT * FROM x", errors.ItemNotGranted),
    # ... inside LATERAL: the LATERAL's own alias is not visible inside it (issue 12)
    ("SELECT * FROM dataset, LATERAL (SELECT 学籍号) t", errors.ItemNotGranted),
    ("SELECT t.* FROM dataset d, LATERAL (SELECT 学籍号) t", errors.ItemNotGranted),
    ("SELECT * FROM dataset d JOIN LATERAL (SELECT d.学籍号 AS x) t ON true", errors.ItemNotGranted),
    ("SELECT * FROM dataset d, LATERAL (SELECT t.性别) t", errors.ItemNotGranted),
    ("SELECT * FROM dataset d, LATERAL (SELECT (SELECT 学籍号)) t", errors.ItemNotGranted),
    ("SELECT * FROM dataset d, LATERAL (SELECT 性别 AS k ORDER BY 学籍号) t", errors.ItemNotGranted),
    ("SELECT * FROM (SELECT 1 AS x) t, LATERAL (SELECT 学籍号 FROM dataset) u", errors.ItemNotGranted),
    ("SELECT * FROM dataset, LATERAL (SELECT * FROM dataset WHERE 学籍号 = '1') t", errors.ItemNotGranted),
    # ... in correlated subqueries, in SELECT, WHERE and ORDER BY
    ("SELECT (SELECT 学籍号) FROM dataset", errors.ItemNotGranted),
    ("SELECT (SELECT max(b.性别) FROM dataset b WHERE b.性别 = a.学籍号) FROM dataset a", errors.ItemNotGranted),
    ("SELECT 性别 FROM dataset a WHERE EXISTS (SELECT 1 FROM dataset b WHERE b.性别 = a.学籍号)", errors.ItemNotGranted),
    ("SELECT 性别 FROM dataset WHERE 性别 IN (SELECT 学籍号)", errors.ItemNotGranted),
    ("SELECT * FROM dataset d WHERE d.性别 = ANY (SELECT d.学籍号)", errors.ItemNotGranted),
    ("SELECT 性别 FROM dataset ORDER BY (SELECT 学籍号)", errors.ItemNotGranted),
    # ... where a name could be a select alias (HAVING, QUALIFY, ORDER BY of a UNION)
    ("SELECT 性别 FROM dataset GROUP BY 性别 HAVING 学籍号 > '0'", errors.ItemNotGranted),
    ("SELECT 性别 FROM dataset GROUP BY ALL HAVING max(学籍号) > '0'", errors.ItemNotGranted),
    ("SELECT 性别 FROM dataset QUALIFY 学籍号 = '1'", errors.ItemNotGranted),
    ("SELECT count(*) FILTER (WHERE 学籍号 = '1') FROM dataset", errors.ItemNotGranted),
    ("SELECT 性别 FROM dataset UNION SELECT 成绩 FROM dataset ORDER BY 学籍号", errors.ItemNotGranted),
    # ... a whole row: it reads items the audit event could not name
    ("SELECT d FROM dataset d", errors.ItemNotGranted),
    # constructs that reach outside a read
    ("SELECT * INTO leak FROM dataset", errors.ForbiddenConstruct),
    ("SELECT $hutong_pk_ipad FROM dataset", errors.ForbiddenConstruct),
    ("SELECT ? FROM dataset", errors.ForbiddenConstruct),
    ("WITH RECURSIVE r AS (SELECT 1 AS n UNION ALL SELECT n + 1 FROM r) SELECT * FROM r", errors.ForbiddenConstruct),
    ("SELECT * FROM (VALUES ('1')) v(性别)", errors.ForbiddenConstruct),
    ("SELECT 1 FROM dataset FOR UPDATE", errors.ForbiddenConstruct),
    ("SELECT * FROM dataset LIMIT (SELECT 10)", errors.ForbiddenConstruct),
    ("SELECT #1 FROM dataset", errors.ForbiddenConstruct),
    ("SELECT * FROM dataset PIVOT (count(*) FOR 性别 IN ('1'))", errors.ForbiddenConstruct),
    ("SELECT * FROM dataset UNPIVOT (v FOR k IN (性别, 成绩))", errors.ForbiddenConstruct),
]  # fmt: skip


@pytest.mark.parametrize(("sql", "expected"), HOSTILE_SQL, ids=[s for s, _ in HOSTILE_SQL])
def test_hostile_sql_is_refused_with_the_expected_error(sql, expected, key):
    with pytest.raises(expected) as refused:
        compile_sql(sql, Request(make_grant(), NOW), key)
    assert 400 <= refused.value.status < 500
    assert refused.value.zh and refused.value.en


NOT_GRANTED = [sql for sql, expected in HOSTILE_SQL if expected is errors.ItemNotGranted]


@pytest.mark.parametrize("sql", NOT_GRANTED, ids=NOT_GRANTED)
def test_an_ungranted_reference_is_refused_naming_what_the_consumer_wrote(sql, key):
    """The named item is in the statement and is not a granted item on its own: a granted one
    is named with the qualifier that cannot reach it (``t.性别``)."""
    with pytest.raises(errors.ItemNotGranted) as refused:
        compile_sql(sql, Request(make_grant(), NOW), key)
    named = refused.value.field
    assert named and named in sql
    assert named not in make_grant().exposed


HOSTILE_QUERIES = [
    (StructuredQuery(items=("学籍号",)), errors.ItemNotGranted),
    (StructuredQuery(filters=(Eq(item="学籍号", value="G1"),)), errors.ItemNotGranted),
    (StructuredQuery(filters=(Prefix(item="行政区划", value="32"),)), errors.ItemNotGranted),
    (StructuredQuery(filters=(Eq(item='性别" OR 1=1 --', value="1"),)), errors.ItemNotGranted),
    (StructuredQuery(filters=(IsNull(item="dataset.学籍号"),)), errors.ItemNotGranted),
    (StructuredQuery(sort=(SortKey(item="学籍号"),)), errors.InvalidQuery),
    (StructuredQuery(items=("性别",), sort=(SortKey(item="成绩"),)), errors.InvalidQuery),
    (StructuredQuery(cursor="not-a-cursor"), errors.InvalidQuery),
    (StructuredQuery(cursor="eyJmIjogIngiLCAiYSI6IFtdLCAicyI6IDB9"), errors.InvalidQuery),
]


@pytest.mark.parametrize(("query", "expected"), HOSTILE_QUERIES)
def test_hostile_structured_queries_are_refused(query, expected, key):
    with pytest.raises(expected):
        compile_query(query, Request(make_grant(), NOW), key)


@pytest.mark.parametrize(
    "bad",
    [
        {"item": "性别", "op": "sql", "value": "1=1"},
        {"item": "成绩", "op": "in", "values": ["60", 70]},
        {"item": "成绩", "op": "range"},
        {"item": "", "op": "eq", "value": "1"},
        {"item": "性别", "op": "eq", "value": {"$ne": 1}},
    ],
)
def test_malformed_filters_are_refused_before_compiling(bad):
    with pytest.raises(ValidationError):
        StructuredQuery.model_validate({"filters": [bad]})


def test_a_query_outside_the_grants_validity_is_refused(key):
    for grant in (
        make_grant(valid_until=NOW),
        make_grant(valid_from=NOW + timedelta(seconds=1), valid_until=NOW + timedelta(days=1)),
    ):
        with pytest.raises(errors.GrantNotInForce):
            compile_sql("SELECT 性别 FROM dataset", Request(grant, NOW), key)


def test_the_days_rows_used_up_is_refused(key):
    grant = make_grant(rows_per_day=500)
    with pytest.raises(errors.VolumeExhausted) as refused:
        compile_sql("SELECT 性别 FROM dataset", Request(grant, NOW, rows_used_today=500), key)
    assert refused.value.status == 429
    compiled = compile_sql(
        "SELECT 性别 FROM dataset", Request(grant, NOW, rows_used_today=480), key
    )
    assert compiled.row_cap == 20
