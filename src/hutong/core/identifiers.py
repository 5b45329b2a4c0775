"""Validators of single identifier values (bulk validation runs in DuckDB SQL)."""

from __future__ import annotations

import re

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
SCHOOL_CATEGORIES = {"41": "普通高等学校", "21": "中小学", "31": "中等职业学校", "11": "幼儿园"}
_INTERNAL = re.compile(r"^[A-Z][A-Z0-9-]{1,31}$")


def is_uscc(code: str) -> bool:
    return uscc.is_valid(code)


def uscc_with_check(first17: str) -> str:
    return first17 + uscc.calc_check_digit(first17)


def is_school_code(code: str) -> bool:
    return (
        len(code) == 10
        and code.isdigit()
        and code[:2] in SCHOOL_CATEGORIES
        and code[2:4] in PROVINCES
    )


def is_internal_code(code: str) -> bool:
    return bool(_INTERNAL.match(code))
