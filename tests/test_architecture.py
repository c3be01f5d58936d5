"""The layout rules a newcomer relies on: layers import only downwards (import-linter), no
import circle anywhere in the core, no core module past 400 lines."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

import grimp

ROOT = Path(__file__).resolve().parent.parent
MAX_LINES = 400


def test_layers_import_only_downwards() -> None:
    result = subprocess.run(
        [
            sys.executable,
            "-c",
            "from importlinter.cli import lint_imports_command; lint_imports_command()",
        ],
        cwd=ROOT,
        capture_output=True,
        text=True,
        check=False,
        timeout=300,
    )
    assert result.returncode == 0, result.stdout + result.stderr
    assert "0 broken" in result.stdout


def import_cycles(package: str) -> list[list[str]]:
    """Strongly connected groups of modules (Tarjan), each a circle of imports."""
    graph = grimp.build_graph(package)
    index: dict[str, int] = {}
    low: dict[str, int] = {}
    stack: list[str] = []
    on_stack: set[str] = set()
    found: list[list[str]] = []

    def visit(module: str) -> None:
        index[module] = low[module] = len(index)
        stack.append(module)
        on_stack.add(module)
        for imported in graph.find_modules_directly_imported_by(module):
            if imported not in index:
                visit(imported)
                low[module] = min(low[module], low[imported])
            elif imported in on_stack:
                low[module] = min(low[module], index[imported])
        if low[module] == index[module]:
            group = []
            while True:
                member = stack.pop()
                on_stack.discard(member)
                group.append(member)
                if member == module:
                    break
            if len(group) > 1:
                found.append(sorted(group))

    for module in sorted(graph.modules):
        if module not in index:
            visit(module)
    return found


def test_no_import_circle_in_the_core() -> None:
    assert import_cycles("flxd") == []


def test_no_core_module_over_400_lines() -> None:
    long = {
        str(path.relative_to(ROOT)): lines
        for path in (ROOT / "flxd").rglob("*.py")
        if (lines := len(path.read_text().splitlines())) > MAX_LINES
    }
    assert long == {}


PLUGIN_SOURCES = [
    ROOT / "plugins" / "bigcommerce" / "src",
    ROOT / "plugins" / "woocommerce" / "src",
    ROOT / "tests" / "plugins" / "memory" / "src",
]


def flxd_imports(source: Path) -> set[str]:
    """The flxd modules a plugin's sources import (flxd_* packages are its own)."""
    import ast

    found: set[str] = set()
    for path in source.rglob("*.py"):
        for node in ast.walk(ast.parse(path.read_text(), str(path))):
            if isinstance(node, ast.ImportFrom) and node.module and node.level == 0:
                names = [node.module]
            elif isinstance(node, ast.Import):
                names = [alias.name for alias in node.names]
            else:
                continue
            found |= {n for n in names if n == "flxd" or n.startswith("flxd.")}
    return found


def test_plugins_import_only_the_plugin_surface() -> None:
    for source in PLUGIN_SOURCES:
        assert flxd_imports(source) <= {"flxd.plugin"}, source


def test_plugin_tests_import_only_the_plugin_and_testing_surfaces() -> None:
    for tests in sorted((ROOT / "plugins").glob("*/tests")):
        stray = {
            name
            for name in flxd_imports(tests)
            if name not in ("flxd.plugin", "flxd.testing") and not name.startswith("flxd.testing.")
        }
        assert not stray, f"{tests} imports {sorted(stray)}: use flxd.plugin or flxd.testing"
