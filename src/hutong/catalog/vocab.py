"""Controlled vocabularies of the catalog, each value with its Chinese label.

Names follow the glossary in DESIGN.md; the Chinese labels are the documents' own words and
are what the console shows and what the Excel workbook carries.
"""

from __future__ import annotations

from dataclasses import dataclass
from enum import StrEnum


class Labelled(StrEnum):
    """A StrEnum whose members carry a Chinese label (``LABELS`` on the subclass)."""

    @property
    def zh(self) -> str:
        return LABELS[type(self)][self]

    @classmethod
    def from_label(cls, text: str) -> Labelled:
        """Accept either the code or the Chinese label (as workbooks carry labels)."""
        text = text.strip()
        for member in cls:
            if text in (member.value, member.zh):
                return member
        raise ValueError(text)


class ShareType(Labelled):
    """M2018 §16."""

    UNCONDITIONAL = "unconditional"
    CONDITIONAL = "conditional"
    NOT_SHARED = "not_shared"


class OpenType(Labelled):
    """M2018 §24."""

    PROACTIVE = "proactive"
    ON_REQUEST = "on_request"
    NOT_OPEN = "not_open"


class DataKind(Labelled):
    """M2018 §2: 法定统计数据 / 行政记录数据."""

    STATISTICAL = "statistical"
    ADMINISTRATIVE = "administrative"


class Grade(Labelled):
    """GB/T 43697-2024 核心 / 重要 / 一般 (N2021 task 3)."""

    CORE = "core"
    IMPORTANT = "important"
    GENERAL = "general"


class ResourceAttribute(Labelled):
    """《政务信息资源目录编制指南（试行）》: 基础 / 主题 / 部门 information resources."""

    BASIC = "basic"
    TOPIC = "topic"
    DEPARTMENT = "department"


class ResourceFormat(Labelled):
    TABLE = "table"
    FILE = "file"
    DATABASE = "database"
    INTERFACE = "interface"
    IMAGE = "image"
    OTHER = "other"


class UpdateCycle(Labelled):
    REALTIME = "realtime"
    DAILY = "daily"
    WEEKLY = "weekly"
    MONTHLY = "monthly"
    QUARTERLY = "quarterly"
    SEMIANNUAL = "semiannual"
    ANNUAL = "annual"
    IRREGULAR = "irregular"


class Status(Labelled):
    DRAFT = "draft"
    SUBMITTED = "submitted"
    RETURNED = "returned"
    APPROVED = "approved"
    PUBLISHED = "published"
    RETIRED = "retired"


class RevisionStatus(Labelled):
    """A filed revision of a published entry (``revisions.py``)."""

    PENDING = "pending"
    APPROVED = "approved"
    RETURNED = "returned"
    LAPSED = "lapsed"  # another version took effect first; it must be filed again


class SystemKind(Labelled):
    """The systems that collect data (N2021 task 2; M2018 §7)."""

    SURVEY = "survey"
    ADMIN_SYSTEM = "admin_system"


class PiCategory(Labelled):
    """Personal-information categories of an information item (GB/T 35273 appendix A)."""

    NONE = "none"
    IDENTITY = "identity"  # 姓名、身份证件号码、学籍号
    CONTACT = "contact"  # 电话、电子邮箱、住址
    ETHNICITY = "ethnicity"  # 民族 (sensitive, N2021 task 11)
    RELIGION = "religion"  # 宗教信仰 (sensitive)
    BIOMETRIC = "biometric"  # 个人生物特征 (sensitive)
    HEALTH = "health"  # 医疗健康 (sensitive)
    FINANCIAL = "financial"  # 金融账号 (sensitive)
    WHEREABOUTS = "whereabouts"  # 个人行踪 (sensitive)
    EDUCATION = "education"  # 学业、成绩
    FAMILY = "family"  # 家庭成员
    OTHER = "other"


#: Sensitive personal information per N2021 task 11.
SENSITIVE_PI = frozenset(
    {
        PiCategory.ETHNICITY,
        PiCategory.RELIGION,
        PiCategory.BIOMETRIC,
        PiCategory.HEALTH,
        PiCategory.FINANCIAL,
        PiCategory.WHEREABOUTS,
    }
)

#: N2021 task 9: duties attach to systems that store, and sharing that moves, the personal
#: information of "100 万人以上" persons; 以上 includes the number itself.
MILLION_PERSONS = 1_000_000


def reaches_million(persons):  # type: ignore[no-untyped-def]
    """The one comparison of N2021 task 9's threshold (达到 100 万人, so ≥), for a Python count
    and for a SQL column alike, so that no rule, gate or proposal draws the line elsewhere."""
    return persons >= MILLION_PERSONS


class ItemType(Labelled):
    """数据类型 of an information item. Its values are the Chinese terms themselves: they are
    what workbooks, API clients and every stored entry have always carried."""

    STRING = "字符型"
    CODE = "代码型"
    NUMBER = "数值型"
    INTEGER = "整数型"
    FLOAT = "浮点型"
    DATE = "日期型"
    DATETIME = "日期时间型"
    TIME = "时间型"
    BOOLEAN = "布尔型"


