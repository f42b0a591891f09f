"""The private link sent again by e-mail, when someone asks for it: registering an address
already registered, or "I lost my link". At most one such e-mail goes to an address in
a while (``LINK_EMAIL_INTERVAL_MINUTES``), however often it is asked for: nobody can
flood an inbox through the form or the API. An organiser's "resend" is not limited."""

from __future__ import annotations

from datetime import datetime, timedelta

import sqlalchemy as sa
from flask import current_app, has_app_context
from flask_babel import gettext as _
from sqlalchemy.orm import Session as DbSession

from school.database import begin_write, lock_rows
from school.models import Edition, OutboxMessage, Registration
from school.models.vocabulary import RegistrationStatus
from school.services.email_addresses import email_key, normalized_email
from school.services.errors import DomainError
from school.services.mail import notifications

DEFAULT_INTERVAL_MINUTES = 5
PURPOSE = "link"  # the purpose of the messages notifications.link_reminder queues


def interval() -> timedelta:
    minutes = DEFAULT_INTERVAL_MINUTES
    if has_app_context():
        minutes = current_app.config.get("LINK_EMAIL_INTERVAL_MINUTES", minutes)
    return timedelta(minutes=float(minutes))


def send_link(db: DbSession, registration: Registration, *, now: datetime) -> bool:
    """Queue the link e-mail, unless one was queued to this address (in any edition)
    within the interval. Says whether it was queued; the caller tells nobody.

    The registration's row is locked first, whichever way the link was asked for (an
    address registered again, or "I lost my link"): two requests at once send one e-mail."""
    begin_write(db)
    db.scalar(lock_rows(db, sa.select(Registration.id).where(Registration.id == registration.id)))
    recent = db.scalar(
        sa.select(OutboxMessage.id)
        .join(Registration, OutboxMessage.registration_id == Registration.id)
        .where(
            Registration.email_key == registration.email_key,
            OutboxMessage.purpose == PURPOSE,
            OutboxMessage.created_at > now - interval(),
        )
        .limit(1)
    )
    if recent is not None:
        return False
    notifications.link_reminder(db, registration, now=now)
    return True


def send_lost_link(db: DbSession, edition: Edition, email: str, *, now: datetime) -> None:
    """E-mail the private link if the address is registered; say nothing either way.
    (``send_link`` locks the registration's row, so requests at once send one e-mail.)
    What is not an address at all is refused, as on the registration form: "if a
    registration exists for ``not an email``, we sent it" would tell nobody anything."""
    email = email.strip()
    if not email:
        raise DomainError(_("Please give your e-mail address."), code="invalid", field="email")
    if normalized_email(email) is None:
        raise DomainError(
            _("This does not look like an e-mail address."), code="invalid", field="email"
        )
    begin_write(db)
    registration = db.scalar(
        lock_rows(
            db,
            sa.select(Registration).where(
                Registration.edition_id == edition.id,
                Registration.email_key == email_key(email),
                Registration.status == RegistrationStatus.CONFIRMED,
            ),
        )
    )
    if registration is not None:
        send_link(db, registration, now=now)
