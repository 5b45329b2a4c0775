"""The release gate's automatic check (N2021 task 8, M2018 §25): before a 主动公开 version can
go public, no direct identifier may be left, quasi-identifiers must meet k-anonymity
(k ≥ 5 by default) and an aggregated table must have no small cell left unsuppressed and no
withheld cell that a row or column total gives away.

An aggregated table is recognised by its count columns — named as counts (``…人数``,
``学校数``, ``数量``, a unit such as ``（人）``), or described with a count unit in the catalog,
or, by content, whole non-negative numbers in a table whose other columns identify each row
(one row per cell). A table of counts is an aggregate even when a dimension is a personal
attribute (学历, 民族): its rows are cells, not persons.

A failure names the columns and the rows (row numbers in file order, never values) and
proposes what to do: drop or pseudonymize a direct identifier, the generalizations that reach
k (``privacy/anonymity.py``), the exact cells to withhold — small ones and their
complementary partners (``privacy/release.py``).
"""

from __future__ import annotations

import re
from typing import Any

from hutong.catalog.models import Resource
from hutong.catalog.vocab import PiCategory
from hutong.data.detect import BIRTH_WORDS, about_organisation, by_name
from hutong.data.engine import Connection
from hutong.data.models import DatasetVersion
from hutong.data.sql import ident, literal
from hutong.privacy.anonymity import measure
from hutong.privacy.generalization import propose_generalizations
from hutong.privacy.release import protect_table

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
#: Column names of counts in an aggregated (statistical) table: ``…数`` (人数, 学校数, 在校生数)
#: or one of these endings, unless a word below says the number is not a count.
COUNT_ENDINGS = ("数", "数量", "人次", "合计", "总计", "小计", "count", "number", "total", "freq")
NOT_COUNT_WORDS = ("分数", "指数", "系数", "倍数", "小数", "位数", "参数", "函数", "率", "比")
#: Units that make a number a count: in the name, ``在校生（人）``, or the item's description.
COUNT_UNITS = ("人", "人次", "名", "所", "个", "户", "家", "座", "项", "件", "次", "校", "班")
#: Whole numbers under these names are times, codes or identifiers, never counts.
NOT_COUNT_NAMES = ("年度", "年份", "年月", "日期", "时间", "代码", "编码", "标识码", "编号", "号",
                   "year", "date", "time", "code", "id")  # fmt: skip
#: Catalog data types that never hold a count.
NOT_COUNT_TYPES = ("代码型", "字符型", "日期型", "日期时间型", "布尔型")
UNIT_IN_NAME = re.compile(r"^(.*?)\s*[（(]\s*([^）)]+?)\s*[）)]$")
UNIT_IN_TEXT = re.compile(r"(?:计量)?单位[：:]\s*([^\s，,；;。）)]+)")
WHOLE_NUMBER = r"^(0|[1-9][0-9]*)(\.0+)?$"
SAMPLE_ROWS = 20
#: Rows to withhold listed in a report, at most (the count is always given).
PROPOSED_ROWS = 5000
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


def named_count(name: str, description: str = "") -> bool:
    """A column named or described as a count of persons or things."""
    found = UNIT_IN_NAME.match(name)
    base, unit = (found.group(1), found.group(2)) if found else (name, "")
    unit = unit or next(iter(UNIT_IN_TEXT.findall(description)), "")
    if unit in COUNT_UNITS:
        return True
    base = base.lower()
    if _is_birth(base) or any(w in base for w in NOT_COUNT_WORDS):
        return False
    return base.endswith(COUNT_ENDINGS)


def _whole_numbers(connection: Connection, column: str) -> bool:
    """Every filled value a non-negative whole number without leading zeros (so 01, 02 codes
    are not counts), and at least one filled."""
    text = f"CAST({ident(column)} AS VARCHAR)"
    filled, whole = connection.execute(
        f"SELECT count({ident(column)}), count(*) FILTER (WHERE regexp_matches({text}, "
        f"{literal(WHOLE_NUMBER)})) FROM {DATASET}"
    ).fetchone()
    return bool(filled) and filled == whole


def count_columns(
    connection: Connection, version: DatasetVersion, resource: Resource
) -> tuple[list[str], list[str]]:
    """(columns that are counts by name or catalog, columns that are counts by content only)."""
    items = {item.name: item for item in resource.items}
    named, by_content = [], []
    for column in (c["name"] for c in version.columns):
        item = items.get(column)
        if item is not None and item.data_type in NOT_COUNT_TYPES:
            continue
        if named_count(column, item.description if item is not None else ""):
            named.append(column)
        elif not any(w in column.lower() for w in NOT_COUNT_NAMES) and _whole_numbers(
            connection, column
        ):
            by_content.append(column)
    return named, by_content


def _one_row_per_cell(connection: Connection, dims: list[str]) -> bool:
    """Whether the dimension columns identify every row, as they do in a table of cells."""
    if not dims:
        return False
    keys = ", ".join(ident(d) for d in dims)
    repeated = connection.execute(
        f"SELECT count(*) FROM (SELECT {keys} FROM {DATASET} GROUP BY ALL HAVING count(*) > 1)"
    ).fetchone()[0]
    return not repeated


