"""Demo catalog content: the classification tree and realistic education resources.

Pure data. Each template is a resource a real unit registers; provincial departments get
their own copies of the provincial ones, so the catalog spans many units."""

from __future__ import annotations

from dataclasses import dataclass, field

#: (code, name, parent code) — 类 / 项 / 目
CLASSIFICATIONS = [
    ("1", "基础信息资源", None),
    ("101", "人口与个人基础信息", "1"),
    ("102", "法人与机构基础信息", "1"),
    ("2", "主题信息资源", None),
    ("201", "教育统计", "2"),
    ("202", "教育督导评估", "2"),
    ("3", "部门信息资源", None),
    ("301", "学生", "3"),
    ("30101", "学籍", "301"),
    ("30102", "资助", "301"),
    ("30103", "学生体质健康", "301"),
    ("302", "教师", "3"),
    ("30201", "教师基本信息", "302"),
    ("30202", "教师资格", "302"),
    ("303", "学校（机构）", "3"),
    ("30301", "学校基本信息", "303"),
    ("30302", "办学条件", "303"),
    ("304", "教育经费", "3"),
    ("305", "考试招生", "3"),
    ("306", "科研与信息化", "3"),
    ("307", "语言文字", "3"),
]

STUDENT_ITEMS = [
    ("姓名", "字符型", 50, "identity", "partial"),
    ("全国学籍号", "字符型", 19, "identity", "pseudonym"),
    ("身份证件号", "字符型", 18, "identity", "partial"),
    ("性别", "代码型", 1, "none", "none"),
    ("出生日期", "日期型", 8, "identity", "generalize"),
    ("民族", "代码型", 2, "ethnicity", "null"),
    ("学校标识码", "字符型", 10, "none", "none"),
    ("年级", "代码型", 2, "education", "none"),
    ("家庭住址", "字符型", 200, "contact", "null"),
    ("监护人手机号", "字符型", 11, "contact", "partial"),
]
TEACHER_ITEMS = [
    ("姓名", "字符型", 50, "identity", "partial"),
    ("身份证件号", "字符型", 18, "identity", "partial"),
    ("性别", "代码型", 1, "none", "none"),
    ("出生日期", "日期型", 8, "identity", "generalize"),
    ("最高学历", "代码型", 2, "education", "none"),
    ("任教学科", "字符型", 20, "none", "none"),
    ("专业技术职务", "代码型", 3, "none", "none"),
    ("所在学校标识码", "字符型", 10, "none", "none"),
    ("手机号码", "字符型", 11, "contact", "partial"),
]
SCHOOL_ITEMS = [
    ("学校标识码", "字符型", 10, "none", "none"),
    ("学校名称", "字符型", 100, "none", "none"),
    ("办学类型", "代码型", 3, "none", "none"),
    ("举办者类型", "代码型", 2, "none", "none"),
    ("所在地行政区划", "代码型", 6, "none", "none"),
    ("学校地址", "字符型", 200, "none", "none"),
]
STAT_ITEMS = [
    ("统计年度", "数值型", 4, "none", "none"),
    ("行政区划", "代码型", 6, "none", "none"),
    ("学段", "代码型", 2, "none", "none"),
    ("学校数", "数值型", 10, "none", "none"),
    ("在校生数", "数值型", 12, "none", "none"),
    ("专任教师数", "数值型", 12, "none", "none"),
]

#: Why a province registers items of a national system again (一数一源, M2018 §8).
SYNCED = (
    "省级系统是全国系统在本省的部署，数据由学校一次采集、按月与全国系统同步，不重复采集；"
    "本省业务以此为数据源。"
)


@dataclass(frozen=True)
class Template:
    name: str
    classification: str
    summary: str
    items: list[tuple[str, str, int, str, str]]
    share: str = "conditional"
    open: str = "not_open"
    grade: str = "general"
    level: int | None = 2
    cycle: str = "annual"
    kind: str = "administrative"
    attribute: str = "department"
    fmt: str = "database"
    legal_basis: str = ""
    persons: int | None = None
    child: bool = False
    deidentified: bool = False
    #: 一数一源 (M2018 §8): why items another unit already provides are registered again.
    justification: str = (
        "同名信息项描述的是本单位职责范围内的对象（口径不同），不是对同一数据的重复采集；"
        "可由共享获取的数据已通过共享平台获取。"
    )
    extra: dict[str, str] = field(default_factory=dict)


