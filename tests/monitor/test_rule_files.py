"""Bad input: a malformed rule file is refused at load with its file, line and reason, and
the other rules keep running (issue 16)."""

from __future__ import annotations

import pytest

from hutong.monitor.detector import Detector
from hutong.monitor.errors import RuleFileInvalid
from hutong.monitor.rulefile import SHIPPED, load_file, load_rules
from tests.monitor.conftest import denied

GOOD = """\
title: 夜间登录
id: local.night_login
level: low
article: N2021 task 6
subject: [actor_name]
detection:
  login:
    event: auth.login
    local_hour|lt: 6
  condition: login
"""
COUNTED = """\
name: failed
detection:
  failed: {event: auth.login, outcome: failed}
  condition: failed
---
title: 登录失败过多
id: local.failures
level: low
article: N2021 task 6
correlation:
  type: event_count
  rules: [failed]
  group-by: [client_addr]
  timespan: 10m
  condition: {gte: 3}
"""

# (what is wrong, the file's text, the line named, words of the reason)
BROKEN = [
    ("YAML syntax", GOOD.replace("level: low", "level: [low"), 4, "YAML 语法错误"),
    ("unknown field", GOOD.replace("event: auth.login", "evnet: auth.login"), 8, "未知字段 evnet"),
    (
        "unknown modifier",
        GOOD.replace("local_hour|lt", "local_hour|before"),
        9,
        "未知修饰符 before",
    ),
    (
        "undefined selection",
        GOOD.replace("condition: login", "condition: login and night"),
        10,
        "未定义的选择条件 night",
    ),
    ("unbalanced condition", GOOD.replace("condition: login", "condition: (login"), 10, "不完整"),
    ("bad level", GOOD.replace("level: low", "level: urgent"), 3, "level 须为"),
    ("missing level", GOOD.replace("level: low\n", ""), 1, "level 须为"),
    ("bad article", GOOD.replace("N2021 task 6", "第六条"), 4, "article 的写法不对"),
    ("unknown key", GOOD.replace("detection:", "detetion:"), 6, "未知的键 detetion"),
    ("duplicate key", GOOD.replace("level: low\n", "level: low\nlevel: high\n"), 4, "重复的键"),
    ("bad number", GOOD.replace("local_hour|lt: 6", "local_hour|lt: six"), 9, "需要数值"),
    ("bad regex", GOOD.replace("local_hour|lt: 6", "actor_name|re: '(['"), 9, "正则表达式无效"),
    ("bad timespan", COUNTED.replace("timespan: 10m", "timespan: 10 minutes"), 14, "时间窗口"),
    ("unknown type", COUNTED.replace("event_count", "event_sum"), 11, "未知的关联类型"),
    (
        "unknown rule",
        COUNTED.replace("rules: [failed]", "rules: [failure]"),
        12,
        "未定义的规则 failure",
    ),
    ("no threshold", COUNTED.replace("condition: {gte: 3}", "condition: {}"), 15, "缺少阈值"),
    ("group-by field", COUNTED.replace("[client_addr]", "[ip]"), 13, "未知字段 ip"),
]


@pytest.mark.parametrize(
    ("text", "line", "reason"), [b[1:] for b in BROKEN], ids=[b[0] for b in BROKEN]
)
def test_a_malformed_file_is_refused_with_file_line_and_reason(tmp_path, text, line, reason):
    path = tmp_path / "local_rule.yml"
    path.write_text(text, encoding="utf-8")
    with pytest.raises(RuleFileInvalid) as refused:
        load_file(path)
    error = refused.value
    assert (error.path, error.line) == (path, line)
    assert reason in error.zh
    assert error.zh.startswith(f"规则文件 local_rule.yml 第 {line} 行：")
    assert error.field == "rule_file" and error.en


@pytest.mark.parametrize("text", [GOOD, COUNTED], ids=["detection", "correlation"])
def test_the_unbroken_files_load(tmp_path, text):
    path = tmp_path / "rule.yml"
    path.write_text(text, encoding="utf-8")
    assert load_file(path).id.startswith("local.")


def test_the_other_rules_load_beside_a_bad_one(tmp_path):
    (tmp_path / "a_good.yml").write_text(GOOD, encoding="utf-8")
    (tmp_path / "b_bad.yml").write_text(GOOD.replace("level: low", "level: [low"), encoding="utf-8")
    (tmp_path / "c_same_id.yml").write_text(GOOD, encoding="utf-8")
    loaded = load_rules([SHIPPED, tmp_path])
    ids = {r.id for r in loaded.rules}
    assert "local.night_login" in ids and ids >= {r.id for r in load_rules().rules}
    assert [(p.path.name, p.line) for p in loaded.problems] == [
        ("b_bad.yml", 4),
        ("c_same_id.yml", 1),
    ]


def test_a_missing_rule_directory_is_reported(tmp_path):
    loaded = load_rules([SHIPPED, tmp_path / "nowhere"])
    assert [(p.path.name, p.zh) for p in loaded.problems] == [
        ("nowhere", "规则文件 nowhere：规则目录不存在")
    ]
    assert len(loaded.rules) == len(load_rules().rules)


def test_the_detector_keeps_running_the_other_rules(db, actors, tmp_path, watcher):
    (tmp_path / "bad.yml").write_text("title: [", encoding="utf-8")
    db.settings.monitor_rules_dir = tmp_path
    detector = Detector(db)
    assert [p.path.name for p in detector.rules.problems] == ["bad.yml"]
    detector.drain(watcher)
    denied(db, actors["data_consumer"], 10)
    assert detector.drain(watcher).raised == 1
