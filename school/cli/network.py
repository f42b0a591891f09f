"""``flask --app school cites …`` (the directory) and ``initiatives …`` (the guide)."""

from __future__ import annotations

from pathlib import Path

import click
from flask.cli import AppGroup

from school.database import utcnow
from school.extensions import db
from school.services.network import cites, guide
from school.services.programme import catalogue

cites_cli = AppGroup("cites", help="The directory of the Cités des métiers.")
initiatives_cli = AppGroup("initiatives", help="The call for initiatives and the guide.")


@cites_cli.command("load")
def cites_load() -> None:
    """Add the shipped Cités (data/cites.yaml) the database lacks; edits stay."""
    added = cites.load_shipped(db.session)
    db.session.commit()
    click.echo(f"{added} Cités added; {len(cites.directory(db.session))} in the directory.")


@cites_cli.command("list")
def cites_list() -> None:
    """The directory, one Cité a line: key, country, status, name."""
    for cite in cites.directory(db.session):
        click.echo(f"{cite.key}\t{cite.country}\t{cite.status}\t{cite.name}")


@initiatives_cli.command("guide")
@click.argument("slug")
@click.option("--lang", type=click.Choice(["fr", "en"]), default="fr", show_default=True)
@click.option(
    "-o", "--output", type=click.Path(dir_okay=False, path_type=Path), required=True,
    help="Where to write the PDF.",
)  # fmt: skip
def initiatives_guide(slug: str, lang: str, output: Path) -> None:
    """Write the guide of good practices of edition SLUG: its accepted initiatives."""
    try:
        edition = catalogue.get_edition(db.session, slug)
    except Exception as error:  # NotFound: said plainly, not as a stack trace
        raise click.ClickException(f"no edition {slug!r}") from error
    output.write_bytes(guide.render(db.session, edition, lang, now=utcnow()))
    click.echo(f"{output}")
