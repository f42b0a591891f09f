"""``flask --app school survey …``: invite those who came to the satisfaction survey, and
remind those who have not answered."""

from __future__ import annotations

import click
from flask import current_app
from flask.cli import AppGroup

from school.database import utcnow
from school.extensions import db
from school.services.aftercare import invitations
from school.services.errors import DomainError
from school.services.mail import outbox
from school.services.programme import catalogue

survey_cli = AppGroup("survey", help="The satisfaction survey sent after the School.")


def _edition(slug: str):
    try:
        return catalogue.get_edition(db.session, slug)
    except DomainError as exc:
        raise click.ClickException(exc.message) from exc


def _send(count: int) -> None:
    if count:
        done = outbox.send_due(current_app, db.session)
        click.echo(
            f"{done.sent} e-mail(s) sent, {done.failed} failed for good,"
            f" {done.retrying} kept for a later attempt."
        )


@survey_cli.command("invite")
@click.argument("slug")
def survey_invite(slug: str) -> None:
    """E-mail the survey's private link to everyone checked in at SLUG who has not been
    invited yet (never to those who did not come)."""
    edition = _edition(slug)
    found = invitations.invite(db.session, edition, now=utcnow())
    db.session.commit()
    click.echo(f"{found.sent} person(s) invited; {found.skipped} already invited before.")
    _send(found.sent)


@survey_cli.command("remind")
@click.argument("slug")
def survey_remind(slug: str) -> None:
    """Remind those invited to the survey of SLUG who have not answered yet."""
    edition = _edition(slug)
    found = invitations.remind(db.session, edition, now=utcnow())
    db.session.commit()
    click.echo(
        f"{found.sent} reminder(s) queued; {found.skipped} written to less than"
        f" {int(invitations.REMIND_AFTER.total_seconds() // 3600)} hours ago."
    )
    _send(found.sent)
