"""Messages the outbox gave up on, as the organisers see them: which, to whom, why; and
sending one again once its address has been corrected."""

from __future__ import annotations

from datetime import datetime

import sqlalchemy as sa
from flask_babel import gettext as _
from sqlalchemy.orm import Session as DbSession

from school.models import Edition, OutboxMessage, Registration
from school.services import audit
from school.services.errors import DomainError, NotFound
from school.services.mail import outbox, writing

SHOWN = 200  # the newest failures listed on a page


def failed_messages(db: DbSession, edition: Edition) -> list[OutboxMessage]:
    """The edition's messages given up for good, newest first."""
    return list(
        db.scalars(
            sa.select(OutboxMessage)
            .where(OutboxMessage.edition_id == edition.id, outbox.is_given_up())
            .order_by(OutboxMessage.failed_at.desc(), OutboxMessage.id.desc())
            .limit(SHOWN)
        )
    )


def count_failed(db: DbSession, edition: Edition) -> int:
    return db.scalar(
        sa.select(sa.func.count()).where(
            OutboxMessage.edition_id == edition.id, outbox.is_given_up()
        )
    )


def get_message(db: DbSession, edition: Edition, message_id: int) -> OutboxMessage:
    message = db.scalar(
        sa.select(OutboxMessage).where(
            OutboxMessage.id == message_id, OutboxMessage.edition_id == edition.id
        )
    )
    if message is None:
        raise NotFound(_("This message does not exist."))
    return message


def resend(db: DbSession, message: OutboxMessage, *, now: datetime, actor) -> OutboxMessage:
    """Queue a given-up message again, to its participant's address as it is now (an
    organiser corrected it), with all its attempts ahead of it."""
    if message.sent_at is not None or message.failed_at is None:
        raise DomainError(_("Only a message that could not be delivered can be resent."))
    if message.registration_id is not None:
        registration = db.get(Registration, message.registration_id)
        if registration is not None:
            message.to_address = registration.email
    before = {"failure": message.failure, "error": message.last_error}
    message.failed_at = message.failure = message.last_error = message.claimed_until = None
    message.attempts = 0
    message.send_after = now
    writing.mark_queued(db)
    audit.record(
        db,
        actor,
        "mail.resent",
        f"registration:{message.registration_id}"
        if message.registration_id
        else f"outbox:{message.id}",
        {"subject": message.subject, "to": message.to_address, **before},
        edition=message.edition_id,
        now=now,
    )
    db.flush()
    return message
