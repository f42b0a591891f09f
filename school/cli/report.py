"""``flask --app school report SLUG -o FILE.pdf``: the edition's report, its figures also
as XLSX with ``--xlsx FILE.xlsx``."""

from __future__ import annotations

from pathlib import Path

import click
from flask.cli import with_appcontext
from flask_babel import force_locale

from school.database import utcnow
from school.extensions import db
from school.services.aftercare import figures, report_pdf, report_xlsx
from school.services.backoffice import exports
from school.services.errors import DomainError
from school.services.programme import catalogue

FILE = click.Path(dir_okay=False, path_type=Path)


@click.command("report")
@with_appcontext
@click.argument("slug")
@click.option("-o", "--output", type=FILE, required=True, help="The PDF to write.")
@click.option("--xlsx", type=FILE, help="Also write the figures as a spreadsheet.")
@click.option("--lang", type=click.Choice(["fr", "en"]), default="fr", show_default=True)
def report_command(slug: str, output: Path, xlsx: Path | None, lang: str) -> None:
    """The report of SLUG: its figures, charts and the survey's results, as a PDF."""
    try:
        edition = catalogue.get_edition(db.session, slug)
    except DomainError as exc:
        raise click.ClickException(exc.message) from exc
    output.write_bytes(report_pdf.report_pdf(db.session, edition, lang=lang, now=utcnow()))
    click.echo(f"Report written to {output}")
    if xlsx is not None:
        with force_locale(lang):
            tables = report_xlsx.figures_tables(figures.figures(db.session, edition))
            xlsx.write_bytes(exports.to_xlsx(tables))
        click.echo(f"Figures written to {xlsx}")
