"""``flask --app school programme …``: import and export programme files."""

from __future__ import annotations

import sys
from pathlib import Path

import click
import sqlalchemy as sa
from flask.cli import AppGroup

from school.database import utcnow
from school.extensions import db
from school.models import Edition, Session
from school.services.errors import NotFound
from school.services.programme import catalogue, export, importer, rules, sheet
from school.services.programme import dry_run as preview
from school.services.programme.parsing import ProgrammeFileError, parse_programme

programme_cli = AppGroup("programme", help="Import and export programme files.")


def import_programme(path: Path, dry_run: bool = False, *, demo: bool = False) -> Edition | None:
    before = dry_run and dry_run_slug(path)
    try:
        edition = (
            importer.import_demo(db.session) if demo else importer.import_file(db.session, path)
        )
        if dry_run:
            lines = dry_run_lines(before, edition.slug)
            db.session.rollback()
            for line in lines or ["no change"]:
                click.echo(line)
            click.echo(f"Dry run: nothing written ({path})")
            return
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
    return edition


def dry_run_slug(path: Path) -> preview.Snapshot | None:
    """The programme as it is, before the file's edition is imported (None: unreadable)."""
    try:
        slug = parse_programme(path.read_text(encoding="utf-8"), path.name).edition.slug
    except (OSError, UnicodeDecodeError, ProgrammeFileError):
        return None  # the import names the problem
    return preview.snapshot(db.session, slug)


def dry_run_lines(before: preview.Snapshot | None, slug: str) -> list[str]:
    return preview.describe(
        before or preview.snapshot(db.session, ""), preview.snapshot(db.session, slug)
    )


def import_sheet(path: Path, slug: str | None, dry_run_only: bool) -> None:
    """Sessions from a CSV/XLSX file, through the session form's service."""
    if not slug:
        raise click.UsageError("a spreadsheet of sessions needs --edition SLUG")
    try:
        edition = catalogue.get_edition(db.session, slug)
    except NotFound as exc:
        raise click.ClickException(f"no edition {slug}") from exc
    try:
        rows = sheet.read_rows(path.name, path.read_bytes())
    except sheet.SheetError as exc:
        raise click.ClickException(exc.message) from exc
    result = sheet.apply_rows(db.session, edition, rows, actor="cli", now=utcnow())
    for row in result.rows:
        for column, messages in row.errors.items():
            click.echo(f"row {row.number}, column {column}: {'; '.join(messages)}", err=True)
        if not row.errors:
            changed = f": {', '.join(row.changed)}" if row.changed else ""
            click.echo(f"row {row.number}: {row.action} {row.title}{changed}")
    if dry_run_only or not result.ok:
        db.session.rollback()
        click.echo(f"Nothing written ({path})")
        if not result.ok:
            sys.exit(1)
        return
    db.session.commit()
    click.echo(f"Imported {len(result.rows)} rows into {slug} from {path}")


@programme_cli.command("import")
@click.argument("path", type=click.Path(exists=True, dir_okay=False, path_type=Path))
@click.option("--dry-run", is_flag=True, help="Print the changes and write nothing.")
@click.option("--edition", "slug", help="The edition a CSV/XLSX file of sessions goes to.")
def programme_import(path: Path, dry_run: bool, slug: str | None) -> None:
    """Create or update the edition described in PATH (refused as a whole if wrong).

    PATH may also be a spreadsheet of sessions (.csv, .xlsx) for --edition SLUG."""
    if path.suffix.lower() in (".csv", ".xlsx"):
        import_sheet(path, slug, dry_run)
    else:
        import_programme(path, dry_run)


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
