"""``flask --app school privacy …``: personal data of past editions."""

from __future__ import annotations

import sys

import click
from flask.cli import AppGroup

from school.database import utcnow
from school.extensions import db
from school.services.errors import DomainError
from school.services.programme import catalogue
from school.services.registration import privacy

privacy_cli = AppGroup("privacy", help="Personal data of participants.")


@privacy_cli.command("purge")
@click.argument("slug")
@click.option("--force", is_flag=True, help="Also for an edition that has not ended yet.")
def purge(slug: str, force: bool) -> None:
    """Anonymise the participants of edition SLUG, keeping its figures."""
    try:
        edition = catalogue.get_edition(db.session, slug)
        report = privacy.purge(db.session, edition, actor="cli", now=utcnow(), force=force)
    except DomainError as exc:
        db.session.rollback()
        click.echo(exc.message, err=True)
        sys.exit(1)
    db.session.commit()
    click.echo(
        f"{slug}: {report.registrations} registration(s) anonymised, "
        f"{report.messages} e-mail(s) blanked, {report.speakers} speaker address(es) removed"
    )
