"""The e-mails participants receive about their registration, in their language."""

from __future__ import annotations

from datetime import datetime

import sqlalchemy as sa
from sqlalchemy.orm import Session as DbSession

from school.models import Choice, Registration, RegistrationDay, RegistrationMeal, Session
from school.models.vocabulary import RegistrationStatus
from school.services import badges, mailer, seats
from school.urls import absolute_url


def _links(registration: Registration) -> dict[str, str]:
    manage = absolute_url("participant.manage", token=registration.manage_token)
    return {
        "manage_url": manage,
        "badge_url": badges.badge_url(registration),
        "agenda_url": absolute_url("participant.agenda", token=registration.manage_token),
    }


def _summary(db: DbSession, registration: Registration) -> dict:
    choices = sorted(registration.choices, key=lambda c: c.session.starts_at)
    positions = seats.waitlist_positions(db, [c.session_id for c in choices if not c.is_confirmed])
    return {
        "choices": [(c, positions.get(c.id)) for c in choices],
        "meals": sorted((m.session for m in registration.meals), key=lambda s: s.starts_at),
    }


def confirmation(db: DbSession, registration: Registration, *, now: datetime) -> None:
    mailer.queue_mail(
        db,
        to=registration.email,
        template="registration_confirmed",
        language=registration.language,
        purpose="confirmation",
        now=now,
        registration=registration,
        edition=registration.edition,
        **_links(registration),
        **_summary(db, registration),
    )


def link_reminder(db: DbSession, registration: Registration, *, now: datetime) -> None:
    mailer.queue_mail(
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
        mailer.queue_mail(
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


def cancellation(db: DbSession, registration: Registration, *, now: datetime) -> None:
    mailer.queue_mail(
        db,
        to=registration.email,
        template="registration_cancelled",
        language=registration.language,
        purpose="cancellation",
        now=now,
        registration=registration,
        edition=registration.edition,
    )


def moved_to_waitlist(db: DbSession, choices: list[Choice], *, now: datetime) -> None:
    """The organisers lowered a session's capacity below its seats: say so, and where
    the participant now stands in line."""
    positions = seats.waitlist_positions(db, [c.session_id for c in choices])
    for choice in choices:
        registration = choice.registration
        mailer.queue_mail(
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


def session_changed(db: DbSession, session: Session, *, now: datetime) -> int:
    """“Your session moved”: tell the participants concerned by a session's new time,
    room or status. Concerned: those holding a seat or a place in line; for a meal,
    those taking it; for a session open to all, everyone attending that day.
    (Issue 9 replaces this with batched change notices.)"""
    edition = session.edition
    concerned = sa.select(Registration).where(
        Registration.edition_id == edition.id,
        Registration.status == RegistrationStatus.CONFIRMED,
    )
    if session.is_offered_for_choice:
        concerned = concerned.where(
            sa.exists().where(
                Choice.registration_id == Registration.id, Choice.session_id == session.id
            )
        )
    elif session.is_meal:
        concerned = concerned.where(
            sa.exists().where(
                RegistrationMeal.registration_id == Registration.id,
                RegistrationMeal.session_id == session.id,
            )
        )
    else:
        day = session.starts_at.astimezone(edition.tz).date()
        concerned = concerned.where(
            sa.exists().where(
                RegistrationDay.registration_id == Registration.id, RegistrationDay.date == day
            )
        )
    registrations = db.scalars(concerned.order_by(Registration.id)).all()
    for registration in registrations:
        mailer.queue_mail(
            db,
            to=registration.email,
            template="session_changed",
            language=registration.language,
            purpose="session_changed",
            now=now,
            flush=False,
            registration=registration,
            edition=edition,
            session=session,
            **_links(registration),
        )
    db.flush()
    return len(registrations)
