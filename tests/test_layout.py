"""The code keeps the shape the README's "How the code is laid out" promises (issue 13)."""

from __future__ import annotations

import ast
import re
from pathlib import Path

import pytest

PACKAGE = Path(__file__).resolve().parent.parent / "comments_service"
MODULES = sorted(PACKAGE.rglob("*.py"))
ROOT = PACKAGE.parent
# Every Python file of the project (the service, the build plugin, the bench, the tests).
PROJECT = sorted(p for folder in ("comments_service", "bench", "tests", "site") if (ROOT / folder).is_dir()
                 for p in (ROOT / folder).rglob("*.py") if ".work" not in p.parts) + sorted(ROOT.glob("*.py"))
# The web views (the `comments` command, cli and spam.cli, is one view made of two groups).
VIEWS = {"api", "moderation", "unsubscribe", "site"}
MAX_MODULE_LINES = 400
MAX_FUNCTION_LINES = 50
# SQL as our code would write it: a statement keyword followed by what makes it a statement.
SQL = re.compile(r"\b(SELECT\s+[\w*(]|INSERT\s+(OR\s+\w+\s+)?INTO|UPDATE\s+\w+\s+SET|DELETE\s+FROM|PRAGMA\s+\w)")


def dotted(path: Path) -> str:
    return ".".join(path.relative_to(PACKAGE).with_suffix("").parts).removesuffix(".__init__")


def imported(path: Path) -> set[str]:
    """The package modules a module imports (relative imports resolved)."""
    name = dotted(path)
    package = name.split(".") if path.name == "__init__.py" else name.split(".")[:-1]
    found = set()
    for node in ast.walk(ast.parse(path.read_text())):
        if isinstance(node, ast.ImportFrom) and node.level:
            base = package[: len(package) - node.level + 1]
            prefix = ".".join(base + ([node.module] if node.module else []))
            for alias in node.names:
                found.add(f"{prefix}.{alias.name}".lstrip("."))
                found.add(prefix)
    known = {dotted(m) for m in MODULES}
    return {m for m in found if m in known and m != name}


def relative(path: Path) -> str:
    return str(path.relative_to(ROOT))


@pytest.mark.parametrize("path", PROJECT, ids=relative)
def test_no_module_is_over_400_lines(path):
    assert len(path.read_text().splitlines()) <= MAX_MODULE_LINES


@pytest.mark.parametrize("path", PROJECT, ids=relative)
def test_no_function_is_over_50_lines(path):
    tree = ast.parse(path.read_text())
    long = [
        f"{node.name} ({node.end_lineno - node.lineno + 1} lines)"
        for node in ast.walk(tree)
        if isinstance(node, (ast.FunctionDef, ast.AsyncFunctionDef))
        and node.end_lineno - node.lineno + 1 > MAX_FUNCTION_LINES
    ]
    assert not long


def test_no_view_imports_another_view():
    for path in MODULES:
        if dotted(path) in VIEWS:
            others = imported(path) & (VIEWS - {dotted(path)})
            assert not others, f"{dotted(path)} imports {others}"


def test_the_package_has_no_import_cycle():
    graph = {dotted(path): imported(path) for path in MODULES}

    def visit(module, trail):
        if module in trail:
            raise AssertionError("import cycle: " + " -> ".join(trail[trail.index(module):] + [module]))
        for other in graph.get(module, ()):
            if other.startswith(module + "."):
                continue  # a package importing its own modules is not a cycle
            visit(other, trail + [module])

    for module in graph:
        visit(module, [])


def test_only_the_store_runs_sql():
    outside = [dotted(p) for p in MODULES
               if not dotted(p).startswith("store") and dotted(p) != "migrations"
               and SQL.search(p.read_text())]
    assert not outside
