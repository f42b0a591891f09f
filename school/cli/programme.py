"""``flask --app school programme …``: import and export programme files."""

from __future__ import annotations

import sys
from pathlib import Path

import click
import sqlalchemy as sa
from flask.cli import AppGroup

from school.extensions import db
from school.models import Session
from school.services.programme import export, importer, rules
from school.services.programme.parsing import ProgrammeFileError

programme_cli = AppGroup("programme", help="Import and export programme files.")


def import_programme(path: Path, *, demo: bool = False) -> None:
    try:
        edition = (
            importer.import_demo(db.session) if demo else importer.import_file(db.session, path)
        )
        db.session.commit()
    except ProgrammeFileError as exc:
        db.session.rollback()
        click.echo(str(exc), err=True)
        sys.exit(1)
    click.echo(f"Imported {edition.slug} from {path}")
    sessions = db.session.scalars(sa.select(Session).where(Session.edition_id == edition.id))
    for first, second in rules.room_clashes(sessions):
        click.echo(
            f"warning: {first.key} and {second.key} are in the same room at the same time",
            err=True,
        )


@programme_cli.command("import")
@click.argument("path", type=click.Path(exists=True, dir_okay=False, path_type=Path))
def programme_import(path: Path) -> None:
    """Create or update the edition described in PATH (refused as a whole if wrong)."""
    import_programme(path)


@programme_cli.command("export")
@click.argument("slug")
@click.option("-o", "--output", type=click.Path(dir_okay=False, path_type=Path))
def programme_export(slug: str, output: Path | None) -> None:
    """Write the edition SLUG as a programme file (to stdout, or -o FILE)."""
    try:
        text = export.export_text(db.session, slug)
    except LookupError as exc:
        raise click.ClickException(str(exc)) from exc
    if output:
        output.write_text(text, encoding="utf-8")
    else:
        click.echo(text, nl=False)
