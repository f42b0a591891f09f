"""``flask --app school token …``: API tokens of staff accounts (scanners, scripts)."""

from __future__ import annotations

import click
from flask.cli import AppGroup

from school.database import utcnow
from school.extensions import db
from school.services.backoffice import organisers
from school.services.errors import DomainError

token_cli = AppGroup("token", help="API tokens of staff accounts (scanners, scripts).")


@token_cli.command("create")
@click.argument("email")
@click.option("--label", help="What the token is for, e.g. 'door phone 1'.")
def token_create(email: str, label: str | None) -> None:
    """Print a new API token for EMAIL (only its hash is kept: copy it now)."""
    try:
        organiser = organisers.get_by_email(db.session, email)
    except DomainError as exc:
        raise click.ClickException(exc.message) from exc
    token = organisers.create_api_token(db.session, organiser, label)
    db.session.commit()
    click.echo(token)


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
