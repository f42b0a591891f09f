"""``flask --app school organiser …``: staff accounts (admin or checkin)."""

from __future__ import annotations

import secrets

import click
from flask.cli import AppGroup
from flask_babel import force_locale

from school.database import utcnow
from school.extensions import db
from school.models.vocabulary import OrganiserRole
from school.services.backoffice import organisers
from school.services.errors import DomainError

organiser_cli = AppGroup("organiser", help="Staff accounts (admin or checkin).")


@organiser_cli.command("create")
@click.argument("email")
@click.option("--role", type=click.Choice([r.value for r in OrganiserRole]), required=True)
@click.option(
    "--password",
    help="At least 12 characters and hard to guess; leave out to get a generated one, "
    "printed once.",
)
@click.option("--name")
def create(email: str, role: str, password: str | None, name: str | None) -> None:
    """Create a staff account."""
    generated = password is None
    password = password or secrets.token_urlsafe(18)
    try:
        with force_locale("en"):
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
@click.password_option(help="At least 12 characters and hard to guess.")
def password(email: str, password: str) -> None:
    """Set a new password; the account is signed out on every device."""
    try:
        with force_locale("en"):
            organiser = organisers.get_by_email(db.session, email)
            ended = organisers.set_password(db.session, organiser, password, now=utcnow())
    except DomainError as exc:
        raise click.ClickException(exc.message) from exc
    db.session.commit()
    click.echo(f"Password changed; {ended} login session(s) ended")


@organiser_cli.command("sign-out")
@click.argument("email")
def sign_out(email: str) -> None:
    """Sign EMAIL out on every device (its API tokens stay: see `token revoke`)."""
    try:
        organiser = organisers.get_by_email(db.session, email)
    except DomainError as exc:
        raise click.ClickException(exc.message) from exc
    ended = organisers.sign_out_everywhere(db.session, organiser, now=utcnow())
    db.session.commit()
    click.echo(f"{ended} login session(s) ended")
