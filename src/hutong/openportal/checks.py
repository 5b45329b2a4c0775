"""The release gate's automatic check (N2021 task 8, M2018 §25): before a 主动公开 version can
go public, no direct identifier may be left, quasi-identifiers must meet k-anonymity
(k ≥ 5 by default) and an aggregated table must have no small cell left unsuppressed.

A failure names the columns and the rows (row numbers in file order, never values) and
proposes what to do: drop or pseudonymize a direct identifier, the generalizations that reach
k (``privacy/anonymity.py``), suppression of small cells.
"""

from __future__ import annotations

from typing import Any

import duckdb

from hutong.catalog.models import Resource
from hutong.catalog.vocab import PiCategory
from hutong.data.detect import BIRTH_WORDS, about_organisation, by_name
from hutong.data.models import DatasetVersion
from hutong.data.sql import ident
from hutong.privacy.anonymity import measure, propose_generalizations

#: Words that make a column a quasi-identifier of a person (birth, sex, 民族, school, region).
QUASI_WORDS = (
    *BIRTH_WORDS,
    "性别",
    "民族",
    "学校",
    "区划",
    "地区",
    "籍贯",
    "户籍",
    "年龄",
    "邮编",
    "sex",
    "gender",
    "ethnic",
    "school",
    "region",
    "age",
)
#: Direct identifiers found by content (a whole column of them).
DIRECT_EVIDENCE = {"公民身份号码", "全国学籍号", "手机号码", "电子邮箱", "中文姓名", "银行卡号"}
#: Column names of counts in an aggregated (statistical) table.
COUNT_SUFFIXES = ("人数", "生数", "师数", "count")  # counts of persons
SAMPLE_ROWS = 20
DATASET = "dataset"


def _is_birth(column: str) -> bool:
    return any(w in column.lower() for w in BIRTH_WORDS)


def direct_identifiers(version: DatasetVersion, resource: Resource) -> list[str]:
    """Columns that identify a person on their own: detected by content, or named as an
    identity/contact item (a birth date is a quasi-identifier, not a direct one)."""
    items = {item.name: item for item in resource.items}
    found = []
    detected = (version.detection or {}).get("columns", {})
    for column in (c["name"] for c in version.columns):
        finding = detected.get(column) or {}
        item = items.get(column)
        named = by_name(column)
        if _is_birth(column):
            continue
        if (
            finding.get("evidence") in DIRECT_EVIDENCE
            or named in (PiCategory.IDENTITY, PiCategory.CONTACT)
            or (
                item is not None
                and item.pi_category in (PiCategory.IDENTITY.value, PiCategory.CONTACT.value)
                and not about_organisation(column)
            )
        ):
            found.append(column)
    return found


def quasi_identifiers(columns: list[str]) -> list[str]:
    return [c for c in columns if any(w in c.lower() for w in QUASI_WORDS)]


def count_columns(version: DatasetVersion) -> list[str]:
    return [
        c["name"]
        for c in version.columns
        if c["name"].lower().endswith(COUNT_SUFFIXES) and not _is_birth(c["name"])
    ]


def _sample_rows(connection: duckdb.DuckDBPyConnection, condition: str) -> list[int]:
    rows = connection.execute(
        f"SELECT n FROM (SELECT row_number() OVER () AS n, * FROM {DATASET}) "
        f"WHERE {condition} ORDER BY n LIMIT {SAMPLE_ROWS}"
    ).fetchall()
    return [int(r[0]) for r in rows]


def run_check(
    connection: duckdb.DuckDBPyConnection,
    version: DatasetVersion,
    resource: Resource,
    k: int,
    small_cell: int,
) -> dict[str, Any]:
    """The check over the version's rows (the view ``dataset`` on ``connection``)."""
    columns = [c["name"] for c in version.columns]
    problems: list[dict[str, Any]] = []
    direct = direct_identifiers(version, resource)
    for column in direct:
        filled = connection.execute(f"SELECT count({ident(column)}) FROM {DATASET}").fetchone()[0]
        problems.append(
            {
                "kind": "direct_identifier",
                "column": column,
                "rows": int(filled),
                "zh": f"“{column}”是直接标识符，不得公开",
                "en": f"{column} is a direct identifier and may not be published",
                "proposals": [
                    {"zh": f"删除“{column}”列", "en": f"drop {column}"},
                    {"zh": f"对“{column}”假名化", "en": f"pseudonymize {column}"},
                ],
            }
        )
    # Rows about persons are microdata (k-anonymity); a table of counts about no one is an
    # aggregate (small cells); anything else (a school directory) has no one to protect.
    report: dict[str, Any] = {"k": k, "small_cell": small_cell, "direct": direct}
    detected = (version.detection or {}).get("columns", {})
    person_level = (
        bool(direct) or any(_is_birth(c) for c in columns) or resource.has_pi or bool(detected)
    )
    counts = [] if person_level else count_columns(version)
    if person_level:
        quasi = quasi_identifiers([c for c in columns if c not in direct])
        report["kind"], report["quasi"] = "microdata", quasi
        if quasi:
            _k_anonymity(connection, quasi, k, report, problems)
    elif counts:
        report["kind"] = "aggregate"
        for column in counts:
            _small_cells(connection, column, small_cell, problems)
    else:
        report["kind"] = "other"
    report["problems"] = problems
    report["passed"] = not problems
    return report


def _small_cells(
    connection: duckdb.DuckDBPyConnection, column: str, small_cell: int, problems: list
) -> None:
    value = f"TRY_CAST({ident(column)} AS DOUBLE)"
    condition = f"{value} > 0 AND {value} < {int(small_cell)}"
    n = connection.execute(f"SELECT count(*) FROM {DATASET} WHERE {condition}").fetchone()[0]
    if n:
        problems.append(
            {
                "kind": "small_cell",
                "column": column,
                "rows": int(n),
                "sample_rows": _sample_rows(connection, condition),
                "zh": f"“{column}”有 {n} 个小于 {small_cell} 的单元格未抑制",
                "en": f"{column} has {n} cells below {small_cell} left unsuppressed",
                "proposals": [
                    {"zh": f"将小于 {small_cell} 的单元格置空（抑制）",
                     "en": f"suppress cells below {small_cell}"},
                    {"zh": "合并类别后重新汇总", "en": "merge categories and re-aggregate"},
                ],
            }
        )  # fmt: skip


def _k_anonymity(
    connection: duckdb.DuckDBPyConnection, quasi: list[str], k: int, report: dict, problems: list
) -> None:
    measured = measure(connection, DATASET, quasi, k=k)
    report["anonymity"] = measured.as_dict()
    if measured.satisfied:
        return
    group = ", ".join(ident(q) for q in quasi)
    small = f"({group}) IN (SELECT {group} FROM {DATASET} GROUP BY ALL HAVING count(*) < {int(k)})"
    proposals = propose_generalizations(connection, DATASET, quasi, k)
    problems.append(
        {
            "kind": "k_anonymity",
            "columns": quasi,
            "rows": measured.rows_below_k,
            "classes": measured.classes_below_k,
            "k": measured.k_achieved,
            "sample_rows": _sample_rows(connection, small),
            "zh": f"准标识符（{'、'.join(quasi)}）k={measured.k_achieved}，低于 {k}：{measured.rows_below_k} 行",
            "en": f"quasi-identifiers ({', '.join(quasi)}) reach k={measured.k_achieved} < {k}: {measured.rows_below_k} rows",
            "proposals": [
                {"zh": p.zh, "en": p.en, "column": p.column, "rows": p.rows} for p in proposals
            ],
        }
    )
