"""``flask --app school cache reset``: after writes made outside the app."""

from __future__ import annotations

import click
from flask.cli import AppGroup

from school import data_versions
from school.extensions import db

cache_cli = AppGroup("cache", help="What the running processes keep between requests.")


@cache_cli.command("reset")
def reset() -> None:
    """Make every running process read again what it keeps (editions, token checks, feed
    states, the roster's parts): after changing the database by hand (psql). A restore
    does it by itself."""
    with db.engine.begin() as connection:
        data_versions.announce_everything(connection)
    click.echo("Every process will read what it keeps again.")
