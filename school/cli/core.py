"""``flask --app school …`` commands. Each runs one service call and commits once."""

from __future__ import annotations

import sys
import time
from datetime import timedelta
from pathlib import Path

import click
import sqlalchemy as sa
from flask import Flask, current_app
from flask.cli import AppGroup

from school.database import utcnow
from school.extensions import db
from school.models import Session
from school.paths import DEMO_FILE
from school.services import change_notices, mailer, programme_io, programme_rules
from school.services.programme_file import ProgrammeFileError

programme_cli = AppGroup("programme", help="Import and export programme files.")
demo_cli = AppGroup("demo", help="The demo edition (Spring School 2019).")
mail_cli = AppGroup("mail", help="The outbox of e-mails.")


def _import(path: Path) -> None:
    try:
        edition = programme_io.import_file(db.session, path)
        db.session.commit()
    except ProgrammeFileError as exc:
        db.session.rollback()
        click.echo(str(exc), err=True)
        sys.exit(1)
    click.echo(f"Imported {edition.slug} from {path}")
    sessions = db.session.scalars(sa.select(Session).where(Session.edition_id == edition.id))
    for first, second in programme_rules.room_clashes(sessions):
        click.echo(
            f"warning: {first.key} and {second.key} are in the same room at the same time",
            err=True,
        )


@programme_cli.command("import")
@click.argument("path", type=click.Path(exists=True, dir_okay=False, path_type=Path))
def programme_import(path: Path) -> None:
    """Create or update the edition described in PATH (refused as a whole if wrong)."""
    _import(path)


@programme_cli.command("export")
@click.argument("slug")
@click.option("-o", "--output", type=click.Path(dir_okay=False, path_type=Path))
def programme_export(slug: str, output: Path | None) -> None:
    """Write the edition SLUG as a programme file (to stdout, or -o FILE)."""
    try:
        text = programme_io.export_text(db.session, slug)
    except LookupError as exc:
        raise click.ClickException(str(exc)) from exc
    if output:
        output.write_text(text, encoding="utf-8")
    else:
        click.echo(text, nl=False)


@demo_cli.command("load")
def demo_load() -> None:
    """Import the Spring School 2019 (idempotent)."""
    _import(DEMO_FILE)


def _announce_quiet_changes() -> None:
    """Programme changes nobody announced, once the editing has been quiet for a while."""
    quiet = timedelta(minutes=current_app.config["CHANGE_NOTICE_QUIET_MINUTES"])
    told = change_notices.notify_quiet(db.session, now=utcnow(), quiet=quiet)
    if told:
        click.echo(f"{told} people told of programme changes")


@mail_cli.command("send")
def mail_send() -> None:
    """Send every message that is due (what a mail server outage delayed)."""
    _announce_quiet_changes()
    transport, sender = mailer.transport_for(current_app), current_app.config["MAIL_SENDER"]
    sent = failed = 0
    while True:  # rounds of at most 500, until nothing is due or the server fails
        done, lost = mailer.send_pending(db.session, transport, sender)
        sent, failed = sent + done, failed + lost
        if not done or lost:
            break
    click.echo(f"{sent} sent, {failed} failed (kept for a later attempt)")
    if failed:
        sys.exit(1)


@mail_cli.command("worker")
@click.option("--every", default=15, show_default=True, help="Seconds between two rounds.")
def mail_worker(every: int) -> None:
    """Send the outbox continuously (run it beside the app server)."""
    transport = mailer.transport_for(current_app)
    while True:
        _announce_quiet_changes()
        sent, failed = mailer.send_pending(db.session, transport, current_app.config["MAIL_SENDER"])
        if sent or failed:
            click.echo(f"{sent} sent, {failed} failed")
        db.session.remove()
        time.sleep(every)


def register(app: Flask) -> None:
    from school.cli_attendance import attendance_cli
    from school.cli_deploy import backup_cli, deploy_cli
    from school.cli_organisers import organiser_cli, token_cli
    from school.cli_people import badges_cli, speakers_cli
    from school.cli_privacy import privacy_cli
    from school.cli_registrations import registrations_cli

    app.cli.add_command(organiser_cli)
    app.cli.add_command(token_cli)
    app.cli.add_command(registrations_cli)
    app.cli.add_command(badges_cli)
    app.cli.add_command(speakers_cli)
    app.cli.add_command(attendance_cli)
    app.cli.add_command(programme_cli)
    app.cli.add_command(demo_cli)
    app.cli.add_command(mail_cli)
    app.cli.add_command(privacy_cli)
    app.cli.add_command(deploy_cli)
    app.cli.add_command(backup_cli)
