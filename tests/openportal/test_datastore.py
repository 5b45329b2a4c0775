"""datastore_search_sql: one read-only SELECT over public resources, nothing else; and the
validation of datastore_search parameters."""

from __future__ import annotations

import pytest

from hutong.core.errors import HutongError, InvalidInput
from hutong.openportal.datastore import MAX_LIMIT, Search, build_sql, parse_sql

PUBLIC = "302-000001-v1-csv"


def is_public(name: str) -> bool:
    return name == PUBLIC


HOSTILE = [
    "DROP TABLE x",
    f'SELECT * FROM "{PUBLIC}"; DROP TABLE x',
    "SELECT * FROM read_parquet('/etc/passwd')",
    "SELECT * FROM read_csv_auto('/etc/passwd')",
    "SELECT getenv('HOME')",
    "SELECT * FROM duckdb_tables()",
    "SELECT * FROM information_schema.tables",
    f'SELECT * FROM main."{PUBLIC}"',
    "SELECT * FROM audit_events",
    "COPY (SELECT 1) TO '/tmp/x.csv'",
    "ATTACH '/tmp/x.db'",
    "PRAGMA database_list",
    f'WITH RECURSIVE r AS (SELECT 1 UNION ALL SELECT 1 FROM r) SELECT * FROM r, "{PUBLIC}"',
    f'SELECT * FROM "{PUBLIC}" WHERE 1 = ?',
    f'SELECT * FROM "{PUBLIC}"\u202e',
    "SELECT 1",
]


@pytest.mark.parametrize("sql", HOSTILE)
def test_anything_but_one_select_over_public_resources_is_refused(sql):
    with pytest.raises(HutongError):
        parse_sql(sql, is_public)


def test_a_public_select_gets_a_row_cap():
    tree, tables = parse_sql(f'SELECT "性别", count(*) FROM "{PUBLIC}" GROUP BY 1', is_public)
    assert tables == [PUBLIC] and f"LIMIT {MAX_LIMIT}" in tree.sql()
    tree, _ = parse_sql(f'SELECT * FROM "{PUBLIC}" LIMIT 5', is_public)
    assert tree.sql().endswith("LIMIT 5")


def test_search_parameters_are_validated_and_values_are_parameters():
    with pytest.raises(InvalidInput):
        Search.parse({"resource_id": PUBLIC, "limit": MAX_LIMIT + 1})
    with pytest.raises(InvalidInput):
        Search.parse({"resource_id": PUBLIC, "filters": "{not json"})
    with pytest.raises(InvalidInput):
        build_sql(Search.parse({"resource_id": PUBLIC, "fields": "nope"}), ["性别"], PUBLIC)
    search = Search.parse({"resource_id": PUBLIC, "filters": {"性别": "1' OR '1'='1"}})
    page, _count, params = build_sql(search, ["性别"], PUBLIC)
    assert "OR" not in page and params == {"f0_0": "1' OR '1'='1"}
