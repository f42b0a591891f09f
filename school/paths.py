"""Where the templates, static files and migrations are, in a checkout and in a wheel.

In a checkout they sit at the top of the repository (``templates/``, ``static/``);
a wheel carries them inside the package (see ``pyproject.toml``), so a
non-editable ``pip install .`` finds them there.
"""

from pathlib import Path

PACKAGE_DIR = Path(__file__).resolve().parent


def asset_dir(name: str) -> Path:
    packaged = PACKAGE_DIR / name
    if packaged.is_dir():
        return packaged
    return PACKAGE_DIR.parent / name


MIGRATIONS_DIR = PACKAGE_DIR / "migrations"
DATA_DIR = PACKAGE_DIR / "data"
DEMO_FILE = DATA_DIR / "spring-school-2019.yaml"
