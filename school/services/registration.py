"""Registrations: every rule about who comes, on which days, and who gets which seat.

The form, the JSON API and the CLI all call these functions. They take the database
session, the data, who acts and when; they ``flush()`` and the caller commits once.
Seats are decided under the edition lock (see ``seats``).
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

import sqlalchemy as sa
from flask_babel import gettext as _
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session as DbSession
from sqlalchemy.orm import selectinload

from school import i18n
from school.database import utcnow
from school.models import (
    Choice,
    Edition,
    Registration,
    RegistrationDay,
    RegistrationMeal,
    Session,
    SessionGroup,
)
from school.models.vocabulary import Audience, Category, ChoiceStatus, RegistrationStatus
from school.services import groups, notifications, seats
from school.services.errors import DomainError, NotFound
from school.services.registration_data import Errors, RegistrationData, check_fields, email_key


class InvalidRegistration(DomainError):
    """Some fields are wrong: ``errors`` maps each field to its messages."""

    code = "invalid"

    def __init__(self, errors: Errors):
        super().__init__(_("Please correct the highlighted fields."))
        self.errors = errors


class RegistrationClosed(DomainError):
    code = "registration_closed"


class EditionFull(DomainError):
    code = "edition_full"


@dataclass
class Outcome:
    registration: Registration
    promoted: list[Choice]
    # False when the address was already registered: nothing was registered and
    # the private link of the existing registration was e-mailed again.
    created: bool = True


# -- reading


def get_by_manage_token(db: DbSession, token: str) -> Registration:
    """The registration behind a private link (the manage token)."""
    registration = None
    if token and len(token) <= 64:
        registration = db.scalar(
            sa.select(Registration)
            .where(Registration.manage_token == token)
            .options(
                selectinload(Registration.days),
                selectinload(Registration.meals),
                selectinload(Registration.choices).joinedload(Choice.session),
            )
        )
    if registration is None:
        raise NotFound("no registration for this link")
    return registration


def choosable_sessions(db: DbSession, edition: Edition) -> list[Session]:
    """Sessions a participant picks when registering: those that require registration
    or have limited seats; not the cancelled ones, not those by invitation only."""
    sessions = db.scalars(
        sa.select(Session)
        .where(
            Session.edition_id == edition.id,
            Session.status == "scheduled",
            Session.audience != Audience.INVITED,
            sa.or_(Session.requires_registration.is_(True), Session.capacity.is_not(None)),
        )
        .options(selectinload(Session.room))
        .order_by(Session.starts_at, Session.id)
    ).all()
    return list(sessions)


def meal_sessions(db: DbSession, edition: Edition) -> list[Session]:
    return list(
        db.scalars(
            sa.select(Session)
            .where(
                Session.edition_id == edition.id,
                Session.is_meal.is_(True),
                Session.status == "scheduled",
            )
            .order_by(Session.starts_at)
        )
    )


def registration_window_error(edition: Edition, now: datetime) -> str | None:
    """Why registration is not possible right now, or None."""
    tz = edition.tz
    if edition.registration_opens_at and now < edition.registration_opens_at:
        return _(
            "Registration opens on %(when)s.",
            when=i18n.local_datetime(edition.registration_opens_at, tz, "long"),
        )
    if edition.registration_closes_at and now >= edition.registration_closes_at:
        return _(
            "Registration closed on %(when)s.",
            when=i18n.local_datetime(edition.registration_closes_at, tz, "long"),
        )
    return None


# -- changing


def register(db: DbSession, edition: Edition, data: RegistrationData, *, now: datetime) -> Outcome:
    """A new registration with its choices; the confirmation e-mail is queued.

    If the address is already registered, nothing is registered: the private link is
    e-mailed to that address again and the outcome says ``created=False``.
    """
    errors = check_fields(data, edition_dates=edition.dates)
    window = registration_window_error(edition, now)
    if window:
        raise RegistrationClosed(window)
    seats.lock_edition(db, edition.id)
    edition = db.get(Edition, edition.id)
    existing = db.scalar(
        sa.select(Registration).where(
            Registration.edition_id == edition.id,
            Registration.email_key == email_key(data.email),
        )
    )
    if existing is not None and not existing.is_cancelled and not errors.get("email"):
        notifications.link_reminder(db, existing, now=now)
        return Outcome(existing, [], created=False)
    if edition.capacity is not None and (
        seats.confirmed_registrations(db, edition.id) >= edition.capacity
    ):
        raise EditionFull(
            _(
                "The School is full. Please write to %(contact)s.",
                contact=edition.contact_email or _("the organisers"),
            )
        )
    sessions = _sessions_by_id(db, edition, data.sessions + data.meals)
    errors = _merge(errors, _check_against_programme(data, edition, sessions, now))
    if errors:
        raise InvalidRegistration(errors)

    if existing is not None:  # a cancelled registration comes back to life
        registration = existing
        registration.status = RegistrationStatus.CONFIRMED
        registration.cancelled_at = None
        registration.choices.clear()
        db.flush()
    else:
        registration = Registration(edition_id=edition.id, created_at=now)
        db.add(registration)
    _apply_details(registration, data, now)
    registration.privacy_consent_at = now
    try:
        db.flush()
    except IntegrityError as exc:  # cannot happen under the lock; refuse cleanly if it does
        raise DomainError(_("This address is already registered."), code="duplicate") from exc
    _take_seats(db, registration, [sessions[i] for i in data.sessions], now)
    _rank(db, registration, data, now)
    notifications.confirmation(db, registration, now=now)
    return Outcome(registration, [])


def update(
    db: DbSession, registration: Registration, data: RegistrationData, *, now: datetime
) -> Outcome:
    """Change details, days, meals and choices under the same rules.

    Choices kept keep their seat or place in line; seats given up go to the waiting line.
    """
    edition = registration.edition
    errors = check_fields(data, edition_dates=edition.dates)
    if registration.is_cancelled:
        raise DomainError(_("This registration is cancelled."), code="cancelled")
    registration_id = registration.id
    seats.lock_edition(db, edition.id)
    registration = db.get(Registration, registration_id)
    edition = registration.edition
    other = db.scalar(
        sa.select(Registration.id).where(
            Registration.edition_id == edition.id,
            Registration.email_key == email_key(data.email),
            Registration.id != registration.id,
        )
    )
    if other is not None:
        errors.setdefault("email", []).append(_("Another registration uses this address."))
    sessions = _sessions_by_id(db, edition, data.sessions + data.meals)
    errors = _merge(errors, _check_against_programme(data, edition, sessions, now))
    if errors:
        raise InvalidRegistration(errors)

    wanted = set(data.sessions)
    dropped = [c for c in registration.choices if c.session_id not in wanted]
    freed = [c.session_id for c in dropped if c.is_confirmed]
    for choice in dropped:
        registration.choices.remove(choice)
    _apply_details(registration, data, now)
    db.flush()
    kept = {c.session_id for c in registration.choices}
    _take_seats(db, registration, [sessions[i] for i in data.sessions if i not in kept], now)
    _rank(db, registration, data, now)
    promoted = seats.promote_waitlist(db, freed, now=now)
    notifications.promotions(db, promoted, now=now)
    return Outcome(registration, promoted)


def cancel(db: DbSession, registration: Registration, *, now: datetime) -> Outcome:
    """Cancel entirely: every seat goes to the waiting lines; the badge stops working."""
    if registration.is_cancelled:
        return Outcome(registration, [])
    registration_id = registration.id
    seats.lock_edition(db, registration.edition_id)
    registration = db.get(Registration, registration_id)
    freed = [c.session_id for c in registration.choices if c.is_confirmed]
    registration.choices.clear()
    registration.status = RegistrationStatus.CANCELLED
    registration.cancelled_at = now
    registration.updated_at = now
    db.flush()
    promoted = seats.promote_waitlist(db, freed, now=now)
    notifications.promotions(db, promoted, now=now)
    notifications.cancellation(db, registration, now=now)
    return Outcome(registration, promoted)


def send_lost_link(db: DbSession, edition: Edition, email: str, *, now: datetime) -> None:
    """E-mail the private link if the address is registered; say nothing either way."""
    registration = db.scalar(
        sa.select(Registration).where(
            Registration.edition_id == edition.id,
            Registration.email_key == email_key(email),
            Registration.status == RegistrationStatus.CONFIRMED,
        )
    )
    if registration is not None:
        notifications.link_reminder(db, registration, now=now)


def data_of(registration: Registration) -> RegistrationData:
    """A registration as the data that would recreate it (to prefill a form)."""
    return RegistrationData(
        first_name=registration.first_name,
        last_name=registration.last_name,
        email=registration.email,
        organisation=registration.organisation,
        cite=registration.cite,
        country=registration.country,
        category=registration.category,
        language=registration.language,
        days=registration.attended_dates,
        meals=[m.session_id for m in registration.meals],
        sessions=[c.session_id for c in registration.choices],
        rankings=_rankings_of(registration),
        dietary=registration.dietary,
        accessibility=registration.accessibility,
        privacy_consent=True,
        photo_consent=registration.photo_consent,
    )


def _rankings_of(registration: Registration) -> dict[int, list[int | None]]:
    rankings: dict[int, list[int | None]] = {}
    for preference in sorted(registration.preferences, key=lambda p: p.rank):
        rankings.setdefault(preference.group_id, []).append(preference.session_id)
    return rankings


# -- the rules that need the programme


def _sessions_by_id(db: DbSession, edition: Edition, ids: list[int]) -> dict[int, Session]:
    if not ids:
        return {}
    found = db.scalars(
        sa.select(Session).where(Session.id.in_(ids), Session.edition_id == edition.id)
    ).all()
    return {s.id: s for s in found}


def _check_against_programme(
    data: RegistrationData, edition: Edition, sessions: dict[int, Session], now: datetime
) -> Errors:
    errors: Errors = {}
    tz = edition.tz
    lang = i18n.language()

    def add(name: str, message: str) -> None:
        errors.setdefault(name, []).append(message)

    for session_id in data.sessions:
        session = sessions.get(session_id)
        if session is None:
            add("sessions", _("Session %(id)s does not exist in this School.", id=session_id))
            continue
        title = session.text("title", lang)
        day = session.starts_at.astimezone(tz).date()
        if session.is_cancelled:
            add("sessions", _("“%(title)s” is cancelled.", title=title))
        elif session.audience == Audience.INVITED:
            add("sessions", _("“%(title)s” is by invitation only.", title=title))
        elif not session.is_offered_for_choice:
            add("sessions", _("“%(title)s” is open to all: no need to choose it.", title=title))
        elif session.audience == Audience.MEMBERS and data.category != Category.MEMBER:
            add("sessions", _("“%(title)s” is for network members only.", title=title))
        elif data.days and day not in data.days:
            add("sessions", _("“%(title)s” is on a day you do not attend.", title=title))
        elif groups.takes_preferences(session.group, now):
            add("sessions", _("“%(title)s” is allocated by preference: rank it.", title=title))
    for session_id in data.meals:
        session = sessions.get(session_id)
        if session is None or not session.is_meal or session.is_cancelled:
            add("meals", _("Meal %(id)s does not exist in this School.", id=session_id))
        elif data.days and session.starts_at.astimezone(tz).date() not in data.days:
            title = session.text("title", lang)
            add("meals", _("“%(title)s” is on a day you do not attend.", title=title))
    return errors


def _take_seats(
    db: DbSession, registration: Registration, wanted: list[Session], now: datetime
) -> None:
    """Confirmed while seats remain, else in the waiting line; never two confirmed
    seats at the same time (a waiting-line place may overlap a seat: a fallback)."""
    if not wanted:
        return
    taken = seats.seats_taken(db, [s.id for s in wanted])
    held = [c.session for c in registration.choices if c.is_confirmed]
    # The place in line is the moment the lock was granted, not when the request began:
    # the line then follows the order in which seats were decided.
    queued_at = max(now, utcnow())
    lang = i18n.language()
    conflicts: list[str] = []
    for session in sorted(wanted, key=lambda s: (s.starts_at, s.id)):
        has_seat = session.capacity is None or taken.get(session.id, 0) < session.capacity
        status = ChoiceStatus.CONFIRMED if has_seat else ChoiceStatus.WAITLISTED
        if has_seat:
            clash = next((other for other in held if seats.overlapping(session, other)), None)
            if clash is not None:
                conflicts.append(
                    _(
                        "“%(first)s” and “%(second)s” take place at the same time.",
                        first=clash.text("title", lang),
                        second=session.text("title", lang),
                    )
                )
                continue
            held.append(session)
        registration.choices.append(
            Choice(
                session=session, status=status, queued_at=queued_at, created_at=now, updated_at=now
            )
        )
    if conflicts:
        raise InvalidRegistration({"sessions": conflicts})
    db.flush()


def _rank(db: DbSession, registration: Registration, data: RegistrationData, now) -> None:
    """Store the rankings of groups allocated by preference, under the same rules."""
    lang = i18n.language()
    errors: Errors = {}
    for group_id, ranking in data.rankings.items():
        group = db.get(SessionGroup, group_id)
        if group is None or group.edition_id != registration.edition_id:
            errors.setdefault("rankings", []).append(_("Unknown group of sessions."))
            continue
        if not groups.takes_preferences(group, now):
            errors.setdefault(f"ranking_{group_id}", []).append(
                _("Preferences for this group are closed.")
            )
            continue
        eligible = groups.eligible_sessions(registration, group)
        problems = groups.check_ranking(group, ranking, eligible, lang)
        if problems:
            errors.setdefault(f"ranking_{group_id}", []).extend(problems)
            continue
        groups.set_ranking(db, registration, group, ranking)
    if errors:
        raise InvalidRegistration(errors)
    db.flush()


def _apply_details(registration: Registration, data: RegistrationData, now: datetime) -> None:
    registration.first_name = data.first_name
    registration.last_name = data.last_name
    registration.email = data.email
    registration.email_key = email_key(data.email)
    registration.organisation = data.organisation
    registration.cite = data.cite
    registration.country = data.country
    registration.category = data.category
    registration.language = data.language
    registration.dietary = data.dietary
    registration.accessibility = data.accessibility
    registration.photo_consent = data.photo_consent
    registration.updated_at = now
    # Add and remove one by one: replacing the lists would insert a row before
    # deleting its twin (same primary key).
    for day in [d for d in registration.days if d.date not in data.days]:
        registration.days.remove(day)
    held_days = {d.date for d in registration.days}
    registration.days.extend(RegistrationDay(date=day) for day in data.days if day not in held_days)
    for meal in [m for m in registration.meals if m.session_id not in data.meals]:
        registration.meals.remove(meal)
    held_meals = {m.session_id for m in registration.meals}
    registration.meals.extend(
        RegistrationMeal(session_id=sid) for sid in data.meals if sid not in held_meals
    )


def _merge(first: Errors, second: Errors) -> Errors:
    merged = {k: list(v) for k, v in first.items()}
    for key, messages in second.items():
        merged.setdefault(key, []).extend(messages)
    return merged
