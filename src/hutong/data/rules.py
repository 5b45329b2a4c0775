"""Which checks apply to which column, decided from the catalog item (M2018 §10, §12).

An item's name and standard data element say which identifier it holds; its data type, length,
precision and declared range say what a value of it may look like. Each check is a SQL macro of
``validators.py`` that judges one aspect of a non-empty value, so a failing value is set aside
with every reason that applies; emptiness is measured separately as completeness."""

from __future__ import annotations

from dataclasses import dataclass

from hutong.catalog.models import Item


@dataclass(frozen=True)
class Check:
    name: str  # stable id, used in reports
    macro: str  # SQL macro applied to the column's text
    zh: str  # what a failing value is, in Chinese
    args: tuple[int | float, ...] = ()  # the item's declarations the macro compares with

    def sql(self, value: str) -> str:
        """The SQL that is true when ``value`` (an SQL expression) passes."""
        return f"{self.macro}({', '.join([value, *(repr(a) for a in self.args)])})"


CHECKS = {
    "citizen_id": Check(
        "citizen_id", "hutong_citizen_id_ok", "公民身份号码无效（校验码、出生日期或省份代码错误）"
    ),
    "student_no": Check("student_no", "hutong_student_no_ok", "全国学籍号格式无效"),
    "school_code": Check(
        "school_code", "hutong_school_code_ok", "学校标识码无效（类别、省份代码或位数错误）"
    ),
    "uscc": Check("uscc", "hutong_uscc_ok", "统一社会信用代码无效"),
    "mobile": Check("mobile", "hutong_mobile_ok", "手机号码格式无效"),
    "email": Check("email", "hutong_email_ok", "电子邮箱格式无效"),
    "sex": Check("sex", "hutong_sex_ok", "性别代码不在 GB/T 2261.1 中"),
    "ethnicity": Check("ethnicity", "hutong_ethnicity_ok", "民族代码不在 GB/T 3304 中"),
    "date": Check("date", "hutong_any_date_ok", "日期无效（应为 YYYY-MM-DD 或 YYYYMMDD）"),
    "integer": Check("integer", "hutong_integer_ok", "不是整数"),
    "decimal": Check(
        "decimal", "hutong_decimal_ok", "不是数值（应为阿拉伯数字，可带正负号和小数点）"
    ),
    "float": Check("float", "hutong_float_ok", "不是数值（应为阿拉伯数字，可带小数点和指数）"),
    "datetime": Check("datetime", "hutong_datetime_ok", "日期时间无效（应为 YYYY-MM-DD HH:MM:SS）"),
    "time": Check("time", "hutong_time_ok", "时间无效（应为 HH:MM:SS）"),
    "boolean": Check("boolean", "hutong_boolean_ok", "不是逻辑值（应为 是/否、true/false 或 1/0）"),
}
#: (words in the item's name or data element, check) — first match wins.
BY_NAME = [
    (("身份证", "公民身份号码", "身份证件号"), "citizen_id"),
    (("学籍号",), "student_no"),
    (("学校标识码", "学校代码"), "school_code"),
    (("统一社会信用代码", "信用代码"), "uscc"),
    (("手机", "移动电话", "联系电话"), "mobile"),
    (("邮箱", "电子邮件"), "email"),
    (("性别",), "sex"),
    (("民族",), "ethnicity"),
]
#: 数据类型 → what its values are. The names and letters are those of 《政务信息资源目录编制
#: 指南（试行）》 (字符型 C, 数值型 N, 货币型 Y, 日期型 D, 日期时间型 T, 逻辑型 L, 备注型 M,
#: 通用型 G, 双精度型 B, 整型 I, 浮点型 F), with the education standards' 代码型 and the common
#: synonyms. 通用型 (binary) and unknown types are checked for length only.
TYPES = {
    **dict.fromkeys(("字符型", "C", "代码型", "备注型", "M", "文本型", "文本"), "text"),
    **dict.fromkeys(("数值型", "N", "货币型", "Y"), "decimal"),
    **dict.fromkeys(("浮点型", "F", "双精度型", "B"), "float"),
    **dict.fromkeys(("整型", "I", "整数型", "整数"), "integer"),
    **dict.fromkeys(("日期型", "D"), "date"),
    **dict.fromkeys(("日期时间型", "T"), "datetime"),
    **dict.fromkeys(("时间型",), "time"),
    **dict.fromkeys(("逻辑型", "L", "布尔型", "布尔"), "boolean"),
}
NUMBERS = ("decimal", "float", "integer")


def kind_of(item: Item) -> str:
    """What the item's values are: a key of ``TYPES``' values, or "other"."""
    return TYPES.get(item.data_type.strip(), "other")


def checks_for(item: Item) -> list[Check]:
    """Every check a non-empty value of ``item`` must pass, identifier first."""
    kind = kind_of(item)
    found = [CHECKS[c] for c in (_identifier(item), kind) if c in CHECKS]
    if kind == "text" and not found and item.name.endswith("日期"):
        found.append(CHECKS["date"])  # a date kept as text
    if kind in NUMBERS:
        found += _digits(item, kind) + _range(item)
    elif kind in ("text", "other") and item.length:
        found.append(
            Check("length", "hutong_length_ok", f"超过长度 {item.length} 个字符", (item.length,))
        )
    return found


def _identifier(item: Item) -> str | None:
    text = f"{item.name} {item.element_ref}"
    return next((check for words, check in BY_NAME if any(w in text for w in words)), None)


def _digits(item: Item, kind: str) -> list[Check]:
    """长度 is the number of digits in all (a 长度 5 数值型 holds at most 5 digits); 精度 is the
    digits after the point, so the digits before it are at most 长度 − 精度 (like SQL's
    DECIMAL(5, 1)). An 整型 has no fraction at all, which its type check already says."""
    length, precision = item.length, item.precision
    found = []
    if length:
        found.append(Check("digits", "hutong_digits_ok", f"超过 {length} 位数字", (length,)))
    if kind == "integer" or precision is None:
        return found
    found.append(Check("decimals", "hutong_decimals_ok", f"小数超过 {precision} 位", (precision,)))
    if length and precision:
        whole = length - precision
        found.append(
            Check("whole_digits", "hutong_int_digits_ok", f"整数部分超过 {whole} 位", (whole,))
        )
    return found


def _range(item: Item) -> list[Check]:
    """The declared 取值范围; an item without one takes any value of its type, negatives too."""
    found = []
    if item.min_value is not None:
        low = item.min_value
        found.append(Check("minimum", "hutong_at_least", f"小于取值下限 {plain(low)}", (low,)))
    if item.max_value is not None:
        high = item.max_value
        found.append(Check("maximum", "hutong_at_most", f"大于取值上限 {plain(high)}", (high,)))
    return found


def plain(number: float) -> str:
    """A bound as people write it: 0, not 0.0."""
    number = float(number)
    return str(int(number)) if number.is_integer() else repr(number)
