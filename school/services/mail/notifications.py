"""The e-mails participants receive about their registration, in their language."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy.orm import Session as DbSession

from school.models import Choice, Registration
from school.services.badges import printing
from school.services.mail import writing
from school.services.registration import groups, waiting_lines
from school.urls import absolute_url


def _links(registration: Registration) -> dict[str, str]:
    manage = absolute_url("participant.manage", token=registration.manage_token)
    return {
        "manage_url": manage,
        "badge_url": printing.badge_url(registration),
        "agenda_url": absolute_url("participant.agenda", token=registration.manage_token),
    }


def _summary(db: DbSession, registration: Registration) -> dict:
    """What the registration holds, each place in line as the line stands now."""
    return {
        "choices": waiting_lines.choices_in_line(db, registration),
        "meals": sorted((m.session for m in registration.meals), key=lambda s: s.starts_at),
        "ranked": groups.pending_rankings(registration),
    }


def confirmation(db: DbSession, registration: Registration, *, now: datetime) -> None:
    """Queue the confirmation, written by the sender: nobody registering waits for two
    templates to render (``writing.queue_to_write``)."""
    writing.queue_to_write(
        db, registration, template="registration_confirmed", purpose="confirmation", now=now
    )


@writing.renders("registration_confirmed")
def _confirmation(db: DbSession, registration: Registration) -> dict:
    return {**_links(registration), **_summary(db, registration)}


def link_reminder(db: DbSession, registration: Registration, *, now: datetime) -> None:
    writing.queue_mail(
        db,
        to=registration.email,
        template="registration_link",
        language=registration.language,
        purpose="link",
        now=now,
        registration=registration,
        edition=registration.edition,
        **_links(registration),
    )


def promotions(db: DbSession, promoted: list[Choice], *, now: datetime) -> None:
    for choice in promoted:
        registration = choice.registration
        writing.queue_mail(
            db,
            to=registration.email,
            template="waitlist_promoted",
            language=registration.language,
            purpose="promotion",
            now=now,
            registration=registration,
            edition=registration.edition,
            session=choice.session,
            **_links(registration),
        )


def cancellation(
    db: DbSession,
    registration: Registration,
    *,
    now: datetime,
    seats_freed: int,
    may_register_again: bool,
) -> None:
    """Say what the cancellation did: seats are spoken of only when it held some, and
    registering again only while the edition takes registrations."""
    register_url = None
    if may_register_again:
        register_url = absolute_url("registration.form", slug=registration.edition.slug)
    writing.queue_mail(
        db,
        to=registration.email,
        template="registration_cancelled",
        language=registration.language,
        purpose="cancellation",
        now=now,
        registration=registration,
        edition=registration.edition,
        seats_freed=seats_freed,
        register_url=register_url,
    )


def moved_to_waitlist(db: DbSession, choices: list[Choice], *, now: datetime) -> None:
    """The organisers lowered a session's capacity below its seats: say so, and where
    the participant now stands in line."""
    positions = waiting_lines.waitlist_positions(db, [c.session_id for c in choices])
    for choice in choices:
        registration = choice.registration
        writing.queue_mail(
            db,
            to=registration.email,
            template="moved_to_waitlist",
            language=registration.language,
            purpose="moved_to_waitlist",
            now=now,
            registration=registration,
            edition=registration.edition,
            session=choice.session,
            position=positions.get(choice.id),
            **_links(registration),
        )


def choices_changed(db: DbSession, registration: Registration, changes: list, *, now) -> None:
    """One short e-mail for one change made on the participant's page: what changed
    (``self_service.Change``: a seat left, taken, or a place in a waiting line)."""
    writing.queue_mail(
        db,
        to=registration.email,
        template="choices_changed",
        language=registration.language,
        purpose="choices_changed",
        now=now,
        registration=registration,
        edition=registration.edition,
        changes=changes,
        **_links(registration),
    )
