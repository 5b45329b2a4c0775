"""Imports go down the layers only (DESIGN, decision 0017), read from every module's AST.

A module may import its own package and any lower layer. It fails here on (a) an import of a
higher layer, or of another package of its own layer; (b) an import of a Hutong module inside
a function or method, which is how a cycle used to be hidden; (c) ``duckdb`` outside
``hutong.data``, the one place that opens an engine. A lower layer that must cause work in a
higher one publishes a domain event (``core/events.py``) instead.
"""

from __future__ import annotations

import ast
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

import pytest

SRC = Path(__file__).parent.parent / "src"
ROOT = SRC / "hutong"

#: Lowest first. A module belongs to the longest prefix that names it (``hutong`` itself only
#: by its own name: it holds ``__version__``).
LAYERS: tuple[tuple[str, ...], ...] = (
    ("hutong", "hutong.core"),
    # Applying migrations needs only core; env.py, which registers every table, is the edge.
    ("hutong.migrations",),
    # The audit log's writer: identity records its events with it (decision 0017).
    ("hutong.audit.models", "hutong.audit.chain", "hutong.audit.service"),
    ("hutong.identity",),
    ("hutong.audit",),
    ("hutong.catalog",),
    ("hutong.data",),
    ("hutong.privacy",),
    ("hutong.policy",),
    ("hutong.exchange", "hutong.openportal"),
    ("hutong.lifecycle", "hutong.monitor", "hutong.federation", "hutong.governance"),
    ("hutong.compliance",),
    # Subscribes the higher layers to the lower ones' events; called by the edge.
    ("hutong.wiring",),
    ("hutong.web", "hutong.cli", "hutong.demo", "hutong.migrations.env"),
    # ``python -m hutong``: the command itself.
    ("hutong.__main__",),
)
#: Named above before they exist: packages DESIGN plans, and ``python -m hutong``, which
#: arrives with the CLI package.
NOT_YET = {"hutong.federation", "hutong.governance", "hutong.__main__"}

#: True exceptions, (importer, imported, why): a package of the edge using another.
EXCEPTIONS = (
    ("hutong.cli", "hutong.web", "`hutong serve` runs the web application"),
    ("hutong.cli", "hutong.demo", "`hutong demo` seeds the demo organisation"),
)

#: Function-level imports that are true exceptions, (importer, imported, why).
DEFERRED = (
    (
        "hutong.cli",
        "hutong.wiring",
        "a command loads only its own domain code (`hutong units --help` stays light); wiring "
        "loads every subscriber, so it is imported where a command opens the database",
    ),
)

#: PENDING: function-level imports still to move (none).
PENDING_FUNCTION_IMPORTS: tuple[str, ...] = ()

#: PENDING: modules outside ``hutong.data`` still importing duckdb (none).
PENDING_DUCKDB: tuple[str, ...] = ()


@dataclass(frozen=True)
class Import:
    module: str  # the importing module
    path: Path
    line: int
    target: str  # the module imported
    in_function: bool


def module_name(path: Path) -> str:
    parts = path.relative_to(SRC).with_suffix("").parts
    return ".".join(parts[:-1] if parts[-1] == "__init__" else parts)


MODULES = {module_name(p): p for p in sorted(ROOT.rglob("*.py"))}


def within(module: str, prefix: str) -> bool:
    return module == prefix or module.startswith(prefix + ".")


def placed(module: str) -> tuple[int, str] | None:
    """(layer rank, the prefix that places it): the longest prefix naming the module."""
    found = [
        (len(prefix), rank, prefix)
        for rank, prefixes in enumerate(LAYERS)
        for prefix in prefixes
        if (module == prefix if prefix == "hutong" else within(module, prefix))
    ]
    if not found:
        return None
    _, rank, prefix = max(found)
    return rank, prefix


def package(module: str) -> str:
    return ".".join(module.split(".")[:2])


def resolve(module: str, path: Path, node: ast.ImportFrom) -> str:
    """The absolute name ``from …`` names (relative imports included)."""
    if not node.level:
        return node.module or ""
    base = module.split(".") if path.name == "__init__.py" else module.split(".")[:-1]
    base = base[: len(base) - (node.level - 1)]
    return ".".join([*base, node.module] if node.module else base)


def imports_of(module: str, path: Path) -> Iterator[Import]:
    tree = ast.parse(path.read_text(encoding="utf-8"), str(path))
    nested = {
        id(inner)
        for node in ast.walk(tree)
        if isinstance(node, ast.FunctionDef | ast.AsyncFunctionDef | ast.Lambda)
        for inner in ast.walk(node)
    }
    for node in ast.walk(tree):
        if isinstance(node, ast.Import):
            targets = [alias.name for alias in node.names]
        elif isinstance(node, ast.ImportFrom):
            source = resolve(module, path, node)
            # ``from package import module`` imports the module; otherwise a name of source.
            targets = [
                f"{source}.{a.name}" if f"{source}.{a.name}" in MODULES else source
                for a in node.names
            ]
        else:
            continue
        for target in dict.fromkeys(targets):
            yield Import(module, path, node.lineno, target, id(node) in nested)


