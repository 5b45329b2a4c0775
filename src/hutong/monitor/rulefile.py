"""Rule files: Sigma-shaped YAML, one rule per file, loaded and checked as a whole.

A file holds one or more YAML documents as Sigma writes correlations: detection documents
(``detection`` + ``condition``) and correlation documents naming them in ``rules``. The one
document no other document names is the rule: it carries ``title``, ``id``, ``level``, the
``article`` it serves (``M2018 §N`` / ``N2021 task N``) and the ``subject`` fields an alert is
grouped by (a correlation's ``group-by`` by default). See docs/decisions/0014.

A malformed file is refused whole with its file, line and reason; the loader keeps going
with the other files, so one bad rule never stops the others (issue 16, "bad input").
"""

from __future__ import annotations

import hashlib
import json
import logging
import re
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from pathlib import Path

from hutong.monitor.correlation import Correlation, Hit, build
from hutong.monitor.detection import Predicate, compile_detection
from hutong.monitor.errors import RuleFileInvalid, RuleProblem
from hutong.monitor.events import Event, field_label, is_field
from hutong.monitor.vocab import Level
from hutong.monitor.yamlines import documents, line_of

log = logging.getLogger(__name__)

SHIPPED = Path(__file__).parent / "rules"
LEVELS = tuple(level.value for level in Level)
ARTICLE = re.compile(r"(M2018 §\d+|N2021 task \d+)")
RULE_ID = re.compile(r"[a-z0-9][a-z0-9_.-]{2,63}")
#: Sigma's descriptive attributes are accepted and ignored; anything else is a typo
KNOWN_KEYS = frozenset(
    {
        "title", "id", "name", "status", "description", "author", "date", "modified",
        "references", "tags", "falsepositives", "fields", "logsource", "generate",
        "level", "article", "subject", "detection", "correlation",
    }
)  # fmt: skip


@dataclass
class Rule:
    """One compiled rule file: its detections, its correlations in evaluation order, and
    the outermost document that raises alerts."""

    id: str
    title: str
    level: str
    article: str
    description: str
    subject: list[str]
    path: Path
    digest: str
    detections: dict[str, Predicate]
    correlations: list[Correlation]
    outer: str

    def feed(self, event: Event) -> Hit | None:
        """The evidence when this event makes the rule fire, else None."""
        hits = {name: [event.seq] for name, matches in self.detections.items() if matches(event)}
        if not hits:
            return None
        for node in self.correlations:
            inputs = {r: hits[r] for r in node.rules if r in hits}
            if inputs and (hit := node.feed(event, inputs)) is not None:
                hits[node.name] = hit
        return hits.get(self.outer)

    def subject_of(self, event: Event) -> tuple[str, str]:
        """(key, label): what the alert is about, as a stable key and as Chinese text."""
        values = [str(event.get(f) or "") for f in self.subject]
        key = json.dumps(values, ensure_ascii=False)[:256]
        label = "；".join(
            f"{field_label(f)} {v}" for f, v in zip(self.subject, values, strict=True)
        )
        return key, label[:512]

    def snapshot(self) -> dict[str, object]:
        return {"digest": self.digest, "nodes": {c.name: c.groups for c in self.correlations}}

    def restore(self, saved: Mapping[str, object]) -> None:
        """Take back saved group state; none if the file changed since it was saved."""
        nodes = saved.get("nodes")
        fits = saved.get("digest") == self.digest and isinstance(nodes, Mapping)
        for node in self.correlations:
            node.groups = dict(nodes.get(node.name) or {}) if fits else {}  # type: ignore[union-attr]

    def prune(self, now: int) -> None:
        for node in self.correlations:
            node.prune(now)


@dataclass
class RuleSet:
    rules: list[Rule] = field(default_factory=list)
    problems: list[RuleFileInvalid] = field(default_factory=list)


def _name(doc: Mapping[str, object]) -> str:
    """A document is named by ``name``, or by its ``id`` (the outermost one usually)."""
    name = doc.get("name") or doc.get("id")
    if not isinstance(name, str) or not name:
        raise RuleProblem(line_of(doc), "文档须有 name 或 id", "each document needs a name or id")
    return name


def _check_keys(doc: Mapping[str, object]) -> None:
    for key in doc:
        if key not in KNOWN_KEYS:
            raise RuleProblem(line_of(doc, key), f"未知的键 {key}", f"unknown key {key}")
    if ("detection" in doc) == ("correlation" in doc):
        raise RuleProblem(
            line_of(doc),
            "每个文档须有 detection 或 correlation 之一",
            "one of detection or correlation",
        )


def _order(correlations: dict[str, Correlation], outer: str) -> list[Correlation]:
    """Correlations in the order their inputs are ready (a rule's references come first)."""
    ordered: list[Correlation] = []
    visiting: set[str] = set()

    def visit(name: str) -> None:
        if name not in correlations or correlations[name] in ordered:
            return
        if name in visiting:
            raise RuleProblem(
                correlations[name].line, f"关联规则循环引用 {name}", f"correlation cycle at {name}"
            )
        visiting.add(name)
        for ref in correlations[name].rules:
            visit(ref)
        ordered.append(correlations[name])

    visit(outer)
    return ordered


