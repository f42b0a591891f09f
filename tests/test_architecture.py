"""The shape of the code a newcomer relies on: areas as packages, no import cycle, every
module importable on its own, and one name for each thing."""

from __future__ import annotations

import ast
import os
import subprocess
import sys
import textwrap
from pathlib import Path

import networkx as nx
import pytest

from school.paths import PACKAGE_DIR
from tests.support.production import SUITE_ON_POSTGRES

ROOT = PACKAGE_DIR.parent
SHARED_SERVICES = {"__init__.py", "errors.py", "audit.py", "pdf_fonts.py", "email_addresses.py"}
AREAS = {"programme", "registration", "checkin", "badges", "publishing", "mail", "backoffice"}
# Packages meant to be imported as a whole: the models (one registry for SQLAlchemy).
FACADES = {"school.models"}


def _modules() -> dict[str, Path]:
    found = {}
    for path in sorted(PACKAGE_DIR.rglob("*.py")):
        relative = path.relative_to(ROOT).with_suffix("")
        if relative.parts[1] in ("migrations", "deploy"):
            continue  # Alembic's scripts and gunicorn's config file are run by tools
        parts = list(relative.parts)
        if parts[-1] == "__init__":
            parts.pop()
        found[".".join(parts)] = path
    return found


MODULES = _modules()


def _runtime_imports(tree: ast.Module):
    """Import statements anywhere in a module (functions included), except those only a
    type checker runs."""
    skipped = set()
    for node in ast.walk(tree):
        if isinstance(node, ast.If) and "TYPE_CHECKING" in ast.unparse(node.test):
            skipped.update(id(inner) for inner in ast.walk(node))
    for node in ast.walk(tree):
        if isinstance(node, ast.ImportFrom | ast.Import) and id(node) not in skipped:
            yield node


def _targets(module: str, node: ast.Import | ast.ImportFrom) -> list[str]:
    if isinstance(node, ast.Import):
        return [alias.name for alias in node.names]
    base = node.module or ""
    if node.level:
        package = module if MODULES[module].name == "__init__.py" else module.rpartition(".")[0]
        parts = package.split(".")[: len(package.split(".")) - node.level + 1]
        base = ".".join([*parts, base] if base else parts)
    return [
        f"{base}.{alias.name}" if f"{base}.{alias.name}" in MODULES else base
        for alias in node.names
    ]


def test_services_live_in_area_packages_beside_a_few_shared_modules():
    services = PACKAGE_DIR / "services"
    loose = {p.name for p in services.glob("*.py")} - SHARED_SERVICES
    assert loose == set(), "a service module belongs in its area's package"
    packages = {p.parent.name for p in services.glob("*/__init__.py")}
    assert packages >= AREAS
    assert list(PACKAGE_DIR.glob("cli_*.py")) == []
    for name in ("cli", "web/api", "web/organiser", "web/participant"):
        assert (PACKAGE_DIR / name / "__init__.py").is_file(), name


def test_every_package_says_what_lives_in_it():
    for init in PACKAGE_DIR.rglob("__init__.py"):
        if "versions" in init.parts:
            continue
        docstring = ast.get_docstring(ast.parse(init.read_text()))
        assert docstring and len(docstring) > 30, f"{init.relative_to(ROOT)} needs a docstring"


def test_no_import_cycle():
    graph = nx.DiGraph()
    for module, path in MODULES.items():
        graph.add_node(module)
        for node in _runtime_imports(ast.parse(path.read_text())):
            for target in _targets(module, node):
                if target in MODULES and target != module:
                    graph.add_edge(module, target)
    cycles = [sorted(c) for c in nx.strongly_connected_components(graph) if len(c) > 1]
    assert cycles == []


def test_each_name_is_imported_from_the_module_that_defines_it():
    """No module hands on a name it imported: one name, one home."""
    defined: dict[str, set[str]] = {}
    exported: dict[str, set[str]] = {}
    for module, path in MODULES.items():
        tree = ast.parse(path.read_text())
        names = set()
        for node in tree.body:
            if isinstance(node, ast.FunctionDef | ast.ClassDef | ast.AsyncFunctionDef):
                names.add(node.name)
            elif isinstance(node, ast.Assign | ast.AnnAssign | ast.If | ast.Try):
                for inner in ast.walk(node):
                    if isinstance(inner, ast.Name) and isinstance(inner.ctx, ast.Store):
                        names.add(inner.id)
                    elif isinstance(inner, ast.FunctionDef | ast.ClassDef):
                        names.add(inner.name)
        defined[module] = names
        exported[module] = set()
        for node in tree.body:
            if isinstance(node, ast.Assign) and any(
                isinstance(t, ast.Name) and t.id == "__all__" for t in node.targets
            ):
                exported[module] = set(ast.literal_eval(node.value))
    wrong = []
    for directory in ("school", "tests", "bench"):
        for path in (ROOT / directory).rglob("*.py"):
            for node in ast.walk(ast.parse(path.read_text())):
                if not isinstance(node, ast.ImportFrom) or node.level:
                    continue
                source = node.module or ""
                if source not in MODULES or source in FACADES:
                    continue
                for alias in node.names:
                    if f"{source}.{alias.name}" in MODULES:
                        continue
                    if alias.name not in defined[source] | exported[source]:
                        wrong.append(f"{path.relative_to(ROOT)}: {alias.name} from {source}")
    assert wrong == []


ISOLATION = textwrap.dedent(
    """
    import importlib, os, sys, traceback
    # Every library our modules import first, once: what is tested is the order of our
    # own imports (each child imported sqlalchemy.orm again, a minute in all).
    for library in os.environ["LIBRARIES"].split():
        try:
            importlib.import_module(library)
        except Exception:
            pass  # an optional one: the module that needs it says so in its child
    failed = []
    for name in sys.argv[1:]:
        pid = os.fork()
        if pid == 0:
            try:
                importlib.import_module(name)
            except BaseException:
                traceback.print_exc()
                os._exit(1)
            os._exit(0)
        _, status = os.waitpid(pid, 0)
        if status:
            failed.append(name)
    print("FAILED:" + ",".join(failed))
    """
)


@pytest.mark.skipif(
    SUITE_ON_POSTGRES,
    reason="what a module imports does not depend on the database: the SQLite run checks it"
    " (a minute of CI saved)",
)
def test_every_module_imports_on_its_own():
    """Each module in a fresh process of its own: an import that only works after another
    module happened to run first shows here."""
    libraries = set()
    for path in MODULES.values():
        for node in _runtime_imports(ast.parse(path.read_text())):
            if isinstance(node, ast.ImportFrom):
                names = [node.module] if node.module and not node.level else []
            else:
                names = [alias.name for alias in node.names]
            libraries.update(n for n in names if n.partition(".")[0] != "school")
    result = subprocess.run(
        [sys.executable, "-c", ISOLATION, *MODULES],
        env={**os.environ, "LIBRARIES": " ".join(sorted(libraries))},
        capture_output=True,
        text=True,
        cwd=ROOT,
        timeout=900,
        check=False,
    )
    assert result.stdout.strip().endswith("FAILED:"), result.stdout + result.stderr
