"""Which checks apply to which column, decided from the catalog item (M2018 §10).

An item's name, data type and standard data element say what it holds; each check is one of
the SQL macros of ``validators.py``. Checks judge non-empty values; emptiness is measured
separately as completeness."""

from __future__ import annotations

from dataclasses import dataclass

from hutong.catalog.models import Item


@dataclass(frozen=True)
class Check:
    name: str  # stable id, used in reports
    macro: str  # SQL macro applied to the column's text
    zh: str  # what a failing value is, in Chinese


CHECKS = {
    "citizen_id": Check(
        "citizen_id", "hutong_citizen_id_ok", "公民身份号码无效（校验码、出生日期或省份代码错误）"
    ),
    "student_no": Check("student_no", "hutong_student_no_ok", "全国学籍号格式无效"),
    "school_code": Check("school_code", "hutong_school_code_ok", "学校标识码无效"),
    "uscc": Check("uscc", "hutong_uscc_ok", "统一社会信用代码无效"),
    "mobile": Check("mobile", "hutong_mobile_ok", "手机号码格式无效"),
    "email": Check("email", "hutong_email_ok", "电子邮箱格式无效"),
    "sex": Check("sex", "hutong_sex_ok", "性别代码不在 GB/T 2261.1 中"),
    "ethnicity": Check("ethnicity", "hutong_ethnicity_ok", "民族代码不在 GB/T 3304 中"),
    "date": Check("date", "hutong_any_date_ok", "日期无效（应为 YYYY-MM-DD 或 YYYYMMDD）"),
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


def check_for(item: Item) -> Check | None:
    text = f"{item.name} {item.element_ref}"
    for words, check in BY_NAME:
        if any(word in text for word in words):
            return CHECKS[check]
    if "日期" in item.data_type or item.name.endswith("日期"):
        return CHECKS["date"]
    return None
