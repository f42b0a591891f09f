"""``flask --app school speakers invite``: each speaker's private link, by e-mail."""

from __future__ import annotations

import click
from flask import current_app
from flask.cli import AppGroup

from school.database import utcnow
from school.extensions import db
from school.services.errors import NotFound
from school.services.mail import outbox
from school.services.programme import catalogue, speakers
from school.urls import absolute_url

speakers_cli = AppGroup("speakers", help="The speakers' corner.")


@speakers_cli.command("invite")
@click.argument("slug")
@click.option("--again", is_flag=True, help="Also write to speakers already invited.")
def speakers_invite(slug: str, again: bool) -> None:
    """E-mail each speaker of SLUG the link to their page, in their language."""
    try:
        edition = catalogue.get_edition(db.session, slug)
    except NotFound as exc:
        raise click.ClickException(exc.message) from exc
    report = speakers.invite(
        db.session,
        edition,
        link_for=lambda p: absolute_url("speaker.corner", token=p.speaker_token),
        now=utcnow(),
        again=again,
    )
    db.session.commit()
    invited, already = len(report.invited), len(report.already_invited)
    without = [f"{p.full_name} ({p.key})" for p in report.without_email]
    click.echo(f"{invited} speaker(s) invited.")
    if already:
        click.echo(
            f"{already} already invited, not written to again (--again to write to them too)."
        )
    if without:
        click.echo(f"{len(without)} speaker(s) have no e-mail address:", err=True)
        for name in without:
            click.echo(f"  {name}", err=True)
    if report.without_session:
        click.echo(f"{len(report.without_session)} speaker(s) in no session yet, not written to:")
        for person in report.without_session:
            click.echo(f"  {person.full_name} ({person.key})")
    if invited:
        done = outbox.send_due(current_app, db.session)
        click.echo(
            f"{done.sent} e-mail(s) sent, {done.failed} failed for good,"
            f" {done.retrying} kept for a later attempt."
        )
