"""The rules of a registration that need the programme: which sessions and meals may
be chosen, and who gets a seat or a meal. ``registrations`` applies them under the
edition lock."""

from __future__ import annotations

import functools
from dataclasses import dataclass, field
from datetime import datetime

import sqlalchemy as sa
from flask_babel import gettext as _
from sqlalchemy.orm import Session as DbSession

from school import i18n, keeping, watched_tables
from school.models import (
    Edition,
    Organiser,
    Registration,
    RegistrationDay,
    RegistrationMeal,
    Session,
    SessionGroup,
)
from school.models.vocabulary import Audience, Category
from school.services.email_addresses import email_key
from school.services.errors import DomainError
from school.services.registration import groups, seats
from school.services.registration.data import Errors, RegistrationData


class InvalidRegistration(DomainError):
    """Some fields are wrong: ``errors`` maps each field to its messages."""

    code = "invalid"

    def __init__(self, errors: Errors, by_session: dict[int, list[str]] | None = None):
        super().__init__(_("Please correct the highlighted fields."))
        self.errors = errors
        # The same problems again, beside the sessions they concern (the form shows them).
        self.by_session = by_session or {}


def sessions_by_id(
    db: DbSession, edition: Edition, ids: list[int], *, kept: bool = False
) -> dict[int, Session]:
    """The edition's sessions of ``ids`` (those that exist), read from the database, or
    with ``kept`` from the copy of the edition's sessions this process keeps: for a new
    registration, whose session holds none of them yet (what the programme says changes
    rarely, and every registration reads it; seats are counted by the database, under
    their locks, whatever is kept)."""
    if not ids:
        return {}
    if kept:
        everyone = _kept_sessions(db, edition.id)
        return {i: keeping.attach(db, everyone[i]) for i in dict.fromkeys(ids) if i in everyone}
    found = db.scalars(_sessions_of_edition(), {"ids": ids, "edition_id": edition.id}).all()
    return {s.id: s for s in found}


_SESSION_TABLES = watched_tables.watched("sessions")


def _kept_sessions(db: DbSession, edition_id: int) -> dict[int, Session]:
    def load() -> dict[int, Session]:
        found = db.scalars(sa.select(Session).where(Session.edition_id == edition_id)).all()
        return {s.id: keeping.snapshot(s) for s in found}

    return keeping.keep(db, "registration-sessions", _SESSION_TABLES, edition_id, load)


@functools.cache
def _sessions_of_edition() -> sa.Select:
    """Built once: every registration asks it."""
    return sa.select(Session).where(
        Session.id.in_(sa.bindparam("ids", expanding=True)),
        Session.edition_id == sa.bindparam("edition_id"),
    )


def is_organiser(actor: object) -> bool:
    return isinstance(actor, Organiser) and actor.is_admin


def choices_summary(registration: Registration) -> dict[str, str]:
    return {str(c.session_id): c.status for c in registration.choices}


