"""A non-editable install carries every module, template and static file (CI also
installs the wheel and serves the demo from it)."""

from __future__ import annotations

import tomllib

from school.paths import PACKAGE_DIR

ROOT = PACKAGE_DIR.parent


def test_every_python_package_is_listed_in_pyproject():
    config = tomllib.loads((ROOT / "pyproject.toml").read_text())["tool"]["setuptools"]
    listed = set(config["packages"])
    found = {
        ".".join(path.parent.relative_to(ROOT).parts)
        for path in PACKAGE_DIR.rglob("*.py")
        if "__pycache__" not in path.parts
    }
    assert found - listed == set(), "add them to [tool.setuptools] packages"
    assert {"school.templates", "school.static"} <= listed
