"""Validators of single identifier values (bulk validation runs in DuckDB SQL)."""

from __future__ import annotations

import re
from datetime import date

from stdnum.cn import uscc

PROVINCES = {
    "11": "北京市",
    "12": "天津市",
    "13": "河北省",
    "14": "山西省",
    "15": "内蒙古自治区",
    "21": "辽宁省",
    "22": "吉林省",
    "23": "黑龙江省",
    "31": "上海市",
    "32": "江苏省",
    "33": "浙江省",
    "34": "安徽省",
    "35": "福建省",
    "36": "江西省",
    "37": "山东省",
    "41": "河南省",
    "42": "湖北省",
    "43": "湖南省",
    "44": "广东省",
    "45": "广西壮族自治区",
    "46": "海南省",
    "50": "重庆市",
    "51": "四川省",
    "52": "贵州省",
    "53": "云南省",
    "54": "西藏自治区",
    "61": "陕西省",
    "62": "甘肃省",
    "63": "青海省",
    "64": "宁夏回族自治区",
    "65": "新疆维吾尔自治区",
}
#: The two leading digits of a 学校(机构)标识码: the category of school or institution, as
#: 《学校(机构)代码管理办法》(2011) defines them (M2018 §10). The Python check below and the SQL
#: macro ``hutong_school_code_ok`` (data/validators.py) both read this one table.
SCHOOL_CATEGORIES = {
    "11": "幼儿园",
    "21": "小学",
    "22": "成人小学",
    "31": "普通初中",
    "32": "职业初中",
    "33": "成人初中",
    "34": "普通高中",
    "35": "成人高中",
    "36": "中等职业学校",
    "37": "工读学校",
    "41": "普通高等学校",
    "42": "成人高等学校",
    "51": "特殊教育",
    "91": "培养研究生的科研机构",
    "92": "民办的其他高等教育机构",
    "93": "中等职业培训机构",
}
_INTERNAL = re.compile(r"^[A-Z][A-Z0-9-]{1,31}$")


def is_uscc(code: str) -> bool:
    return uscc.is_valid(code)


def uscc_with_check(first17: str) -> str:
    return first17 + uscc.calc_check_digit(first17)


def is_school_code(code: str) -> bool:
    """学校(机构)标识码: a known category, a known province, then six digits."""
    return (
        len(code) == 10
        and code.isdigit()
        and code[:2] in SCHOOL_CATEGORIES
        and code[2:4] in PROVINCES
    )


def is_internal_code(code: str) -> bool:
    return bool(_INTERNAL.match(code))


CITIZEN_WEIGHTS = (7, 9, 10, 5, 8, 4, 2, 1, 6, 3, 7, 9, 10, 5, 8, 4, 2)
CITIZEN_CHECK = "10X98765432"  # ISO 7064 MOD 11-2, indexed by the weighted sum mod 11
_CITIZEN = re.compile(r"^\d{17}[\dX]$")


def citizen_id_birth_date(value: str) -> date | None:
    """Birth date of an 18-character 公民身份号码, or None when it is not a real date."""
    try:
        born = date(int(value[6:10]), int(value[10:12]), int(value[12:14]))
    except ValueError:
        return None
    return born if date(1900, 1, 1) <= born <= date.today() else None


def is_citizen_id(value: str) -> bool:
    """GB 11643: check digit, a real birth date, a known province prefix. The full region code
    is not checked: published tables are incomplete and reject genuine numbers (DESIGN.md)."""
    value = value.upper()
    if not _CITIZEN.match(value) or value[:2] not in PROVINCES:
        return False
    total = sum(int(d) * w for d, w in zip(value[:17], CITIZEN_WEIGHTS, strict=True))
    return CITIZEN_CHECK[total % 11] == value[17] and citizen_id_birth_date(value) is not None


def is_student_no(value: str) -> bool:
    """全国学籍号: G + citizen ID, J + 18 digits, or L + 6-digit area + 8-digit date + 4 digits."""
    if len(value) != 19:
        return False
    kind, rest = value[0], value[1:]
    if kind == "G":
        return is_citizen_id(rest)
    if kind == "J":
        return rest.isdigit()
    if kind == "L":
        if not rest.isdigit():
            return False
        try:
            date(int(rest[6:10]), int(rest[10:12]), int(rest[12:14]))
        except ValueError:
            return False
        return True
    return False
