"""The demo organisation: the Ministry, its departments and affiliated units, the 31
provincial education departments, schools, and one account per role. Pure data; codes are
synthetic but valid (USCC check characters per GB 32100, 10-digit 学校标识码)."""

from __future__ import annotations

import random
from dataclasses import dataclass

from hutong.core.identifiers import PROVINCES, uscc_with_check


@dataclass(frozen=True)
class UnitSpec:
    code: str
    name: str
    kind: str
    parent_code: str | None


@dataclass(frozen=True)
class DemoUser:
    username: str
    display_name: str
    unit_code: str
    roles: tuple[str, ...]


MINISTRY_CODE = "MOE"
DEPARTMENTS = {
    "MOE-BGT": "办公厅",
    "MOE-FGS": "发展规划司",
    "MOE-ZCFGS": "政策法规司",
    "MOE-JSGZS": "教师工作司",
    "MOE-JCJYS": "基础教育司",
    "MOE-ZCS": "职业教育与成人教育司",
    "MOE-GJS": "高等教育司",
    "MOE-DDJ": "教育督导局",
    "MOE-XSS": "高校学生司",
    "MOE-KJS": "科学技术与信息化司",
    "MOE-GJHZS": "国际合作与交流司",
    "MOE-YYS": "语言文字应用管理司",
    "MOE-CWS": "财务司",
    "MOE-RSS": "人事司",
    "MOE-WXB": "教育部网络安全和信息化领导小组办公室",
}
AFFILIATED = {
    "EMIC": "教育部教育管理信息中心",
    "CNAEIS": "中国教育科学研究院",
    "NEEA": "教育部教育考试院",
    "CDRC": "教育部教育发展研究中心",
    "CSPDC": "教育部学校规划建设发展中心",
}
PROVINCE_DEPARTMENT_NAMES = {
    code: f"{name}教育委员会" if code in {"11", "12", "31", "50"} else f"{name}教育厅"
    for code, name in PROVINCES.items()
}
PROVINCE_DEPARTMENT_NAMES["65"] = "新疆维吾尔自治区教育厅"
CITIES = {
    "11": ["海淀区", "朝阳区", "东城区"],
    "12": ["和平区", "南开区"],
    "13": ["石家庄市", "保定市", "唐山市"],
    "14": ["太原市", "大同市"],
    "15": ["呼和浩特市", "包头市"],
    "21": ["沈阳市", "大连市"],
    "22": ["长春市", "吉林市"],
    "23": ["哈尔滨市", "齐齐哈尔市"],
    "31": ["浦东新区", "徐汇区", "杨浦区"],
    "32": ["南京市", "苏州市", "无锡市"],
    "33": ["杭州市", "宁波市", "温州市"],
    "34": ["合肥市", "芜湖市"],
    "35": ["福州市", "厦门市"],
    "36": ["南昌市", "赣州市"],
    "37": ["济南市", "青岛市", "烟台市"],
    "41": ["郑州市", "洛阳市"],
    "42": ["武汉市", "宜昌市"],
    "43": ["长沙市", "株洲市"],
    "44": ["广州市", "深圳市", "佛山市"],
    "45": ["南宁市", "桂林市"],
    "46": ["海口市", "三亚市"],
    "50": ["渝中区", "沙坪坝区"],
    "51": ["成都市", "绵阳市"],
    "52": ["贵阳市", "遵义市"],
    "53": ["昆明市", "大理市"],
    "54": ["拉萨市", "日喀则市"],
    "61": ["西安市", "宝鸡市"],
    "62": ["兰州市", "天水市"],
    "63": ["西宁市"],
    "64": ["银川市", "石嘴山市"],
    "65": ["乌鲁木齐市", "喀什市"],
}
#: (category code of the 学校标识码, name pattern) — see core/identifiers.SCHOOL_CATEGORIES.
SCHOOL_KINDS = [
    ("21", "{city}实验小学"),
    ("21", "{city}第{n}小学"),
    ("21", "{city}第{n}中学"),
    ("21", "{city}外国语学校"),
    ("31", "{city}职业技术学校"),
    ("11", "{city}第{n}幼儿园"),
]
NUMERALS = "一二三四五六七八九十"


def _uscc(registration: str, division: str, serial: int) -> str:
    """A valid 18-character code: authority+category (2), division (6), body (9), check (1)."""
    return uscc_with_check(f"{registration}{division}{serial:09d}")


