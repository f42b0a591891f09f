"""Cancelling a registration (by its participant or an organiser), said before it is done,
and undone: what a cancellation will free (seats given to the waiting lines, an e-mail to the
participant), and reinstating a cancelled registration (its sessions asked for again:
the seat if one is still free, else a place in the waiting line)."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

import sqlalchemy as sa
from flask_babel import gettext as _
from sqlalchemy.orm import Session as DbSession

from school.models import Choice, Edition, Organiser, Registration, Session
from school.models.vocabulary import ChoiceStatus, RegistrationStatus
from school.services.email_addresses import email_key
from school.services.errors import DomainError
from school.services.mail import notifications
from school.services.programme import lifecycle
from school.services.registration import access, history, seats
from school.services.registration.rules import choices_summary, take_places


@dataclass(frozen=True)
class Freed:
    """A session the registration holds and what its cancellation does there."""

    session: Session
    confirmed: bool
    waiting: int  # people in the waiting line (the first of them gets the seat)


@dataclass(frozen=True)
class CancellationPreview:
    freed: list[Freed]
    email: str

    @property
    def seats_to_waiting_line(self) -> int:
        return sum(1 for item in self.freed if item.confirmed and item.waiting)


def preview(db: DbSession, registration: Registration) -> CancellationPreview:
    """What cancelling ``registration`` would do, changing nothing."""
    choices = sorted(registration.choices, key=lambda c: (c.session.starts_at, c.session_id))
    ids = [c.session_id for c in choices]
    waiting = dict(
        db.execute(
            sa.select(Choice.session_id, sa.func.count())
            .where(Choice.session_id.in_(ids), Choice.status == ChoiceStatus.WAITLISTED)
            .where(Choice.registration_id != registration.id)
            .group_by(Choice.session_id)
        ).all()
    ) if ids else {}  # fmt: skip
    return CancellationPreview(
        [Freed(c.session, c.is_confirmed, waiting.get(c.session_id, 0)) for c in choices],
        registration.email,
    )


def held_before(db: DbSession, registration: Registration) -> list[tuple[Session, str]]:
    """The sessions a cancelled registration held, with the status each had."""
    kept = registration.cancelled_choices or []
    ids = [item["session_id"] for item in kept]
    sessions = {s.id: s for s in db.scalars(sa.select(Session).where(Session.id.in_(ids)))}
    return [
        (sessions[item["session_id"]], item["status"])
        for item in kept
        if item["session_id"] in sessions
    ]


@dataclass(frozen=True)
class Cancelled:
    registration: Registration
    promoted: list[Choice]  # the seats it freed, given to the first in line


def cancel(
    db: DbSession, registration: Registration, *, now: datetime, actor: Organiser | None = None
) -> Cancelled:
    """Cancel entirely: every seat goes to the waiting lines; the badge stops working."""
    if registration.is_cancelled:
        return Cancelled(registration, [])
    registration_id = registration.id
    seats.lock_edition(db, registration.edition_id)
    registration = db.get(Registration, registration_id)
    freed = [c.session_id for c in registration.choices if c.is_confirmed]
    registration.cancelled_choices = [
        {"session_id": c.session_id, "status": c.status}
        for c in sorted(registration.choices, key=lambda c: (c.session.starts_at, c.session_id))
    ]
    registration.choices.clear()
    registration.status = RegistrationStatus.CANCELLED
    registration.cancelled_at = now
    registration.updated_at = now
    db.flush()
    promoted = seats.promote_waitlist(db, freed, now=now)
    notifications.promotions(db, promoted, now=now)
    notifications.cancellation(
        db,
        registration,
        now=now,
        seats_freed=len(freed),
        may_register_again=lifecycle.state_of(registration.edition, now).registration_open,
    )
    if actor is not None:
        history.record(db, actor, "registration.cancelled", registration, {"freed": freed}, now=now)
    return Cancelled(registration, promoted)


def answers_to_offer_again(db: DbSession, edition: Edition, token: str | None) -> dict:
    """What someone who cancelled finds in the form again when they come back from their
    private page: their answers, not their consents (given anew), nor a category the
    organisers gave (the public form cannot prove it). Nothing for any link but a
    cancelled registration's of this edition."""
    if not token or len(token) > 64:
        return {}
    before = db.scalar(
        sa.select(Registration).where(
            Registration.manage_token == token,
            Registration.edition_id == edition.id,
            Registration.status == RegistrationStatus.CANCELLED,
        )
    )
    if before is None:
        return {}
    names = ("first_name", "last_name", "email", "organisation", "cite", "country")
    answers = {name: getattr(before, name) or "" for name in names}
    answers |= {
        "dietary": before.dietary or "",
        "accessibility": before.accessibility or "",
        "language": before.language,
    }
    if before.category in access.PUBLIC_CATEGORIES:
        answers["category"] = before.category
    return answers


def reinstate(
    db: DbSession, registration: Registration, *, now: datetime, actor: Organiser
) -> Registration:
    """Bring a cancelled registration back, with the sessions it held: a seat where one
    is still free, else a place at the end of the waiting line. The participant is sent
    their confirmation again."""
    if not registration.is_cancelled:
        raise DomainError(_("This registration is not cancelled."), code="not_cancelled")
    registration_id = registration.id
    seats.lock_edition(db, registration.edition_id)
    registration = db.get(Registration, registration_id)
    if registration.email_key != email_key(registration.email):
        # The address registered again after the cancellation (a new registration with its
        # own link): two live registrations for one address would be one too many.
        raise DomainError(
            _("This address has registered again since: change the new registration instead."),
            code="registered_again",
        )
    wanted = [
        session
        for session, _status in held_before(db, registration)
        if not (session.is_cancelled or session.is_meal)
    ]
    # Meals kept through the cancellation count again, so they are taken again against
    # their capacity; one now full is left out (the confirmation lists the meals kept).
    meals = [m.session_id for m in registration.meals if not m.session.is_cancelled]
    registration.meals.clear()
    registration.status = RegistrationStatus.CONFIRMED
    registration.cancelled_at = None
    registration.cancelled_choices = None
    registration.updated_at = now
    db.flush()
    places = take_places(db, registration, wanted, meals, now, skip_full_meals=True)
    left_out = places.meals_left_out
    notifications.confirmation(db, registration, now=now)
    details = {
        "after": choices_summary(registration),
        **({"meals_full": [m.id for m in left_out]} if left_out else {}),
    }
    history.record(db, actor, "registration.reinstated", registration, details, now=now)
    db.flush()
    return registration
