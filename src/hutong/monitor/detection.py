"""Sigma-shaped detections compiled to predicates over one event.

A detection is a set of named selections and a ``condition`` over their names, as in Sigma:
a selection maps ``field|modifier|…`` to a value or a list of values (any of them; all of
them with ``|all``); a list of such maps is any of them. Strings compare case-insensitively
with ``*``/``?`` wildcards unless ``|cased``; ``|contains``, ``|startswith``, ``|endswith``,
``|re``, ``|cidr`` and the numeric ``|gt``, ``|gte``, ``|lt``, ``|lte`` work as in Sigma.
A field holding a list (``actor_roles``) matches when any element does. The condition
accepts ``and``, ``or``, ``not``, parentheses, ``1 of name*``, ``all of name*`` and ``them``.
Everything is checked while compiling, so a bad rule fails at load, never on an event.
"""

from __future__ import annotations

import fnmatch
import ipaddress
import re
from collections.abc import Callable, Mapping
from typing import Any

from hutong.monitor.errors import RuleProblem
from hutong.monitor.events import Event, is_field, number
from hutong.monitor.yamlines import line_of

Predicate = Callable[[Event], bool]
Test = Callable[[object], bool]

STRING_MODIFIERS = frozenset({"contains", "startswith", "endswith", "re"})
NUMBER_MODIFIERS = {
    "gt": lambda a, b: a > b,
    "gte": lambda a, b: a >= b,
    "lt": lambda a, b: a < b,
    "lte": lambda a, b: a <= b,
}
MODIFIERS = STRING_MODIFIERS | set(NUMBER_MODIFIERS) | {"cidr", "all", "cased"}


def _string_test(kind: str | None, expected: str, cased: bool) -> Test:
    want = expected if cased else expected.casefold()

    def norm(value: object) -> str:
        text = "" if value is None else str(value)
        return text if cased else text.casefold()

    if kind == "contains":
        return lambda v: want in norm(v)
    if kind == "startswith":
        return lambda v: norm(v).startswith(want)
    if kind == "endswith":
        return lambda v: norm(v).endswith(want)
    if kind is None and ("*" in want or "?" in want):
        pattern = re.compile(fnmatch.translate(want), re.DOTALL)
        return lambda v: pattern.match(norm(v)) is not None
    return lambda v: norm(v) == want


def _one_test(kind: str | None, expected: object, cased: bool, line: int) -> Test:
    """A test of one expected value under at most one matching modifier."""
    if kind in NUMBER_MODIFIERS:
        bound = number(expected)
        if bound is None:
            raise RuleProblem(line, f"修饰符 {kind} 需要数值", f"modifier {kind} needs a number")
        compare = NUMBER_MODIFIERS[kind]
        return lambda v: (n := number(v)) is not None and compare(n, bound)
    if kind == "cidr":
        try:
            network = ipaddress.ip_network(str(expected), strict=False)
        except ValueError as error:
            raise RuleProblem(line, "网段写法无效", "not a valid CIDR network") from error
        return lambda v: _in_network(v, network)
    if kind == "re":
        try:
            pattern = re.compile(str(expected))
        except re.error as error:
            raise RuleProblem(
                line, "正则表达式无效", f"invalid regular expression: {error}"
            ) from error
        return lambda v: v is not None and pattern.search(str(v)) is not None
    if expected is None:
        return lambda v: v is None or v == ""
    if isinstance(expected, bool):
        return lambda v: v is expected or str(v).casefold() == str(expected).casefold()
    if isinstance(expected, int | float) and kind is None:
        return lambda v: number(v) == expected
    if not isinstance(expected, str | int | float):
        raise RuleProblem(line, "取值只能是文字、数字、布尔值或空", "values must be scalars")
    return _string_test(kind, str(expected), cased)


def _in_network(value: object, network: ipaddress.IPv4Network | ipaddress.IPv6Network) -> bool:
    try:
        return ipaddress.ip_address(str(value)) in network
    except ValueError:
        return False


def _field_test(key: str, values: object, line: int) -> Predicate:
    """``field|mod|…: value(s)`` as a predicate over an event."""
    name, *mods = key.split("|")
    if not is_field(name):
        raise RuleProblem(line, f"未知字段 {name}", f"unknown field {name}")
    unknown = [m for m in mods if m not in MODIFIERS]
    if unknown:
        raise RuleProblem(line, f"未知修饰符 {unknown[0]}", f"unknown modifier {unknown[0]}")
    kinds = [m for m in mods if m not in ("all", "cased")]
    if len(kinds) > 1:
        raise RuleProblem(line, "一个字段只能用一个比较修饰符", "one comparison modifier per field")
    kind = kinds[0] if kinds else None
    expected = values if isinstance(values, list) else [values]
    if not expected:
        raise RuleProblem(line, "取值列表为空", "empty list of values")
    tests = [_one_test(kind, v, "cased" in mods, line) for v in expected]
    combine = all if "all" in mods else any

    def matches(value: object) -> bool:
        return combine(t(value) for t in tests)

    def predicate(event: Event) -> bool:
        value = event.get(name)
        if isinstance(value, list):
            return any(matches(v) for v in value)
        return matches(value)

    return predicate


