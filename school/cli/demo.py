"""``flask --app school demo load``: the demo edition (Spring School 2019)."""

from __future__ import annotations

from flask.cli import AppGroup

from school.cli.programme import import_programme
from school.paths import DEMO_FILE

demo_cli = AppGroup("demo", help="The demo edition (Spring School 2019).")


@demo_cli.command("load")
def demo_load() -> None:
    """Import the Spring School 2019 (idempotent)."""
    import_programme(DEMO_FILE, demo=True)