@dataclass(frozen=True)
class TypeShape:
    """What 长度 and 精度 (decimal places) may be for one data type. 长度 is the most a value
    may have, so one shorter than the shortest value of the type (``min_length``) holds no
    value at all; numbers have at most ``max_length`` digits; only a type ``has_precision``
    has places after the decimal point."""

    min_length: int
    length_means: str  # what 长度 counts, in the words the steward reads
    max_length: int | None = None
    has_precision: bool = False


#: The digits a number can have in the data plane (DuckDB's widest DECIMAL).
MAX_DIGITS = 38
ITEM_TYPE_SHAPES = {
    ItemType.STRING: TypeShape(1, "最多字符数"),
    ItemType.CODE: TypeShape(1, "代码位数"),
    ItemType.NUMBER: TypeShape(1, "全部数字位数，含小数位", MAX_DIGITS, has_precision=True),
    ItemType.INTEGER: TypeShape(1, "数字位数", MAX_DIGITS),
    ItemType.FLOAT: TypeShape(1, "有效数字位数", has_precision=True),
    ItemType.DATE: TypeShape(8, "YYYYMMDD 为 8 位，YYYY-MM-DD 为 10 位"),
    ItemType.DATETIME: TypeShape(14, "YYYYMMDDhhmmss 为 14 位，YYYY-MM-DD hh:mm:ss 为 19 位"),
    ItemType.TIME: TypeShape(5, "hh:mm 为 5 位，hh:mm:ss 为 8 位"),
    ItemType.BOOLEAN: TypeShape(1, "是/否、1/0 为 1 位"),
}


class Mask(Labelled):
    """Masking applied by default when an item is shared (the exchange refines it per grant)."""

    NONE = "none"
    PARTIAL = "partial"
    PSEUDONYM = "pseudonym"
    GENERALIZE = "generalize"
    HASH = "hash"
    NULL = "null"


LABELS: dict[type, dict[Labelled, str]] = {
    ShareType: {
        ShareType.UNCONDITIONAL: "无条件共享",
        ShareType.CONDITIONAL: "有条件共享",
        ShareType.NOT_SHARED: "不予共享",
    },
    OpenType: {
        OpenType.PROACTIVE: "主动公开",
        OpenType.ON_REQUEST: "依申请公开",
        OpenType.NOT_OPEN: "不予公开",
    },
    DataKind: {DataKind.STATISTICAL: "法定统计数据", DataKind.ADMINISTRATIVE: "行政记录数据"},
    Grade: {Grade.CORE: "核心数据", Grade.IMPORTANT: "重要数据", Grade.GENERAL: "一般数据"},
    ResourceAttribute: {
        ResourceAttribute.BASIC: "基础信息资源",
        ResourceAttribute.TOPIC: "主题信息资源",
        ResourceAttribute.DEPARTMENT: "部门信息资源",
    },
    ResourceFormat: {
        ResourceFormat.TABLE: "电子表格/数据表",
        ResourceFormat.FILE: "文件",
        ResourceFormat.DATABASE: "数据库",
        ResourceFormat.INTERFACE: "接口",
        ResourceFormat.IMAGE: "图像",
        ResourceFormat.OTHER: "其他",
    },
    UpdateCycle: {
        UpdateCycle.REALTIME: "实时",
        UpdateCycle.DAILY: "每日",
        UpdateCycle.WEEKLY: "每周",
        UpdateCycle.MONTHLY: "每月",
        UpdateCycle.QUARTERLY: "每季度",
        UpdateCycle.SEMIANNUAL: "每半年",
        UpdateCycle.ANNUAL: "每年",
        UpdateCycle.IRREGULAR: "不定期",
    },
    Status: {
        Status.DRAFT: "草稿",
        Status.SUBMITTED: "待审核",
        Status.RETURNED: "已退回",
        Status.APPROVED: "已审核",
        Status.PUBLISHED: "已发布",
        Status.RETIRED: "已停用",
    },
    RevisionStatus: {
        RevisionStatus.PENDING: "待审核",
        RevisionStatus.APPROVED: "已生效",
        RevisionStatus.RETURNED: "已退回",
        RevisionStatus.LAPSED: "已失效",
    },
    SystemKind: {
        SystemKind.SURVEY: "教育统计调查项目",
        SystemKind.ADMIN_SYSTEM: "行政业务管理信息系统",
    },
    PiCategory: {
        PiCategory.NONE: "非个人信息",
        PiCategory.IDENTITY: "个人身份信息",
        PiCategory.CONTACT: "个人联系信息",
        PiCategory.ETHNICITY: "民族",
        PiCategory.RELIGION: "宗教信仰",
        PiCategory.BIOMETRIC: "个人生物特征",
        PiCategory.HEALTH: "医疗健康",
        PiCategory.FINANCIAL: "金融账号",
        PiCategory.WHEREABOUTS: "个人行踪",
        PiCategory.EDUCATION: "教育经历与学业",
        PiCategory.FAMILY: "家庭成员",
        PiCategory.OTHER: "其他个人信息",
    },
    ItemType: {member: member.value for member in ItemType},
    Mask: {
        Mask.NONE: "不脱敏",
        Mask.PARTIAL: "部分遮盖",
        Mask.PSEUDONYM: "假名化",
        Mask.GENERALIZE: "泛化",
        Mask.HASH: "哈希",
        Mask.NULL: "置空",
    },
}
