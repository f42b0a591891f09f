"""``flask --app school badges …`` and ``speakers …``: printing badges, inviting speakers."""

from __future__ import annotations

from pathlib import Path

import click
from flask import current_app
from flask.cli import AppGroup

from school.database import utcnow
from school.extensions import db
from school.services import badges, mailer, programme, speakers
from school.services.badge_pdf import SHEET_DEFAULT, SIZES
from school.services.errors import DomainError, NotFound
from school.urls import absolute_url

badges_cli = AppGroup("badges", help="Participants' badges.")
speakers_cli = AppGroup("speakers", help="The speakers' corner.")


@badges_cli.command("print")
@click.argument("slug")
@click.option(
    "--category",
    "categories",
    multiple=True,
    help="Only this category (member, partner, guest, speaker, staff, press); repeatable.",
)
@click.option("--day", type=click.DateTime(["%Y-%m-%d"]), help="Only those attending this day.")
@click.option("--size", type=click.Choice(sorted(SIZES)), default=SHEET_DEFAULT, show_default=True)
@click.option("-o", "--output", type=click.Path(dir_okay=False, path_type=Path), required=True)
def badges_print(slug: str, categories: tuple[str, ...], day, size: str, output: Path) -> None:
    """Print the badges of the confirmed participants of SLUG on A4 sheets, by last name."""
    try:
        edition = programme.get_edition(db.session, slug)
        chosen = badges.registrations_to_print(
            db.session, edition, categories=categories, day=day.date() if day else None
        )
    except DomainError as exc:
        raise click.ClickException(exc.message) from exc
    if not chosen:
        raise click.ClickException("no confirmed registration matches: nothing to print")
    output.write_bytes(badges.pdf_for(chosen, size=size, sheet=True))
    click.echo(f"{len(chosen)} badges written to {output}")


@speakers_cli.command("invite")
@click.argument("slug")
@click.option("--again", is_flag=True, help="Also write to speakers already invited.")
def speakers_invite(slug: str, again: bool) -> None:
    """E-mail each speaker of SLUG the link to their page, in their language."""
    try:
        edition = programme.get_edition(db.session, slug)
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
    if invited:
        sent, failed = mailer.send_pending(
            db.session, mailer.transport_for(current_app), current_app.config["MAIL_SENDER"]
        )
        click.echo(f"{sent} e-mail(s) sent, {failed} failed (kept for a later attempt).")
