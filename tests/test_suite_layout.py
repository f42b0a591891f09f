"""The suite's own order, so any part of it runs alone: what tests share lives in
tests/support/, and no module imports from a test module (running one file must not
collect another's tests, nor break when another is moved)."""

from __future__ import annotations

import ast
from pathlib import Path

TESTS = Path(__file__).parent


def _imported_modules(path: Path) -> set[str]:
    names = set()
    for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
        if isinstance(node, ast.Import):
            names.update(alias.name for alias in node.names)
        elif isinstance(node, ast.ImportFrom) and node.module:
            names.add(node.module)
            names.update(f"{node.module}.{alias.name}" for alias in node.names)
    return names


def test_no_module_imports_a_test_module():
    borrowed = {
        str(path.relative_to(TESTS)): sorted(
            name for name in _imported_modules(path) if name.startswith("tests.test_")
        )
        for path in TESTS.rglob("*.py")
    }
    assert {path: names for path, names in borrowed.items() if names} == {}


def test_the_top_of_tests_holds_only_test_modules():
    others = sorted(
        path.name
        for path in TESTS.iterdir()
        if path.name not in {"__init__.py", "conftest.py", "support", "__pycache__"}
        and not (path.name.startswith("test_") and path.suffix == ".py")
    )
    assert others == [], "shared helpers and data belong in tests/support/"
