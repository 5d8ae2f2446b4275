"""The developer scripts name only what the package has: every ``from workbook... import name`` in
scripts/ (inside functions too) resolves, so a renamed module or class cannot leave a benchmark
broken until someone runs it."""

from __future__ import annotations

import ast
import importlib
from pathlib import Path

import pytest

SCRIPTS = sorted((Path(__file__).resolve().parents[1] / "scripts").glob("*.py"))


def imports(path: Path):
    for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
        if isinstance(node, ast.ImportFrom) and node.module and node.module.startswith("workbook"):
            yield node.lineno, node.module, [a.name for a in node.names]


@pytest.mark.parametrize("script", SCRIPTS, ids=lambda p: p.name)
def test_every_name_a_script_imports_exists(script):
    assert SCRIPTS, "no scripts found"
    missing = []
    for line, module, names in imports(script):
        loaded = importlib.import_module(module)
        missing += [f"{script.name}:{line} {module}.{n}" for n in names
                    if not hasattr(loaded, n) and importlib.util.find_spec(f"{module}.{n}") is None]
    assert not missing
