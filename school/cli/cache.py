"""``flask --app school cache reset``: after writes made outside the app."""

from __future__ import annotations

import click

from school import data_versions
from school.extensions import db


@click.command("cache")
@click.argument("action", type=click.Choice(["reset"]))
def cache_command(action: str) -> None:
    """Make every running process read again what it keeps (editions, token checks, feed
    states): after changing the database by hand (psql). A restore does it by itself."""
    with db.engine.begin() as connection:
        data_versions.announce_everything(connection)
    click.echo("Every process will read what it keeps again.")
