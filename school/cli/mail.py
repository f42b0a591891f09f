"""``flask --app school mail …``: sending the outbox, once or continuously."""

from __future__ import annotations

import sys
import time
from datetime import timedelta

import click
from flask import current_app
from flask.cli import AppGroup

from school.database import utcnow
from school.extensions import db
from school.services.mail import change_notices, outbox

mail_cli = AppGroup("mail", help="The outbox of e-mails.")


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
    transport, sender = outbox.transport_for(current_app), current_app.config["MAIL_SENDER"]
    sent = failed = 0
    while True:  # rounds of at most 500, until nothing is due or the server fails
        done, lost = outbox.send_pending(db.session, transport, sender)
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
    transport = outbox.transport_for(current_app)
    while True:
        _announce_quiet_changes()
        sent, failed = outbox.send_pending(db.session, transport, current_app.config["MAIL_SENDER"])
        if sent or failed:
            click.echo(f"{sent} sent, {failed} failed")
        db.session.remove()
        time.sleep(every)