def ministry_units() -> list[UnitSpec]:
    units = [UnitSpec(MINISTRY_CODE, "中华人民共和国教育部", "ministry_department", None)]
    units += [
        UnitSpec(code, name, "ministry_department", MINISTRY_CODE)
        for code, name in DEPARTMENTS.items()
    ]
    units += [
        UnitSpec(_uscc("12", "100000", 400_000_000 + i), name, "affiliated_unit", MINISTRY_CODE)
        for i, name in enumerate(AFFILIATED.values(), start=1)
    ]
    return units


def affiliated_code(name: str) -> str:
    return next(u.code for u in ministry_units() if u.name == name)


def province_code(province: str) -> str:
    return _uscc("11", f"{province}0000", 700_000_000 + int(province))


def provinces() -> list[UnitSpec]:
    return [
        UnitSpec(province_code(p), name, "provincial_department", MINISTRY_CODE)
        for p, name in PROVINCE_DEPARTMENT_NAMES.items()
    ]


def schools(count: int = 300, seed: int = 2026) -> list[UnitSpec]:
    """Deterministic schools spread over all provinces, with unique valid school codes."""
    rng = random.Random(seed)
    province_list = list(PROVINCES)
    sequence: dict[tuple[str, str], int] = {}
    names: set[str] = set()
    out: list[UnitSpec] = []
    # Two real universities first, with their real codes.
    out.append(UnitSpec("4111010001", "北京大学", "school", province_code("11")))
    out.append(UnitSpec("4111010003", "清华大学", "school", province_code("11")))
    while len(out) < count:
        province = province_list[len(out) % len(province_list)]
        category, pattern = rng.choice(SCHOOL_KINDS)
        city = rng.choice(CITIES[province])
        name = pattern.format(city=city, n=NUMERALS[rng.randrange(10)])
        if name in names:
            continue
        names.add(name)
        key = (category, province)
        sequence[key] = sequence.get(key, 0) + 1
        code = f"{category}{province}{sequence[key] + 100_000:06d}"
        out.append(UnitSpec(code, name, "school", province_code(province)))
    return out[:count]


def other_government() -> list[UnitSpec]:
    return [
        UnitSpec(
            _uscc("11", "100000", 800_000_001),
            "国家统计局社会科技和文化产业统计司",
            "other_government",
            None,
        )
    ]


def all_units(school_count: int = 300) -> list[UnitSpec]:
    """Parents before children."""
    return ministry_units() + provinces() + schools(school_count) + other_government()


DEMO_USERS = [
    DemoUser(
        "sysadmin.emic", "赵建国", affiliated_code("教育部教育管理信息中心"), ("system_admin",)
    ),
    DemoUser(
        "secadmin.emic", "钱晓峰", affiliated_code("教育部教育管理信息中心"), ("security_admin",)
    ),
    DemoUser("auditor.emic", "孙丽华", affiliated_code("教育部教育管理信息中心"), ("auditor",)),
    DemoUser("reviewer.fgs", "李明远", "MOE-FGS", ("catalog_reviewer",)),
    # reviews 发展规划司's own entries: nobody approves their own unit's submission
    DemoUser("reviewer.bgt", "林晓梅", "MOE-BGT", ("catalog_reviewer",)),
    DemoUser("secreviewer.wxb", "周海燕", "MOE-WXB", ("security_reviewer",)),
    DemoUser("steward.jsgzs", "吴志强", "MOE-JSGZS", ("data_steward",)),
    DemoUser("steward.bjjw", "郑雅琴", province_code("11"), ("data_steward",)),
    DemoUser("consumer.jcjys", "王海涛", "MOE-JCJYS", ("data_consumer",)),
    DemoUser("consumer.shjw", "冯佳怡", province_code("31"), ("data_consumer",)),
    DemoUser("publisher.bgt", "陈思远", "MOE-BGT", ("publisher",)),
    DemoUser("pio.emic", "褚卫东", affiliated_code("教育部教育管理信息中心"), ("pi_officer",)),
    # PI protection officers of units that own systems with over a million persons (N2021 task 9)
    DemoUser("pio.jsgzs", "卫明辉", "MOE-JSGZS", ("pi_officer",)),
    DemoUser("pio.bjjw", "蒋文静", province_code("11"), ("pi_officer",)),
]