NATIONAL = {  # unit code → templates it provides
    "MOE-JCJYS": [
        Template(
            "全国中小学生学籍信息",
            "30101",
            "全国中小学生电子学籍，包括基本信息、学籍变动与升级记录，支撑学籍管理与控辍保学。",
            STUDENT_ITEMS,
            grade="important",
            level=None,
            cycle="monthly",
            persons=160_000_000,
            child=True,
        ),
        Template(
            "义务教育学校名录",
            "30301",
            "义务教育阶段学校的名称、标识码、办学类型与所在地。",
            SCHOOL_ITEMS,
            share="unconditional",
            open="proactive",
            level=1,
            fmt="table",
        ),
        Template(
            "义务教育控辍保学台账",
            "30101",
            "义务教育阶段疑似辍学学生的核查与劝返情况。",
            STUDENT_ITEMS[:7],
            grade="important",
            level=None,
            cycle="monthly",
            persons=300_000,
            child=True,
        ),
    ],
    "MOE-JSGZS": [
        Template(
            "全国教师基本信息",
            "30201",
            "各级各类学校教职工的基本信息、学历与任教情况。",
            TEACHER_ITEMS,
            grade="important",
            level=None,
            cycle="quarterly",
            persons=18_000_000,
        ),
        Template(
            "教师资格认定信息",
            "30202",
            "教师资格证书的认定、注册与注销信息。",
            TEACHER_ITEMS[:5],
            cycle="monthly",
            persons=30_000_000,
            level=3,
        ),
        Template(
            "乡村教师生活补助名单",
            "30201",
            "享受乡村教师生活补助的教师名单及补助标准。",
            TEACHER_ITEMS[:4],
            share="not_shared",
            legal_basis="《中华人民共和国个人信息保护法》第十三条",
            persons=1_200_000,
            level=3,
        ),
    ],
    "MOE-GJS": [
        Template(
            "高校学生体质健康监测数据（去标识化）",
            "30103",
            "高校学生体质健康监测个体数据：出生年月、性别、生源地区与各项测试成绩；已删除直接标识符，"
            "准标识符满足 k-匿名（k ≥ 5）。",
            [
                ("出生年月", "字符型", 7, "identity", "generalize"),
                ("性别", "代码型", 1, "none", "none"),
                ("生源地行政区划", "代码型", 6, "none", "none"),
                ("身高", "数值型", 5, "none", "none"),
                ("体重", "数值型", 5, "none", "none"),
                ("肺活量", "数值型", 5, "none", "none"),
                ("五十米跑", "数值型", 5, "none", "none"),
            ],
            share="unconditional",
            open="proactive",
            level=2,
            kind="statistical",
            fmt="table",
            deidentified=True,
        ),
        Template(
            "普通高等学校名单",
            "30301",
            "经批准设立的普通高等学校名称、标识码、主管部门与办学层次。",
            SCHOOL_ITEMS,
            share="unconditional",
            open="proactive",
            level=1,
            fmt="table",
        ),
        Template(
            "高等学校本科专业设置备案",
            "30302",
            "本科专业的设置、备案与审批结果。",
            [*SCHOOL_ITEMS[:3], ("专业代码", "字符型", 6, "none", "none")],
            share="unconditional",
            open="proactive",
            level=1,
        ),
    ],
    "MOE-XSS": [
        Template(
            "高校毕业生就业去向登记",
            "30101",
            "高校毕业生就业去向、单位性质与地区。",
            [*STUDENT_ITEMS[:5], ("就业单位", "字符型", 100, "none", "none")],
            grade="important",
            level=None,
            persons=11_000_000,
        ),
        Template(
            "学生资助发放信息",
            "30102",
            "国家助学金、奖学金和助学贷款的发放记录。",
            [
                *STUDENT_ITEMS[:4],
                ("资助项目", "代码型", 3, "none", "none"),
                ("银行卡号", "字符型", 19, "financial", "null"),
            ],
            grade="important",
            level=None,
            cycle="quarterly",
            persons=40_000_000,
        ),
    ],
    "MOE-FGS": [
        Template(
            "各校分年级分性别在校生人数",
            "201",
            "各中小学分年级、分性别的在校生人数汇总（小于 5 人的单元格已抑制）。",
            [
                ("学校标识码", "字符型", 10, "none", "none"),
                ("学校名称", "字符型", 100, "none", "none"),
                ("年级", "代码型", 2, "none", "none"),
                ("性别", "代码型", 1, "none", "none"),
                ("在校生人数", "数值型", 8, "none", "none"),
            ],
            share="unconditional",
            open="proactive",
            level=1,
            kind="statistical",
            attribute="topic",
            fmt="table",
        ),
        Template(
            "全国教育事业统计年鉴分省学校数",
            "201",
            "分省、分学段的学校数、在校生数与专任教师数（法定统计数据）。",
            STAT_ITEMS,
            share="unconditional",
            open="proactive",
            level=1,
            kind="statistical",
            attribute="topic",
            fmt="table",
        ),
        Template(
            "全国教育经费执行情况统计",
            "304",
            "各级教育经费收入、支出与生均经费（法定统计数据）。",
            [
                *STAT_ITEMS[:3],
                ("教育经费总投入", "数值型", 16, "none", "none"),
                ("生均一般公共预算教育经费", "数值型", 12, "none", "none"),
            ],
            share="unconditional",
            open="proactive",
            level=1,
            kind="statistical",
            attribute="topic",
            fmt="table",
        ),
        Template(
            "教育统计调查原始数据（学校级）",
            "201",
            "学校级教育统计调查原始报表。",
            STAT_ITEMS + SCHOOL_ITEMS[:2],
            open="on_request",
            level=2,
            kind="statistical",
            attribute="topic",
        ),
    ],
    "MOE-DDJ": [
        Template(
            "义务教育优质均衡发展督导评估结果",
            "202",
            "县域义务教育优质均衡发展督导评估结果与整改情况。",
            [*STAT_ITEMS[:2], ("评估结论", "字符型", 20, "none", "none")],
            share="unconditional",
            open="proactive",
            level=1,
            attribute="topic",
        ),
    ],
    "MOE-KJS": [
        Template(
            "教育系统网络安全等级保护备案信息",
            "306",
            "教育系统信息系统的等级保护定级与备案情况。",
            [
                ("系统名称", "字符型", 100, "none", "none"),
                ("等保级别", "代码型", 1, "none", "none"),
                ("主管单位", "字符型", 100, "none", "none"),
            ],
            share="not_shared",
            legal_basis="《中华人民共和国网络安全法》第二十一条",
            grade="important",
            level=None,
        ),
    ],
    "MOE-YYS": [
        Template(
            "普通话水平测试成绩",
            "307",
            "普通话水平测试的等级成绩与证书信息。",
            [*TEACHER_ITEMS[:3], ("测试等级", "代码型", 2, "education", "none")],
            cycle="monthly",
            persons=6_000_000,
            level=3,
        ),
    ],
    "MOE-CWS": [
        Template(
            "教育部部门预算项目库",
            "304",
            "部门预算项目的立项、预算与执行。",
            [
                ("项目编码", "字符型", 20, "none", "none"),
                ("项目名称", "字符型", 100, "none", "none"),
                ("预算金额", "数值型", 16, "none", "none"),
            ],
            open="proactive",
            level=2,
            fmt="table",
        ),
    ],
}
PROVINCIAL = [
    Template(
        "{province}中小学生学籍信息",
        "30101",
        "{province}中小学生电子学籍信息，按月与全国学籍系统同步。",
        STUDENT_ITEMS,
        justification=SYNCED,
        grade="important",
        level=None,
        cycle="monthly",
        persons=5_000_000,
        child=True,
    ),
    Template(
        "{province}中小学教师信息",
        "30201",
        "{province}中小学教职工基本信息。",
        TEACHER_ITEMS,
        justification=SYNCED,
        grade="important",
        level=None,
        cycle="quarterly",
        persons=400_000,
    ),
    Template(
        "{province}学校名录",
        "30301",
        "{province}各级各类学校名称、标识码与地址。",
        SCHOOL_ITEMS,
        share="unconditional",
        open="proactive",
        level=1,
        fmt="table",
    ),
    Template(
        "{province}学生体质健康测试数据",
        "30103",
        "{province}学生体质健康标准测试成绩。",
        [*STUDENT_ITEMS[:4], ("体质测试总分", "数值型", 5, "health", "null")],
        grade="general",
        level=3,
        persons=4_000_000,
        child=True,
    ),
    Template(
        "{province}教育事业统计汇总",
        "201",
        "{province}分学段的学校、学生与教师数量汇总。",
        STAT_ITEMS,
        share="unconditional",
        open="proactive",
        level=1,
        kind="statistical",
        attribute="topic",
        fmt="table",
    ),
]
#: Provinces whose departments register their own catalogs in the demo (GB/T 2260 prefixes).
DEMO_PROVINCES = [
    "11",
    "31",
    "32",
    "33",
    "37",
    "41",
    "42",
    "44",
    "51",
    "61",
    "13",
    "23",
    "35",
    "45",
    "50",
    "53",
    "62",
    "65",
    "22",
    "43",
]
