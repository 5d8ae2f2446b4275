"""The layers keep their order: core → xlsx → author → live → app → cli, and no module imports in a circle.

Imports are read from the source (AST, imports inside functions included), so a deferred import
cannot hide a dependency the other way.
"""

from __future__ import annotations

import ast
import subprocess
import sys
from pathlib import Path

import pytest

PACKAGE = Path(__file__).resolve().parents[1] / "workbook"
LAYERS = ["core", "xlsx", "author", "live", "app", "cli"]
FORBIDDEN_IN_CORE = ["openpyxl", "python_calamine", "lxml", "xlwings", "xlsxwriter"]


def module_name(path: Path) -> str:
    parts = path.relative_to(PACKAGE.parent).with_suffix("").parts
    return ".".join(parts[:-1] if parts[-1] == "__init__" else parts)


def imports_of(path: Path) -> set[str]:
    """Every workbook module that ``path`` imports, resolved to its dotted name."""
    name = module_name(path)
    package = name if path.name == "__init__.py" else name.rpartition(".")[0]
    found = set()
    for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
        if isinstance(node, ast.Import):
            found.update(a.name for a in node.names if a.name.startswith("workbook"))
        elif isinstance(node, ast.ImportFrom):
            if node.level:
                base = package.split(".")[: len(package.split(".")) - node.level + 1]
                base = ".".join(base + ([node.module] if node.module else []))
            else:
                base = node.module or ""
            if not base.startswith("workbook"):
                continue
            for alias in node.names:  # "from . import schema" names a module, "from .x import y" a symbol
                candidate = f"{base}.{alias.name}"
                found.add(candidate if (PACKAGE.parent / candidate.replace(".", "/")).with_suffix(".py").exists()
                          or (PACKAGE.parent / candidate.replace(".", "/")).is_dir() else base)
    return found


MODULES = {module_name(p): p for p in PACKAGE.rglob("*.py")}
GRAPH = {name: {i for i in imports_of(path) if i in MODULES and i != name} for name, path in MODULES.items()}


def layer(name: str) -> int | None:
    parts = name.split(".")
    return LAYERS.index(parts[1]) if len(parts) > 1 and parts[1] in LAYERS else None


@pytest.mark.parametrize("name", sorted(n for n in MODULES if layer(n) is not None))
def test_imports_only_earlier_layers(name):
    higher = sorted(i for i in GRAPH[name] if layer(i) is not None and layer(i) > layer(name))
    assert not higher, f"{name} ({LAYERS[layer(name)]}) imports a later layer: {higher}"


def test_top_level_modules_are_entry_points_only():
    # workbook.button is written into users' macros, workbook.__main__ serves `python -m workbook`.
    assert {n for n in MODULES if layer(n) is None} <= {"workbook", "workbook.button", "workbook.__main__"}


def test_no_import_circles():
    circles, state = [], {}

    def visit(node, trail):
        state[node] = "open"
        for nxt in sorted(GRAPH[node]):
            if state.get(nxt) == "open":
                circles.append(trail[trail.index(nxt):] + [nxt])
            elif nxt not in state:
                visit(nxt, trail + [nxt])
        state[node] = "done"

    for name in sorted(GRAPH):
        if name not in state:
            visit(name, [name])
    assert not circles, "import circles: " + "; ".join(" → ".join(c) for c in circles)


def test_core_loads_no_file_library():
    code = ("import sys, pkgutil, importlib, workbook.core as c\n"
            "[importlib.import_module(m.name) for m in pkgutil.iter_modules(c.__path__, 'workbook.core.')]\n"
            f"print(sorted(set(m.split('.')[0] for m in sys.modules) & set({FORBIDDEN_IN_CORE!r})))")
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True).stdout
    assert out.strip() == "[]", f"workbook.core loads {out.strip()}"


def test_core_never_names_a_file_library_or_opens_files():
    for name, path in MODULES.items():
        if layer(name) != 0:
            continue
        tree = ast.parse(path.read_text(encoding="utf-8"))
        for node in ast.walk(tree):
            if isinstance(node, (ast.Import, ast.ImportFrom)):
                mods = [a.name for a in node.names] if isinstance(node, ast.Import) else [node.module or ""]
                assert not any(m.split(".")[0] in FORBIDDEN_IN_CORE + ["pathlib"] for m in mods), \
                    f"{name} imports {mods}"
            if isinstance(node, ast.Call) and isinstance(node.func, ast.Name):
                assert node.func.id != "open", f"{name} opens a file (line {node.lineno})"
