"""``flask --app school organiser …``: staff accounts (admin or checkin)."""

from __future__ import annotations

import secrets

import click
from flask.cli import AppGroup

from school.extensions import db
from school.models.vocabulary import OrganiserRole
from school.services.backoffice import organisers
from school.services.errors import DomainError

organiser_cli = AppGroup("organiser", help="Staff accounts (admin or checkin).")


@organiser_cli.command("create")
@click.argument("email")
@click.option("--role", type=click.Choice([r.value for r in OrganiserRole]), required=True)
@click.option("--password", help="Leave out to get a generated one, printed once.")
@click.option("--name")
def create(email: str, role: str, password: str | None, name: str | None) -> None:
    """Create a staff account."""
    generated = password is None
    password = password or secrets.token_urlsafe(12)
    try:
        organiser = organisers.create_organiser(db.session, email, role, password, name)
    except DomainError as exc:
        raise click.ClickException(exc.message) from exc
    address = organiser.email
    db.session.commit()
    click.echo(f"Created {role} account {address}")
    if generated:
        click.echo(f"Password (shown once): {password}")


@organiser_cli.command("password")
@click.argument("email")
@click.password_option()
def password(email: str, password: str) -> None:
    """Set a new password."""
    try:
        organisers.set_password(organisers.get_by_email(db.session, email), password)
    except DomainError as exc:
        raise click.ClickException(exc.message) from exc
    db.session.commit()
    click.echo("Password changed")