def dimensions(connection: Connection, columns: list[str]) -> list[str]:
    """The table's dimensions without those that only rename another one-to-one (学校名称
    beside 学校标识码): a renaming dimension would cut every line down to one cell."""
    kept: list[str] = []
    for column in columns:
        if not any(_one_to_one(connection, other, column) for other in kept):
            kept.append(column)
    return kept


def _one_to_one(connection: Connection, a: str, b: str) -> bool:
    x, y = ident(a), ident(b)
    pairs, left, right = connection.execute(
        f"SELECT count(DISTINCT ({x}, {y})), count(DISTINCT {x}), count(DISTINCT {y}) "
        f"FROM {DATASET}"
    ).fetchone()
    return pairs == left == right


def _sample_rows(connection: Connection, condition: str) -> list[int]:
    rows = connection.execute(
        f"SELECT n FROM (SELECT row_number() OVER () AS n, * FROM {DATASET}) "
        f"WHERE {condition} ORDER BY n LIMIT {SAMPLE_ROWS}"
    ).fetchall()
    return [int(r[0]) for r in rows]


def run_check(
    connection: Connection,
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
    report: dict[str, Any] = {"k": k, "small_cell": small_cell, "direct": direct}
    counts = _aggregate_counts(connection, version, resource, direct)
    if counts:
        dims = dimensions(connection, [c for c in columns if c not in counts])
        report["kind"], report["counts"], report["dimensions"] = "aggregate", counts, dims
        for column in counts:
            _small_cells(connection, dims, column, small_cell, problems)
    elif _person_level(version, resource, direct):
        quasi = quasi_identifiers([c for c in columns if c not in direct])
        report["kind"], report["quasi"] = "microdata", quasi
        if quasi:
            _k_anonymity(connection, quasi, k, report, problems)
    else:
        report["kind"] = "other"  # a school directory: no one to protect
    report["problems"] = problems
    report["passed"] = not problems
    return report


def _person_level(version: DatasetVersion, resource: Resource, direct: list[str]) -> bool:
    detected = (version.detection or {}).get("columns", {})
    birth = any(_is_birth(c["name"]) for c in version.columns)
    return bool(direct) or birth or resource.has_pi or bool(detected)


def _aggregate_counts(
    connection: Connection,
    version: DatasetVersion,
    resource: Resource,
    direct: list[str],
) -> list[str]:
    """The count columns when the version is a table of counts, else none. Rows with a direct
    identifier or a birth date are persons; a table whose other columns identify each row is
    one of cells; failing that, counts by name still make a table about no one an aggregate
    (a person-level table then stays microdata, for k-anonymity)."""
    if direct or any(_is_birth(c["name"]) for c in version.columns):
        return []
    named, by_content = count_columns(connection, version, resource)
    counts = named + by_content
    others = [c["name"] for c in version.columns if c["name"] not in counts]
    if counts and _one_row_per_cell(connection, others):
        return counts
    return [] if _person_level(version, resource, direct) else named


def _small_cells(
    connection: Connection,
    dims: list[str],
    column: str,
    small_cell: int,
    problems: list,
) -> None:
    """Every cell of ``column`` against the threshold, and every withheld cell against the
    line totals: the cells still to withhold are the proposal."""
    cells = protect_table(connection, DATASET, dims, column, small_cell)
    small = [c.row for c in cells if c.primary and c.count is not None]
    partners = [c.row for c in cells if c.complementary]
    if not small and not partners:
        return
    rows = sorted(small + partners)
    problems.append(
        {
            "kind": "small_cell" if small else "derivable_cell",
            "column": column,
            "rows": len(small),
            "complementary": len(partners),
            "sample_rows": (small or partners)[:SAMPLE_ROWS],
            "suppress_rows": rows[:PROPOSED_ROWS],
            **_cell_messages(column, small_cell, len(small), len(partners)),
            "proposals": [
                {
                    "zh": f"将以下 {len(rows)} 行的“{column}”置空（抑制）：{len(small)} 个小于 "
                    f"{small_cell} 的单元格，以及 {len(partners)} 个互补隐匿的单元格，"
                    f"使任何被隐匿的单元格都不能由行、列合计推算出来（行号 {_rows_zh(rows)}）",
                    "en": f"withhold {column} in {len(rows)} rows: {len(small)} cells below "
                    f"{small_cell} and {len(partners)} complementary cells, so that no "
                    f"withheld cell follows from a row or column total",
                },
                {"zh": "合并类别后重新汇总", "en": "merge categories and re-aggregate"},
            ],
        }
    )


def _cell_messages(column: str, threshold: int, small: int, partners: int) -> dict[str, str]:
    if small:
        return {
            "zh": f"“{column}”有 {small} 个小于 {threshold} 的单元格未抑制",
            "en": f"{column} has {small} cells below {threshold} left unsuppressed",
        }
    return {
        "zh": f"“{column}”中已隐匿的单元格可由行、列合计推算出来：还须隐匿 {partners} 个单元格",
        "en": f"withheld cells of {column} follow from row or column totals: "
        f"{partners} more must be withheld",
    }


def _rows_zh(rows: list[int]) -> str:
    shown = "、".join(map(str, rows[:SAMPLE_ROWS]))
    return shown + ("等" if len(rows) > SAMPLE_ROWS else "")


def _k_anonymity(
    connection: Connection, quasi: list[str], k: int, report: dict, problems: list
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
