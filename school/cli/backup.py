"""``flask --app school backup …``: back up and restore the database
(``school/services/backoffice/backup.py``).
"""

from __future__ import annotations

from pathlib import Path

import click
from flask import current_app
from flask.cli import AppGroup

from school.services.backoffice import backup

backup_cli = AppGroup("backup", help="Back up and restore the database.")


def _database_url() -> str:
    return current_app.config["SQLALCHEMY_DATABASE_URI"]


@backup_cli.command("create")
@click.argument("destination", type=click.Path(path_type=Path))
@click.option(
    "--keep",
    type=click.IntRange(min=1),
    help="When DESTINATION is a folder: keep only this many of its newest backups.",
)
def backup_create(destination: Path, keep: int | None) -> None:
    """Back up the database into DESTINATION (a file, or a folder: a dated name)."""
    try:
        path = backup.create(_database_url(), destination)
    except backup.BackupError as exc:
        raise click.ClickException(str(exc)) from exc
    click.echo(f"Backed up {backup.Database.from_url(_database_url()).describe()} to {path}")
    if keep and destination.is_dir():
        for old in backup.prune(destination, keep):
            click.echo(f"Deleted {old}")


@backup_cli.command("restore")
@click.argument("source", type=click.Path(exists=True, dir_okay=False, path_type=Path))
@click.option("--replace", is_flag=True, help="Overwrite a database that holds tables.")
def backup_restore(source: Path, replace: bool) -> None:
    """Restore SOURCE into the configured database (stop the app servers first)."""
    try:
        backup.restore(_database_url(), source, replace=replace)
    except backup.BackupError as exc:
        raise click.ClickException(str(exc)) from exc
    click.echo(f"Restored {source} into {backup.Database.from_url(_database_url()).describe()}")
    click.echo("Next: flask --app school db upgrade (a backup from an older release)")
