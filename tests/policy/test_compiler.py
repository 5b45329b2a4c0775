"""The compiler puts the policy under the query (DESIGN rule 7): run through DuckDBEngine over
a real Parquet file, no clause the consumer writes reaches a clear value the grant masks."""

from __future__ import annotations

import sqlglot
from sqlglot import exp

from hutong.policy.compiler import compile_sql
from hutong.policy.request import Request
from tests.policy.conftest import NOW, make_grant, query, run


def test_the_same_grant_compiles_to_duckdb_and_spark_and_duckdb_returns_masked_filtered_rows(
    grant, key, students
):
    sql = "SELECT 身份证号, 姓名, 出生日期, 成绩 FROM dataset WHERE 性别 = '1' ORDER BY 成绩"
    duck = compile_sql(sql, Request(grant, NOW, dialect="duckdb"), key)
    spark = compile_sql(sql, Request(grant, NOW, dialect="spark"), key)
    assert "$hutong_pk_ipad" in duck.sql and "STARTS_WITH" in duck.sql
    assert ":hutong_pk_ipad" in spark.sql and "STARTSWITH" in spark.sql
    assert "SHA2(" in spark.sql and "AS STRING" in spark.sql
    # Each text is one statement its engine's parser reads back to the same tree.
    for compiled in (duck, spark):
        tree = sqlglot.parse_one(compiled.sql, read=compiled.dialect)
        assert tree.sql(compiled.dialect) == compiled.sql
    assert duck.params == spark.params and not any(p in duck.sql for p in duck.params.values())

    rows = run(duck, students)
    name = key.pseudonym("张伟")
    # Rows of Beijing only (the row filter), 身份证号 keep 6+4, 姓名 pseudonym, year of birth.
    assert rows == [
        ("110105********0014", name, "2008", "87"),
        ("110105********0014", name, "2008", "87"),
    ]
    assert duck.items == ("身份证号", "姓名", "出生日期", "性别", "成绩")
    assert duck.columns == ("身份证号", "姓名", "出生日期", "成绩")


def test_consumer_cannot_filter_on_a_clear_value_of_a_masked_item(grant, key, students):
    # The clear ID starts with 110105; its masked form too, but the birth-date digits do not
    # survive the mask, so a LIKE on them finds nothing.
    assert query("SELECT 性别 FROM dataset WHERE 身份证号 LIKE '11%'", grant, key, students)
    assert not query(
        "SELECT 性别 FROM dataset WHERE 身份证号 LIKE '%20080512%'", grant, key, students
    )
    assert not query("SELECT 性别 FROM dataset WHERE 姓名 = '张伟'", grant, key, students)
    assert not query("SELECT 性别 FROM dataset WHERE 出生日期 = '2008-05-12'", grant, key, students)
    assert not query(
        "SELECT 性别 FROM dataset WHERE substring(身份证号, 7, 8) = '20080512'",
        grant,
        key,
        students,
    )


def test_functions_ordering_grouping_windows_and_self_joins_see_masked_values(grant, key, students):
    def values(sql: str) -> set[object]:
        return {v for row in query(sql, grant, key, students) for v in row}

    clear = {"110105200805120014", "张伟", "2008-05-12", "20070303"}
    probes = [
        "SELECT upper(身份证号), lower(姓名), max(出生日期) OVER () FROM dataset",
        "SELECT 身份证号, count(*) FROM dataset GROUP BY 身份证号 ORDER BY 身份证号",
        "SELECT min(身份证号), max(姓名), min(出生日期) FROM dataset",
        "SELECT a.身份证号, b.姓名 FROM dataset a JOIN dataset b ON a.姓名 = b.姓名",
        "SELECT 身份证号 FROM dataset WHERE 姓名 IN (SELECT 姓名 FROM dataset)",
        "WITH t AS (SELECT 出生日期 AS d FROM dataset) SELECT replace(d, '*', '') FROM t",
        "SELECT * FROM dataset",
        "SELECT lag(身份证号) OVER (ORDER BY 成绩) FROM dataset",
    ]
    for sql in probes:
        seen = values(sql)
        assert seen and not seen & clear, sql


def test_rows_outside_the_row_filter_are_unreachable(grant, key, students):
    assert query("SELECT count(*) FROM dataset", grant, key, students) == [(4,)]
    # Jiangsu rows (行政区划 32…) exist in the file; no predicate brings them back.
    assert query(
        "SELECT count(*) FROM dataset WHERE 身份证号 LIKE '32%' OR true", grant, key, students
    ) == [(4,)]


def test_star_expands_to_granted_items_only_and_limits_apply(key, students):
    grant = make_grant(max_rows_per_query=3)
    compiled = compile_sql("SELECT * FROM dataset LIMIT 100", Request(grant, NOW), key)
    assert compiled.columns == ("身份证号", "姓名", "出生日期", "性别", "成绩")
    assert compiled.row_cap == 3 and len(run(compiled, students)) == 3
    smaller = compile_sql("SELECT * FROM dataset LIMIT 2", Request(grant, NOW), key)
    assert smaller.row_cap == 2


def test_comments_are_not_carried_into_the_statement(grant, key):
    compiled = compile_sql(
        "SELECT 性别 /* ; DROP TABLE dataset */ FROM dataset -- tail", Request(grant, NOW), key
    )
    assert "DROP" not in compiled.sql and "--" not in compiled.sql


def test_a_grant_without_keyed_masks_needs_no_key(students):
    grant = make_grant(items=make_grant().items[2:], pseudonym_domain="")
    compiled = compile_sql("SELECT 出生日期 FROM dataset ORDER BY 1", Request(grant, NOW))
    assert compiled.params == {}
    assert run(compiled, students) == [("2007",), ("2008",), ("2008",), ("2009",)]
    assert "hutong_pk" not in compiled.sql


def test_the_key_is_never_in_the_repr_of_a_compiled_query(grant, key):
    compiled = compile_sql("SELECT 姓名 FROM dataset", Request(grant, NOW), key)
    assert compiled.params and not any(p in repr(compiled) for p in compiled.params.values())
    assert not list(sqlglot.parse_one(compiled.sql, read="duckdb").find_all(exp.Anonymous))
