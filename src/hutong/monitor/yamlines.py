"""YAML documents that remember the line of every mapping and key, so that a fault in a
rule file is reported where it was written (issue 16, "bad input")."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

import yaml

from hutong.monitor.errors import RuleProblem


class LineMap(dict):
    """A mapping read from YAML, with its own line and the line of each key (1-based)."""

    line: int = 0
    key_lines: dict[Any, int]


class _Loader(yaml.SafeLoader):
    """Safe YAML whose mappings are ``LineMap`` and whose duplicate keys are refused."""


def _mapping(loader: _Loader, node: yaml.MappingNode) -> LineMap:
    loader.flatten_mapping(node)
    result = LineMap()
    result.line = node.start_mark.line + 1
    result.key_lines = {}
    for key_node, value_node in node.value:
        key = loader.construct_object(key_node, deep=True)
        line = key_node.start_mark.line + 1
        if key in result:
            raise RuleProblem(line, f"重复的键 {key}", f"duplicate key {key}")
        result[key] = loader.construct_object(value_node, deep=True)
        result.key_lines[key] = line
    return result


_Loader.add_constructor(yaml.resolver.BaseResolver.DEFAULT_MAPPING_TAG, _mapping)


def line_of(mapping: Mapping[Any, Any], key: Any = None) -> int:
    """Where a key (or the mapping itself) was written; 0 when unknown."""
    if not isinstance(mapping, LineMap):
        return 0
    return mapping.key_lines.get(key, mapping.line) if key is not None else mapping.line


def documents(text: str) -> list[object]:
    """Every document of a YAML stream; syntax errors become a RuleProblem at their line."""
    try:
        return [doc for doc in yaml.load_all(text, Loader=_Loader) if doc is not None]
    except yaml.MarkedYAMLError as error:
        mark = error.problem_mark or error.context_mark
        line = mark.line + 1 if mark else 0
        reason = error.problem or "syntax error"
        raise RuleProblem(
            line, f"YAML 语法错误：{reason}", f"YAML syntax error: {reason}"
        ) from error
    except yaml.YAMLError as error:
        raise RuleProblem(0, "YAML 无法读取", f"unreadable YAML: {error}") from error