def check_against_programme(
    data: RegistrationData,
    edition: Edition,
    sessions: dict[int, Session],
    now: datetime,
    actor: Organiser | None = None,
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
        elif session.is_meal:
            # A meal is taken among the meals, never held as a seat (one count of it).
            add("sessions", _("“%(title)s” is a meal: tick it among the meals.", title=title))
        elif session.audience == Audience.INVITED and not is_organiser(actor):
            # The organisers register the people concerned.
            add("sessions", _("“%(title)s” is by invitation only.", title=title))
        elif not session.is_offered_for_choice and session.audience == Audience.MEMBERS:
            # Members who proved it come in on the day: no seat to choose.
            add(
                "sessions",
                _("“%(title)s” is for network members: no need to choose it.", title=title),
            )
        elif not session.is_offered_for_choice and session.audience != Audience.INVITED:
            add("sessions", _("“%(title)s” is open to all: no need to choose it.", title=title))
        elif session.audience == Audience.MEMBERS and data.category != Category.MEMBER:
            add("sessions", _("“%(title)s” is for network members only.", title=title))
        elif data.days and day not in data.days:
            add("sessions", _("“%(title)s” is on a day you do not attend.", title=title))
        elif groups.takes_rankings(session.group, now):
            add("sessions", _("“%(title)s” is allocated by preference: rank it.", title=title))
    for session_id in data.meals:
        session = sessions.get(session_id)
        if session is None or not session.is_meal or session.is_cancelled:
            add("meals", _("Meal %(id)s does not exist in this School.", id=session_id))
        elif data.days and session.starts_at.astimezone(tz).date() not in data.days:
            title = session.text("title", lang)
            add("meals", _("“%(title)s” is on a day you do not attend.", title=title))
    return errors


@dataclass
class Places:
    """What ``take_places`` decided, beyond the rows it added."""

    meals_left_out: list[Session] = field(default_factory=list)
    # Place in line (1 = next) of each choice it put in a waiting line, by choice id.
    in_line: dict[int, int] = field(default_factory=dict)


def take_places(
    db: DbSession,
    registration: Registration,
    wanted: list[Session],
    meals: list[int],
    now: datetime,
    *,
    skip_full_meals: bool = False,
) -> Places:
    """The seats of ``wanted`` and the meals of ``meals`` the registration does not hold
    yet, decided together: call it under ``seats.lock_edition``, so whatever locks seats
    locks meals too. Both are counted by ``seats.seats_taken``. A full meal is refused
    (``InvalidRegistration``: the caller rolls back, nothing is kept), or with
    ``skip_full_meals`` left out (``Places.meals_left_out``)."""
    skipped = _take_meals(db, registration, meals, skip_full=skip_full_meals)
    return Places(skipped, _take_seats(db, registration, wanted, now))


def _take_meals(
    db: DbSession, registration: Registration, meal_ids: list[int], *, skip_full: bool
) -> list[Session]:
    """Add the meals not held yet while their capacity allows (no waiting line: a meal
    is had or not)."""
    if not meal_ids:
        return []
    held = {m.session_id for m in registration.meals}
    new = [i for i in dict.fromkeys(meal_ids) if i not in held]
    if not new:
        return []
    # Read again under the locks: an organiser may have changed a capacity meanwhile.
    meals = db.scalars(
        sa.select(Session)
        .where(Session.id.in_(new))
        .order_by(Session.starts_at, Session.id)
        .execution_options(populate_existing=True)
    ).all()
    taken = seats.seats_taken(db, new)
    full = [m for m in meals if m.capacity is not None and taken.get(m.id, 0) >= m.capacity]
    if full and not skip_full:
        lang = i18n.language()
        raise InvalidRegistration(
            {
                "meals": [
                    _("“%(title)s” is full: no place is left.", title=m.text("title", lang))
                    for m in full
                ]
            }
        )
    registration.meals.extend(RegistrationMeal(session_id=m.id) for m in meals if m not in full)
    db.flush()
    return full


def _take_seats(
    db: DbSession, registration: Registration, wanted: list[Session], now: datetime
) -> dict[int, int]:
    """Confirmed while seats remain, else in the waiting line; never two confirmed
    seats at the same time (a waiting-line place may overlap a seat: a fallback).
    Returns the place in line of each new waitlisted choice, by choice id."""
    if not wanted:
        return {}
    held = [c.session for c in registration.choices if c.is_confirmed]
    db.flush()  # the registration's row, which the choices name
    in_line = seats.seat_or_line(db, registration, wanted, now=now)
    lang = i18n.language()
    conflicts: list[str] = []
    wanted_ids = {session.id for session in wanted}
    new = [c for c in registration.choices if c.session_id in wanted_ids]
    for choice in sorted(new, key=lambda c: (c.session.starts_at, c.session.id)):
        if not choice.is_confirmed:
            continue
        session = choice.session
        clash = next((other for other in held if session.overlaps(other)), None)
        if clash is None:
            held.append(session)
            continue
        conflicts.append(
            _(
                "“%(first)s” and “%(second)s” take place at the same time.",
                first=clash.text("title", lang),
                second=session.text("title", lang),
            )
        )
    if conflicts:
        # Written, and refused: the caller rolls back (nothing is kept).
        raise InvalidRegistration({"sessions": conflicts})
    return in_line


def rank(db: DbSession, registration: Registration, data: RegistrationData, now) -> None:
    """Store the rankings of groups allocated by preference, under the same rules."""
    lang = i18n.language()
    errors: Errors = {}
    for group_id, ranking in data.rankings.items():
        group = db.get(SessionGroup, group_id)
        if group is None or group.edition_id != registration.edition_id:
            errors.setdefault("rankings", []).append(_("Unknown group of sessions."))
            continue
        if not groups.takes_rankings(group, now):
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


def apply_details(registration: Registration, data: RegistrationData, now: datetime) -> None:
    """The details and days as given; meals no longer wanted are given up (the new ones
    are taken by ``take_places``, against their capacity)."""
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


def merge_errors(first: Errors, second: Errors) -> Errors:
    merged = {k: list(v) for k, v in first.items()}
    for key, messages in second.items():
        merged.setdefault(key, []).extend(messages)
    return merged
