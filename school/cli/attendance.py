"""``flask --app school attendance …``: attendance sheets and certificates as PDF files."""

from __future__ import annotations

from pathlib import Path

import click
from flask.cli import AppGroup

from school.database import utcnow
from school.extensions import db
from school.models.vocabulary import LANGUAGES
from school.services.checkin import attendance, attendance_pdf, certificates
from school.services.errors import DomainError
from school.services.programme import catalogue

attendance_cli = AppGroup("attendance", help="Attendance sheets and certificates.")
LANGUAGE_CHOICE = click.Choice(LANGUAGES)


def _output(path: Path, data: bytes, what: str) -> None:
    path.write_bytes(data)
    click.echo(f"{what} written to {path}")


@attendance_cli.command("sheet")
@click.argument("slug")
@click.argument("key")
@click.option("--lang", type=LANGUAGE_CHOICE, default="fr", show_default=True)
@click.option("-o", "--output", type=click.Path(dir_okay=False, path_type=Path), required=True)
def attendance_sheet(slug: str, key: str, lang: str, output: Path) -> None:
    """The attendance sheet of the session KEY of SLUG (its key in the programme file),
    or of the entrance on a day (KEY: YYYY-MM-DD)."""
    try:
        edition = catalogue.get_edition(db.session, slug)
        checkpoint = attendance.checkpoint_of(db.session, edition, key)
    except DomainError as exc:
        raise click.ClickException(exc.message) from exc
    sheet = attendance.sheet(db.session, edition, checkpoint)
    pdf = attendance_pdf.sheet_pdf(sheet, lang=lang, now=utcnow())
    _output(output, pdf, f"Attendance sheet ({len(sheet.lines)} people)")


@attendance_cli.command("certificates")
@click.argument("slug")
@click.option(
    "--lang", type=LANGUAGE_CHOICE, help="One language for all (default: each one's own)."
)
@click.option("-o", "--output", type=click.Path(dir_okay=False, path_type=Path), required=True)
def attendance_certificates(slug: str, lang: str | None, output: Path) -> None:
    """The certificates of attendance of everyone checked in at SLUG, one a page."""
    try:
        edition = catalogue.get_edition(db.session, slug)
    except DomainError as exc:
        raise click.ClickException(exc.message) from exc
    found = certificates.certificates(db.session, edition)
    if not found:
        raise click.ClickException("nobody has been checked in: no certificate to write")
    pdf = attendance_pdf.certificates_pdf(found, now=utcnow(), lang=lang)
    _output(output, pdf, f"{len(found)} certificates")
