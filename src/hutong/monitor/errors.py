"""Why the monitor refuses: typed errors (zh + en) mapped once to problem+json."""

from __future__ import annotations

from pathlib import Path

from hutong.core.errors import InvalidInput


class RuleProblem(Exception):
    """A fault inside one rule file, at a line; ``RuleFileInvalid`` adds the file."""

    def __init__(self, line: int, zh: str, en: str) -> None:
        super().__init__(en)
        self.line, self.zh, self.en = line, zh, en


class RuleFileInvalid(InvalidInput):
    """A malformed rule file: refused at load with its file, line and reason (issue 16)."""

    code = "rule-file-invalid"

    def __init__(self, path: Path, problem: RuleProblem) -> None:
        line_zh = f" 第 {problem.line} 行" if problem.line else ""
        line_en = f", line {problem.line}" if problem.line else ""
        super().__init__(
            f"规则文件 {path.name}{line_zh}：{problem.zh}",
            f"rule file {path.name}{line_en}: {problem.en}",
            field="rule_file",
            file=str(path),
            line=problem.line,
        )
        self.path = path
        self.line = problem.line
