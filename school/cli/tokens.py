"""``flask --app school token …``: API tokens of staff accounts (scanners, scripts)."""

from __future__ import annotations

from datetime import timedelta

import click
from flask.cli import AppGroup

from school.database import utcnow
from school.extensions import db
from school.services.backoffice import organisers
from school.services.errors import DomainError
from school.services.programme import catalogue

token_cli = AppGroup("token", help="API tokens of staff accounts (scanners, scripts).")


@token_cli.command("create")
@click.argument("email")
@click.option("--label", help="What the token is for, e.g. 'door phone 1'.")
@click.option("--edition", "slug", help="Only for this edition's routes (its slug).")
@click.option(
    "--expires-in",
    "days",
    type=click.IntRange(1, 3650),
    help="Valid for this many days (default: until revoked).",
)
def token_create(email: str, label: str | None, slug: str | None, days: int | None) -> None:
    """Print a new API token for EMAIL (only its hash is kept: copy it now)."""
    try:
        organiser = organisers.get_by_email(db.session, email)
        edition = catalogue.get_edition(db.session, slug) if slug else None
    except DomainError as exc:
        raise click.ClickException(exc.message) from exc
    expires_at = utcnow() + timedelta(days=days) if days else None
    token = organisers.create_api_token(
        db.session, organiser, label, edition=edition, expires_at=expires_at
    )
    db.session.commit()
    click.echo(token)
    scope = f"edition {edition.slug}" if edition else "every edition"
    until = f"until {expires_at:%Y-%m-%d %H:%M} UTC" if expires_at else "until revoked"
    click.echo(f"Valid for {scope}, {until}.", err=True)


@token_cli.command("revoke")
@click.argument("email")
def token_revoke(email: str) -> None:
    """Revoke every API token of EMAIL."""
    try:
        count = organisers.revoke_tokens(db.session, email, now=utcnow())
    except DomainError as exc:
        raise click.ClickException(exc.message) from exc
    db.session.commit()
    click.echo(f"{count} token(s) revoked")