IMPORTS = [found for module, path in MODULES.items() for found in imports_of(module, path)]


def where(found: Import) -> str:
    return f"{found.path.relative_to(SRC)}:{found.line} {found.module} → {found.target}"


def excepted(found: Import) -> bool:
    return any(within(found.module, a) and within(found.target, b) for a, b, _ in EXCEPTIONS)


def upward(found: Import) -> bool:
    """Whether the import goes up a layer, or sideways to another package of the layer."""
    if found.target not in MODULES:
        return False
    (mine, _), (theirs, _) = placed(found.module), placed(found.target)  # type: ignore[misc]
    return theirs > mine or (theirs == mine and package(found.target) != package(found.module))


def test_every_module_has_a_layer():
    assert [m for m in MODULES if placed(m) is None] == []


def test_the_layers_name_real_packages():
    """A prefix that names nothing would place nothing (a typo, or a package since moved)."""
    named = [p for layer in LAYERS for p in layer if p not in NOT_YET]
    assert [p for p in named if not any(within(m, p) for m in MODULES)] == []


def test_imports_go_down_the_layers():
    wrong = [where(i) for i in IMPORTS if upward(i) and not excepted(i)]
    assert wrong == [], "a lower layer imports a higher one (publish an event instead):\n" + (
        "\n".join(wrong)
    )


def deferred(found: Import) -> bool:
    return any(within(found.module, a) and within(found.target, b) for a, b, _ in DEFERRED)


def hidden(found: Import) -> bool:
    """A Hutong import inside a function that no exception explains."""
    return found.in_function and within(found.target, "hutong") and not deferred(found)


def test_no_hutong_import_hides_in_a_function():
    hidden_here = [
        where(i)
        for i in IMPORTS
        if hidden(i) and not any(within(i.module, p) for p in PENDING_FUNCTION_IMPORTS)
    ]
    assert hidden_here == [], "move these imports to the top of the module:\n" + "\n".join(
        hidden_here
    )


def test_duckdb_is_imported_only_by_the_data_plane():
    outside = [
        where(i)
        for i in IMPORTS
        if within(i.target, "duckdb")
        and not within(i.module, "hutong.data")
        and not any(within(i.module, m) for m in PENDING_DUCKDB)
    ]
    assert outside == [], "only hutong.data opens DuckDB:\n" + "\n".join(outside)


@pytest.mark.parametrize("importer, imported, why", EXCEPTIONS)
def test_each_exception_is_still_needed(importer, imported, why):
    assert any(
        within(i.module, importer) and within(i.target, imported) and upward(i) for i in IMPORTS
    ), f"{importer} no longer imports {imported}: remove the exception"


@pytest.mark.parametrize("importer, imported, why", DEFERRED)
def test_each_deferred_import_is_still_there(importer, imported, why):
    assert any(
        within(i.module, importer) and within(i.target, imported) and i.in_function for i in IMPORTS
    ), f"{importer} no longer imports {imported} in a function: remove the exception"


def test_pending_entries_are_still_pending():
    """When the other helpers' work lands, its entries go (the message says which)."""
    done = [
        p
        for p in PENDING_FUNCTION_IMPORTS
        if not any(hidden(i) and within(i.module, p) for i in IMPORTS)
    ]
    done += [
        m
        for m in PENDING_DUCKDB
        if not any(within(i.module, m) and within(i.target, "duckdb") for i in IMPORTS)
    ]
    assert done == [], "no longer pending, remove from the allow-list: " + ", ".join(done)


def test_the_check_reads_hidden_relative_and_upward_imports(tmp_path):
    """The reader itself, on a module written for it: an import in a method is hidden, a
    relative one resolves, an upward or sideways one is caught, a downward one is not."""
    path = tmp_path / "revisions.py"
    path.write_text(
        "from . import models\n"
        "from hutong.core.errors import NotFound\n"
        "class Step:\n"
        "    def run(self):\n"
        "        from hutong.exchange.grants import suspend_unfit\n",
        encoding="utf-8",
    )
    found = {i.target: i for i in imports_of("hutong.catalog.revisions", path)}
    assert set(found) == {"hutong.catalog.models", "hutong.core.errors", "hutong.exchange.grants"}
    assert [t for t, i in found.items() if i.in_function] == ["hutong.exchange.grants"]
    assert [t for t, i in found.items() if upward(i)] == ["hutong.exchange.grants"]

    def goes_up(importer: str, imported: str) -> bool:
        return upward(Import(importer, path, 1, imported, False))

    assert goes_up("hutong.audit.service", "hutong.identity.authz")  # the writer stays below
    assert not goes_up("hutong.identity.authz", "hutong.audit.service")
    assert not goes_up("hutong.audit.query", "hutong.identity.authz")
    assert goes_up("hutong.exchange.grants", "hutong.openportal.public")  # siblings
    assert goes_up("hutong.data.ingest", "hutong.compliance.hooks")
    assert not goes_up("hutong.wiring", "hutong.compliance.hooks")
    assert goes_up("hutong.web.app", "hutong.cli")  # only the CLI may use the web app
    assert excepted(Import("hutong.cli", path, 1, "hutong.web.app", False))
