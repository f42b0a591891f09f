"""``flask --app school …`` commands. Each runs one service call and commits once."""

from __future__ import annotations

import sys
from pathlib import Path

import click
from flask import Flask
from flask.cli import AppGroup

from school.extensions import db
from school.paths import DEMO_FILE
from school.services import programme_io
from school.services.programme_file import ProgrammeFileError

programme_cli = AppGroup("programme", help="Import and export programme files.")
demo_cli = AppGroup("demo", help="The demo edition (Spring School 2019).")


def _import(path: Path) -> None:
    try:
        edition = programme_io.import_file(db.session, path)
        db.session.commit()
    except ProgrammeFileError as exc:
        db.session.rollback()
        click.echo(str(exc), err=True)
        sys.exit(1)
    click.echo(f"Imported {edition.slug} from {path}")


@programme_cli.command("import")
@click.argument("path", type=click.Path(exists=True, dir_okay=False, path_type=Path))
def programme_import(path: Path) -> None:
    """Create or update the edition described in PATH (refused as a whole if wrong)."""
    _import(path)


@programme_cli.command("export")
@click.argument("slug")
@click.option("-o", "--output", type=click.Path(dir_okay=False, path_type=Path))
def programme_export(slug: str, output: Path | None) -> None:
    """Write the edition SLUG as a programme file (to stdout, or -o FILE)."""
    try:
        text = programme_io.export_text(db.session, slug)
    except LookupError as exc:
        raise click.ClickException(str(exc)) from exc
    if output:
        output.write_text(text, encoding="utf-8")
    else:
        click.echo(text, nl=False)


@demo_cli.command("load")
def demo_load() -> None:
    """Import the Spring School 2019 (idempotent)."""
    _import(DEMO_FILE)


def register(app: Flask) -> None:
    app.cli.add_command(programme_cli)
    app.cli.add_command(demo_cli)
