"""Demo dataset content: code lists and distributions the synthetic data is drawn from.

Pure data. Codes follow the standards the validators check: 民族 GB/T 3304, 性别 GB/T 2261.1
(1 male, 2 female; the 17th digit of a 公民身份号码 is odd for men), 年级 as the 学籍 system
codes it (小学 11–16, 初中 21–23, 高中 31–33), 学历 GB/T 4658. Where the platform checks
nothing (办学类型, 举办者类型, 专业技术职务) the codes are illustrative.
"""

from __future__ import annotations

#: 年级 code of school grade 1–12.
GRADE_CODES = ["11", "12", "13", "14", "15", "16", "21", "22", "23", "31", "32", "33"]
#: (word in the school's name, first grade, last grade, 办学类型 code)
SCHOOL_GRADES = [
    ("小学", 1, 6, "211"),  # 小学
    ("中学", 7, 12, "341"),  # 完全中学
    ("外国语学校", 1, 12, "345"),  # 十二年一贯制学校
]
#: Share of students one year older than their grade (late entry, repeated year).
OLDER_SHARE = 0.03

#: Characters of given names (one or two of them follow the surname).
GIVEN_CHARS = (
    "伟芳娜敏静丽强磊军洋勇艳杰娟涛明超兰霞平刚桂华建国志文博浩宇子轩梓涵欣怡一诺雨桐思远航佳琪晨阳"
    "俊晓雪梦瑶嘉然天佑若曦诗紫萱彤睿泽铭昊宸奕辰煜安颖悦可馨婷玉洁慧雅琳萌鑫磊凯鹏飞翔"
)
#: Mobile number prefixes in use (three digits; eight random digits follow).
MOBILE_PREFIXES = [
    "130", "131", "132", "133", "135", "136", "137", "138", "139", "150", "151", "152",
    "153", "155", "156", "157", "158", "159", "166", "173", "175", "176", "177", "178",
    "180", "181", "182", "183", "185", "186", "187", "188", "189", "191", "198", "199",
]  # fmt: skip
STREETS = ["人民路", "解放路", "中山路", "建设路", "学府路", "和平街", "文化路", "育才路", "光明街"]

#: 民族 (GB/T 3304): share of ethnic minorities among pupils and the codes drawn for them,
#: by province; elsewhere DEFAULT_MINORITIES. 01 is 汉族.
MINORITIES = {
    "15": (0.20, ["02", "11", "03", "31"]),  # 蒙古族 满族 回族 达斡尔族
    "21": (0.15, ["11", "02", "10", "03"]),  # 满族 蒙古族 朝鲜族 回族
    "22": (0.08, ["10", "11", "02"]),  # 朝鲜族 满族 蒙古族
    "23": (0.04, ["11", "10", "02", "52"]),  # 满族 朝鲜族 蒙古族 鄂伦春族
    "43": (0.10, ["15", "06", "12", "13"]),  # 土家族 苗族 侗族 瑶族
    "45": (0.37, ["08", "13", "06", "32", "36", "49"]),  # 壮族 瑶族 苗族 仫佬族 毛南族 京族
    "46": (0.16, ["19", "06"]),  # 黎族 苗族
    "50": (0.06, ["15", "06"]),  # 土家族 苗族
    "51": (0.06, ["07", "04", "33"]),  # 彝族 藏族 羌族
    "52": (0.36, ["06", "09", "12", "15", "37", "25"]),  # 苗 布依 侗 土家 仡佬 水
    "53": (0.33, ["07", "14", "16", "18", "20", "21", "24", "28", "27"]),  # 彝 白 哈尼 傣 …
    "54": (0.90, ["04", "54", "55"]),  # 藏族 门巴族 珞巴族
    "62": (0.09, ["03", "04", "26", "47", "48"]),  # 回族 藏族 东乡族 保安族 裕固族
    "63": (0.47, ["04", "03", "30", "35"]),  # 藏族 回族 土族 撒拉族
    "64": (0.35, ["03"]),  # 回族
    "65": (0.60, ["05", "17", "03", "29", "38", "41"]),  # 维吾尔 哈萨克 回 柯尔克孜 锡伯 塔吉克
}
DEFAULT_MINORITIES = (0.02, ["03", "11", "02", "15"])

#: Teachers: 最高学历 (GB/T 4658) with weights; subjects; 专业技术职务 with weights.
EDUCATION_LEVELS = [("11", 1), ("14", 12), ("21", 70), ("31", 15), ("41", 2)]
SUBJECTS = ["语文", "数学", "英语", "物理", "化学", "生物", "历史", "地理", "道德与法治", "体育", "音乐", "美术", "信息技术", "科学"]  # fmt: skip
TITLES = [("141", 1), ("142", 18), ("143", 38), ("144", 30), ("145", 13)]
FEMALE_TEACHERS = 0.70
#: Pupils per teacher: the teacher file is about this many times smaller than the students'.
PUPILS_PER_TEACHER = 14

#: 学段 codes of the yearbook and national totals of (学校数, 在校生数, 专任教师数) in 2024,
#: with the yearly growth of enrolment used to draw the earlier years.
STAGES = {
    "10": ("学前教育", 253_300, 35_840_000, 3_070_000, -0.04),
    "20": ("小学", 143_500, 106_000_000, 6_650_000, 0.01),
    "30": ("初中", 52_800, 52_400_000, 4_080_000, 0.02),
    "40": ("普通高中", 15_400, 28_000_000, 2_220_000, 0.03),
    "50": ("中等职业教育", 7_100, 13_000_000, 720_000, 0.01),
    "60": ("普通高等教育", 2_900, 38_000_000, 2_000_000, 0.04),
}
YEARBOOK_YEARS = range(2015, 2025)
#: Resident population in millions (2023), to share national totals out among provinces.
POPULATION = {
    "11": 21.9, "12": 13.6, "13": 74.0, "14": 34.7, "15": 23.9, "21": 41.8, "22": 23.4,
    "23": 30.6, "31": 24.8, "32": 85.3, "33": 66.3, "34": 61.2, "35": 41.8, "36": 45.2,
    "37": 101.2, "41": 98.2, "42": 58.4, "43": 65.7, "44": 127.1, "45": 50.3, "46": 10.4,
    "50": 31.9, "51": 83.7, "52": 38.7, "53": 46.7, "54": 3.7, "61": 39.5, "62": 24.7,
    "63": 5.9, "64": 7.3, "65": 26.3,
}  # fmt: skip

#: How many rows of each file are deliberately broken (quarantined on ingest), and how.
INVALID_ROWS = 10
