"""Personal-information detection on ingest (N2021 tasks 3, 8–11).

Columns are recognised by name (Chinese and English synonyms) and by content on a sample
(valid ID numbers, mobile numbers, e-mails, Luhn-valid bank cards, addresses, Chinese person
names). The result proposes each column's PI category and sensitivity and the entry's grade,
counts children under 14 (from birth dates or ID numbers) and distinct persons (the
one-million threshold of N2021 task 9), and lists where the catalog says otherwise.
"""

from __future__ import annotations

from dataclasses import asdict, dataclass, field
from datetime import date

import duckdb

from hutong.catalog.models import Resource
from hutong.catalog.vocab import SENSITIVE_PI, PiCategory, reaches_million
from hutong.data.sql import ident, literal

SAMPLE_ROWS = 10_000
CONTENT_THRESHOLD = 0.8
#: (category, words that name such a column), first match wins.
NAMES = [
    (
        PiCategory.IDENTITY,
        (
            "姓名",
            "身份证",
            "公民身份号码",
            "证件号",
            "学籍号",
            "护照",
            "name",
            "id_card",
            "idcard",
            "student_no",
            "passport",
        ),
    ),
    (
        PiCategory.CONTACT,
        (
            "手机",
            "电话",
            "联系方式",
            "邮箱",
            "电子邮件",
            "住址",
            "地址",
            "phone",
            "mobile",
            "email",
            "address",
        ),
    ),
    (PiCategory.ETHNICITY, ("民族", "ethnic", "nation")),
    (PiCategory.RELIGION, ("宗教", "religion")),
    (
        PiCategory.HEALTH,
        ("健康", "病史", "体检", "残疾", "体质", "health", "disease", "disability"),
    ),
    (PiCategory.BIOMETRIC, ("指纹", "人脸", "虹膜", "声纹", "fingerprint", "face", "iris")),
    (PiCategory.FINANCIAL, ("银行卡", "银行账号", "账户", "bank", "account", "card_no")),
    (PiCategory.WHEREABOUTS, ("行踪", "轨迹", "定位", "位置", "location", "gps", "trajectory")),
    (PiCategory.FAMILY, ("监护人", "父亲", "母亲", "家长", "guardian", "parent")),
    (PiCategory.EDUCATION, ("成绩", "学历", "分数", "score", "education")),
]
#: A column about an organisation (学校地址, 单位名称) holds no personal information by its name,
#: nor by addresses or name-like text in its content; ID or card numbers in it still count.
ORGANISATION_WORDS = ("学校", "单位", "机构", "企业", "公司", "school", "organization", "company")
ORGANISATION_EVIDENCE = ("地址", "中文姓名")
BIRTH_WORDS = ("出生日期", "出生年月", "生日", "birth")
SURNAMES = (
    "王李张刘陈杨黄赵吴周徐孙马朱胡郭何高林罗郑梁谢宋唐许韩冯邓曹彭曾肖田董袁潘于蒋蔡余杜叶程苏魏吕丁任沈姚卢"
    "姜崔钟谭陆汪范金石廖贾夏韦付方白邹孟熊秦邱江尹薛闫段雷侯龙史陶黎贺顾毛郝龚邵万钱严覃武戴莫孔向汤"
)
#: (category, SQL test of one value v, what it is) applied to a sample of each column.
CONTENT = [
    (PiCategory.IDENTITY, "hutong_citizen_id_ok(v)", "公民身份号码"),
    (PiCategory.IDENTITY, "hutong_student_no_ok(v)", "全国学籍号"),
    (PiCategory.CONTACT, "hutong_mobile_ok(v)", "手机号码"),
    (PiCategory.CONTACT, "hutong_email_ok(v)", "电子邮箱"),
    (PiCategory.FINANCIAL, "hutong_luhn_ok(v)", "银行卡号"),
    (
        PiCategory.CONTACT,
        "length(v) >= 6 AND regexp_matches(v, '(省|市|区|县|镇|乡|村|路|街|号)')",
        "地址",
    ),
    (
        PiCategory.IDENTITY,
        f"regexp_full_match(v, '[\\x{{4e00}}-\\x{{9fff}}]{{2,4}}') AND "
        f"contains({literal(SURNAMES)}, substr(v, 1, 1))",
        "中文姓名",
    ),
]


@dataclass
class ColumnFinding:
    category: str
    sensitive: bool
    by: str  # "name" or "content"
    evidence: str
    match_rate: float | None = None


@dataclass
class Detection:
    columns: dict[str, ColumnFinding] = field(default_factory=dict)
    children: int | None = None
    persons: int | None = None
    proposed_grade: str = "general"
    proposed_level: int = 1
    mismatches: list[dict[str, str]] = field(default_factory=list)

    def as_json(self) -> dict[str, object]:
        return asdict(self)


