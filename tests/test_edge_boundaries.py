"""The edge's boundaries (issue 13): ``web/`` runs no ORM query, so every read is a service call
that authorizes and audits. (That only ``data/`` opens DuckDB is checked with the layers, in
``tests/test_layers.py``.)"""

from __future__ import annotations

import ast
from pathlib import Path

SRC = Path(__file__).resolve().parents[1] / "src" / "hutong"
#: What ``web/`` may take from SQLAlchemy: a type for a hint, nothing that builds a query.
SQLALCHEMY_ALLOWED = {"Session"}


def _imports(path: Path) -> list[tuple[str, list[str]]]:
    """(module, names) of every import in the file, at any depth."""
    found: list[tuple[str, list[str]]] = []
    for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
        if isinstance(node, ast.Import):
            found += [(alias.name, []) for alias in node.names]
        elif isinstance(node, ast.ImportFrom) and node.module:
            found.append((node.module, [alias.name for alias in node.names]))
    return found


def _modules(under: str = "") -> list[tuple[str, Path]]:
    return [(str(p.relative_to(SRC)), p) for p in sorted((SRC / under).rglob("*.py"))]


def test_web_imports_no_sqlalchemy_query_helpers() -> None:
    offenders = [
        (name, module, names)
        for name, path in _modules("web")
        for module, names in _imports(path)
        if module.split(".")[0] == "sqlalchemy" and not set(names) <= SQLALCHEMY_ALLOWED
    ]
    assert offenders == []


#: What a handler would call on a SQLAlchemy session to read or write rows itself.
SESSION_CALLS = {"execute", "scalar", "scalars", "query", "get", "add", "delete", "flush"}


def test_web_handlers_call_services_not_the_session() -> None:
    offenders = [
        (name, node.lineno, node.func.attr)
        for name, path in _modules("web")
        for node in ast.walk(ast.parse(path.read_text(encoding="utf-8")))
        if isinstance(node, ast.Call)
        and isinstance(node.func, ast.Attribute)
        and isinstance(node.func.value, ast.Name)
        and node.func.value.id == "session"
        and node.func.attr in SESSION_CALLS
    ]
    assert offenders == []
