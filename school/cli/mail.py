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


def _said(done: outbox.Round) -> str:
    return f"{done.sent} sent, {done.failed} failed for good, {done.retrying} to retry later"


@mail_cli.command("send")
def mail_send() -> None:
    """Send every message that is due (what a mail server outage delayed).

    Exits with 1 when a message was not delivered: given up for good (the organisers
    see it with its reason and may resend it once the address is fixed), or kept for a
    later attempt (refused for now, or the server is down).
    """
    _announce_quiet_changes()
    done = outbox.Round()
    while True:  # rounds of at most 500, until nothing is due or the server is down
        this = outbox.send_due(current_app, db.session)
        done.add(this)
        if not this.handled or this.unreachable:
            break
    click.echo(_said(done))
    if done.unreachable:
        click.echo("The mail server could not be reached: what is left waits.", err=True)
    if done.failed or done.retrying:
        sys.exit(1)


@mail_cli.command("worker")
@click.option("--every", default=15, show_default=True, help="Seconds between two rounds.")
def mail_worker(every: int) -> None:
    """Send the outbox continuously (run it beside the app server)."""
    while True:
        _announce_quiet_changes()
        done = outbox.send_due(current_app, db.session)
        if done.handled:
            click.echo(_said(done))
        db.session.remove()
        time.sleep(every)