def about_organisation(column: str) -> bool:
    lowered = column.lower()
    return any(word in lowered for word in ORGANISATION_WORDS)


def by_name(column: str) -> PiCategory | None:
    lowered = column.lower()
    if about_organisation(column):
        return None
    for category, words in NAMES:
        if any(word in lowered for word in words):
            return category
    return None


def detect(
    connection: duckdb.DuckDBPyConnection,
    table: str,
    columns: list[str],
    resource: Resource,
    today: date,
) -> Detection:
    """Run on the staged rows (validators installed on the connection)."""
    result = Detection()
    sample = f"(SELECT * FROM {table} USING SAMPLE {SAMPLE_ROWS} ROWS (reservoir, 42))"
    content_hits: dict[str, tuple[PiCategory, str, float]] = {}
    for column in columns:
        value = ident(column)
        rates = ", ".join(
            f"avg(CASE WHEN {test} THEN 1.0 ELSE 0.0 END)" for _c, test, _w in CONTENT
        )
        row = connection.execute(
            f"SELECT {rates} FROM (SELECT {value} AS v FROM {sample}) WHERE v IS NOT NULL"
        ).fetchone()
        best = max(((rate or 0.0, i) for i, rate in enumerate(row)), default=(0.0, 0))
        if best[0] >= CONTENT_THRESHOLD:
            category, _test, what = CONTENT[best[1]]
            if what in ORGANISATION_EVIDENCE and about_organisation(column):
                continue
            content_hits[column] = (category, what, round(best[0], 4))
    id_columns = []
    for column in columns:
        named = by_name(column)
        if column in content_hits:
            category, what, rate = content_hits[column]
            if (
                named
                and named is not PiCategory.IDENTITY
                and category is PiCategory.IDENTITY
                and what == "中文姓名"
            ):
                category = (
                    named  # a name-like sample in, say, a 监护人 column keeps its named category
                )
            result.columns[column] = ColumnFinding(
                category.value, category in SENSITIVE_PI, "content", what, rate
            )
            if what in ("公民身份号码", "全国学籍号"):
                id_columns.append((column, what))
        elif named:
            result.columns[column] = ColumnFinding(
                named.value, named in SENSITIVE_PI, "name", column
            )
    result.children = _children(connection, table, columns, id_columns, today)
    if id_columns:
        column = id_columns[0][0]
        result.persons = connection.execute(
            f"SELECT count(DISTINCT {ident(column)}) FROM {table}"
        ).fetchone()[0]
    sensitive = any(f.sensitive for f in result.columns.values())
    has_pi = bool(result.columns)
    if sensitive or result.children or reaches_million(result.persons or 0):
        result.proposed_grade, result.proposed_level = "important", 0
    else:
        result.proposed_grade, result.proposed_level = "general", 3 if has_pi else 1
    result.mismatches = _mismatches(result, resource)
    return result


def _children(
    connection: duckdb.DuckDBPyConnection,
    table: str,
    columns: list[str],
    id_columns: list[tuple[str, str]],
    today: date,
) -> int | None:
    """Rows about someone under 14 on the ingest date (N2021 task 10)."""
    cutoff = date(today.year - 14, today.month, min(today.day, 28))
    births = []
    for column, what in id_columns:
        digits = f"substr({ident(column)}, {8 if what == '全国学籍号' else 7}, 8)"
        births.append(f"try_strptime({digits}, '%Y%m%d')")
    for column in columns:
        if any(word in column.lower() for word in BIRTH_WORDS):
            value = ident(column)
            births.append(
                f"coalesce(try_strptime({value}, '%Y-%m-%d'), try_strptime({value}, '%Y%m%d'))"
            )
    if not births:
        return None
    born = f"coalesce({', '.join(births)})"
    return connection.execute(
        f"SELECT count(*) FROM {table} WHERE {born} > DATE '{cutoff.isoformat()}'"
    ).fetchone()[0]


def _mismatches(result: Detection, resource: Resource) -> list[dict[str, str]]:
    """Where the data and its catalog entry disagree; the steward must resolve each."""
    items = {item.name: item for item in resource.items}
    found = []
    if result.columns and not resource.has_pi:
        found.append({"column": "", "zh": "目录登记为不含个人信息，但数据中检出个人信息"})
    for column, finding in result.columns.items():
        item = items.get(column)
        if item is not None and item.pi_category == PiCategory.NONE.value:
            found.append(
                {
                    "column": column,
                    "zh": f"信息项“{column}”登记为非个人信息，检出{PiCategory(finding.category).zh}",
                }
            )
        if item is not None and finding.sensitive and not item.sensitive:
            found.append(
                {"column": column, "zh": f"信息项“{column}”含敏感个人信息，目录未标记敏感"}
            )
    if result.children and not resource.has_child_pi:
        found.append({"column": "", "zh": "数据含不满十四周岁儿童的信息，目录未登记"})
    return found