def _outermost(correlations: dict[str, Correlation], by_name: Mapping[str, object]) -> str:
    """The one document no correlation names: the rule that raises alerts."""
    for node in correlations.values():
        for ref in node.rules:
            if ref not in by_name:
                raise RuleProblem(
                    node.rules_line, f"引用了未定义的规则 {ref}", f"unknown rule {ref}"
                )
    referenced = {r for c in correlations.values() for r in c.rules}
    outers = [n for n in by_name if n not in referenced]
    if len(outers) != 1:
        raise RuleProblem(1, "须恰有一个最外层规则", "exactly one outermost rule is required")
    return outers[0]


def _meta(doc: Mapping[str, object], key: str, pattern: re.Pattern[str] | None = None) -> str:
    value = doc.get(key)
    if not isinstance(value, str) or not value.strip():
        raise RuleProblem(line_of(doc), f"缺少 {key}", f"missing {key}")
    if pattern is not None and not pattern.search(value):
        raise RuleProblem(line_of(doc, key), f"{key} 的写法不对", f"{key} is malformed")
    return value.strip()


def _subject(doc: Mapping[str, object], outer: Correlation | None) -> list[str]:
    subject = doc.get("subject", outer.group_by if outer else None)
    if isinstance(subject, str):
        subject = [subject]
    if not isinstance(subject, list) or not subject:
        raise RuleProblem(line_of(doc), "缺少 subject（告警按哪些字段归并）", "missing subject")
    for name in subject:
        if not isinstance(name, str) or not is_field(name):
            raise RuleProblem(line_of(doc, "subject"), f"未知字段 {name}", f"unknown field {name}")
    return list(subject)


def compile_text(text: str, path: Path) -> Rule:
    """Compile one file's text; raises RuleProblem at the faulty line."""
    docs = documents(text)
    if not docs or not all(isinstance(d, Mapping) for d in docs):
        raise RuleProblem(1, "规则文件须由 YAML 映射文档组成", "a rule file holds YAML maps")
    detections: dict[str, Predicate] = {}
    correlations: dict[str, Correlation] = {}
    by_name: dict[str, Mapping[str, object]] = {}
    for doc in docs:
        _check_keys(doc)
        name = _name(doc)
        if name in by_name:
            raise RuleProblem(
                line_of(doc, "name"), f"重复的规则名 {name}", f"duplicate name {name}"
            )
        by_name[name] = doc
        if "detection" in doc:
            detections[name] = compile_detection(doc["detection"], line_of(doc, "detection"))
        else:
            correlations[name] = build(name, doc["correlation"], line_of(doc, "correlation"))
    outer = _outermost(correlations, by_name)
    doc = by_name[outer]
    return Rule(
        id=_meta(doc, "id", RULE_ID),
        title=_meta(doc, "title"),
        level=_level(doc),
        article=_meta(doc, "article", ARTICLE),
        description=str(doc.get("description") or "").strip(),
        subject=_subject(doc, correlations.get(outer)),
        path=path,
        digest=hashlib.sha256(text.encode()).hexdigest()[:16],
        detections=detections,
        correlations=_order(correlations, outer),
        outer=outer,
    )


def _level(doc: Mapping[str, object]) -> str:
    level = doc.get("level")
    if level not in LEVELS:
        raise RuleProblem(
            line_of(doc, "level") or line_of(doc),
            f"level 须为 {'、'.join(LEVELS)} 之一",
            f"level must be one of {', '.join(LEVELS)}",
        )
    return str(level)


def load_file(path: Path) -> Rule:
    """One rule file, or RuleFileInvalid naming the file, the line and the reason."""
    try:
        return compile_text(path.read_text(encoding="utf-8"), path)
    except UnicodeDecodeError as error:
        raise RuleFileInvalid(path, RuleProblem(0, "文件不是 UTF-8 编码", "not UTF-8")) from error
    except RuleProblem as problem:
        raise RuleFileInvalid(path, problem) from problem


def rule_files(directories: Iterable[Path]) -> tuple[list[Path], list[RuleFileInvalid]]:
    """The YAML files of the directories, and a problem for each directory that is missing."""
    files: list[Path] = []
    missing: list[RuleFileInvalid] = []
    for directory in directories:
        if not directory.is_dir():
            problem = RuleProblem(0, "规则目录不存在", "the rule directory does not exist")
            missing.append(RuleFileInvalid(directory, problem))
            continue
        files += [p for p in sorted(directory.iterdir()) if p.suffix in (".yml", ".yaml")]
    return files, missing


def load_rules(directories: Iterable[Path] = (SHIPPED,)) -> RuleSet:
    """Every rule file of the directories; a bad file (or a repeated id) is left out and
    reported, the others load."""
    files, missing = rule_files(directories)
    result = RuleSet(problems=missing)
    ids: set[str] = set()
    for path in files:
        try:
            rule = load_file(path)
            if rule.id in ids:
                raise RuleFileInvalid(
                    path, RuleProblem(1, f"规则编号 {rule.id} 重复", "duplicate id")
                )
        except RuleFileInvalid as error:
            log.warning("monitor rule refused: %s", error.en)
            result.problems.append(error)
            continue
        ids.add(rule.id)
        result.rules.append(rule)
    return result
