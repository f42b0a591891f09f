"""``flask --app school badges print``: badges as PDF, one a page or on A4 sheets."""

from __future__ import annotations

from pathlib import Path

import click
from flask.cli import AppGroup
from flask_babel import force_locale

from school.extensions import db
from school.services.badges import printing
from school.services.errors import DomainError
from school.services.programme import catalogue

badges_cli = AppGroup("badges", help="Participants' badges.")


@badges_cli.command("print")
@click.argument("slug")
@click.option(
    "--category",
    "categories",
    multiple=True,
    help="Only this category (member, partner, guest, speaker, staff, press); repeatable.",
)
@click.option("--day", type=click.DateTime(["%Y-%m-%d"]), help="Only those attending this day.")
@click.option(
    "--size",
    help="One of "
    + "; ".join(f"{size.name} ({size.label})" for size in printing.badge_sizes())
    + f". Default: {printing.badge_size(None, sheet=True).name}.",
)
@click.option("-o", "--output", type=click.Path(dir_okay=False, path_type=Path), required=True)
def badges_print(
    slug: str, categories: tuple[str, ...], day, size: str | None, output: Path
) -> None:
    """Print the badges of the confirmed participants of SLUG on A4 sheets, by last name."""
    try:
        with force_locale("en"):
            size = printing.badge_size(size, sheet=True).name
            edition = catalogue.get_edition(db.session, slug)
            chosen = printing.registrations_to_print(
                db.session, edition, categories=categories, day=day.date() if day else None
            )
    except DomainError as exc:
        raise click.ClickException(exc.message) from exc
    if not chosen:
        raise click.ClickException("no confirmed registration matches: nothing to print")
    output.write_bytes(printing.pdf_for(chosen, size=size, sheet=True))
    click.echo(f"{len(chosen)} badges written to {output}")
