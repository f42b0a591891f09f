"""``flask --app school demo load``: the demo edition (Spring School 2019)."""

from __future__ import annotations

import click
from flask.cli import AppGroup

from school.cli.programme import import_programme
from school.extensions import db
from school.paths import DEMO_FILE
from school.services.backoffice import organisers
from school.services.network import cites
from school.services.network.demo import load_demo_initiatives, open_demo_call

demo_cli = AppGroup("demo", help="The demo edition (Spring School 2019).")


@demo_cli.command("load")
def demo_load() -> None:
    """Import the Spring School 2019 (published, open for people to try: registration and
    the call for initiatives), the directory of Cités and the demo's initiatives
    (idempotent)."""
    edition = import_programme(DEMO_FILE, demo=True)
    open_demo_call(db.session, edition)  # first: its service begins the writing transaction
    cites.load_shipped(db.session)
    added = load_demo_initiatives(db.session)
    db.session.commit()
    click.echo(f"{added} demo initiatives added.")
    if not organisers.list_organisers(db.session):
        # Someone trying the demo for the first time finds the back office closed to them.
        click.echo(
            "No staff account yet: for the back office (/organiser/login), run"
            " `flask --app school organiser create YOU@EXAMPLE.ORG --role admin`"
            " (it prints a password)."
        )