def _mapping(selection: Mapping[str, Any]) -> Predicate:
    if not selection:
        raise RuleProblem(line_of(selection), "选择条件为空", "empty selection")
    tests = [_field_test(str(k), v, line_of(selection, k)) for k, v in selection.items()]
    return lambda event: all(t(event) for t in tests)


def compile_selection(selection: object, line: int) -> Predicate:
    if isinstance(selection, Mapping):
        return _mapping(selection)
    if isinstance(selection, list) and selection and all(isinstance(s, Mapping) for s in selection):
        parts = [_mapping(s) for s in selection]
        return lambda event: any(p(event) for p in parts)
    raise RuleProblem(
        line, "选择条件须为“字段: 取值”映射或其列表", "a selection is a field map or a list of them"
    )


# --- condition --------------------------------------------------------------------------

TOKEN = re.compile(r"\s*(\(|\)|[A-Za-z0-9_*]+)")


def _tokens(text: str, line: int) -> list[str]:
    tokens, position = [], 0
    text = text.strip()
    while position < len(text):
        match = TOKEN.match(text, position)
        if match is None:
            raise RuleProblem(
                line, "条件表达式有无法识别的字符", "unreadable character in condition"
            )
        tokens.append(match.group(1))
        position = match.end()
    return tokens


class _Parser:
    """condition := or; or := and ('or' and)*; and := not ('and' not)*;
    not := 'not' not | '(' or ')' | ('1'|'all') 'of' pattern | name"""

    def __init__(self, tokens: list[str], selections: Mapping[str, Predicate], line: int):
        self.tokens, self.selections, self.line, self.at = tokens, selections, line, 0

    def fail(self, zh: str, en: str) -> RuleProblem:
        return RuleProblem(self.line, zh, en)

    def peek(self) -> str | None:
        return self.tokens[self.at].lower() if self.at < len(self.tokens) else None

    def take(self) -> str:
        if self.at >= len(self.tokens):
            raise self.fail("条件表达式不完整", "condition ends too early")
        self.at += 1
        return self.tokens[self.at - 1]

    def parse(self) -> Predicate:
        predicate = self.either()
        if self.peek() is not None:
            raise self.fail(f"条件表达式多余的 {self.peek()}", f"unexpected {self.peek()}")
        return predicate

    def either(self) -> Predicate:
        parts = [self.both()]
        while self.peek() == "or":
            self.take()
            parts.append(self.both())
        return parts[0] if len(parts) == 1 else lambda e: any(p(e) for p in parts)

    def both(self) -> Predicate:
        parts = [self.negation()]
        while self.peek() == "and":
            self.take()
            parts.append(self.negation())
        return parts[0] if len(parts) == 1 else lambda e: all(p(e) for p in parts)

    def negation(self) -> Predicate:
        word = self.peek()
        if word == "not":
            self.take()
            inner = self.negation()
            return lambda e: not inner(e)
        if word == "(":
            self.take()
            inner = self.either()
            if self.take() != ")":
                raise self.fail("括号不配对", "unbalanced parentheses")
            return inner
        if word in ("1", "all"):
            return self.quantified()
        return self.name(self.take())

    def quantified(self) -> Predicate:
        quantifier = self.take().lower()
        if self.take().lower() != "of":
            raise self.fail("应为 “1 of” 或 “all of”", "expected '1 of' or 'all of'")
        pattern = self.take()
        names = (
            list(self.selections)
            if pattern == "them"
            else [n for n in self.selections if fnmatch.fnmatchcase(n, pattern)]
        )
        if not names:
            raise self.fail(f"没有与 {pattern} 相符的选择条件", f"no selection matches {pattern}")
        parts = [self.selections[n] for n in names]
        if quantifier == "all":
            return lambda e: all(p(e) for p in parts)
        return lambda e: any(p(e) for p in parts)

    def name(self, name: str) -> Predicate:
        if name.lower() in ("and", "or", ")", "of"):
            raise self.fail(f"条件表达式此处不应出现 {name}", f"unexpected {name}")
        if name not in self.selections:
            raise self.fail(f"条件引用了未定义的选择条件 {name}", f"undefined selection {name}")
        return self.selections[name]


def compile_detection(detection: object, line: int) -> Predicate:
    """The ``detection`` section as one predicate."""
    if not isinstance(detection, Mapping):
        raise RuleProblem(line, "detection 须为映射", "detection must be a map")
    condition = detection.get("condition")
    if not isinstance(condition, str) or not condition.strip():
        raise RuleProblem(line, "detection 缺少 condition 表达式", "detection needs a condition")
    selections = {
        str(name): compile_selection(value, line_of(detection, name))
        for name, value in detection.items()
        if name != "condition"
    }
    if not selections:
        raise RuleProblem(line, "detection 没有选择条件", "detection has no selection")
    where = line_of(detection, "condition")
    return _Parser(_tokens(condition, where), selections, where).parse()
