"""Registrations: every rule about who comes, on which days, and who gets which seat.

The form, the JSON API and the CLI all call these functions. They take the database
session, the data, who acts and when; they ``flush()`` and the caller commits once.
Seats and capped meals are decided under the locks of what they count (see ``seats``).
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime

import sqlalchemy as sa
from flask_babel import gettext as _
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session as DbSession
from sqlalchemy.orm import selectinload

from school import keeping
from school.database import begin_write, write_now
from school.models import Choice, Edition, Organiser, Registration, Session
from school.services.email_addresses import email_key
from school.services.errors import DomainError, NotFound
from school.services.mail import notifications
from school.services.network import cites
from school.services.programme import lifecycle
from school.services.registration import access, history, links, seats
from school.services.registration.data import Errors, RegistrationData, check_fields, data_of
from school.services.registration.rules import (
    InvalidRegistration,
    apply_details,
    check_against_programme,
    choices_summary,
    is_organiser,
    merge_errors,
    rank,
    sessions_by_id,
    take_places,
)

__all__ = ["EditionFull", "InvalidRegistration", "Outcome", "RegistrationClosed"]


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
    # Place in line of each waitlisted choice, by choice id, as the confirmation says.
    positions: dict[int, int] = field(default_factory=dict)


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


# -- changing


def known_cites(db: DbSession) -> frozenset[str]:
    """The keys a registration may name as its Cité: read on every registration, kept by
    the process while the directory does not change."""
    return keeping.keep(
        db,
        "known-cites",
        cites.DIRECTORY_TABLES,
        "active",
        lambda: frozenset(c.key for c in cites.directory(db, active_only=True)),
    )


def register(
    db: DbSession,
    edition: Edition,
    data: RegistrationData,
    *,
    now: datetime,
    actor: Organiser | None = None,
    force: bool = False,
) -> Outcome:
    """A new registration with its choices; the confirmation e-mail is queued.

    If the address is already registered, nothing is registered: the private link is
    e-mailed to that address again (not when an organiser registers: they are shown
    the registration) and the outcome says ``created=False``.

    An organiser (``actor``) may also give seats in sessions by invitation. With
    ``force=True`` (an organiser registering a walk-in at the door) the registration
    window and the edition's cap do not apply; sessions' seats still do.
    """
    if force and not is_organiser(actor):
        raise ValueError("only an organiser may force a registration")
    access.apply_speaker_link(db, edition, data)
    errors = check_fields(data, edition_dates=edition.dates, cites=known_cites(db))
    if not force:
        _check_window(edition, now)
    begin_write(db)  # SQLite's one writer lock first (PostgreSQL locks rows below)
    # Every field and choice is checked before the address is looked up: a registered
    # address and an unknown one get the same answer to the same mistakes (no probing).
    sessions, verified = _checked_choices(db, edition, data, errors, now=now, actor=actor)
    registration = _new(edition, data, now)
    registration.member_verified = verified
    # Stored with its confirmation before the seats' locks are taken. Written unless the
    # address is registered already, which is then looked up: nearly always it is not,
    # and one statement does (two at once with the same address: the second waits on
    # the first's row, its unique key, and finds it registered).
    if not _store(db, registration, unless_registered=True):
        existing = _registered_as(db, edition, data.email)
        if existing is None:  # erased in between: refused as a duplicate would have been
            raise DomainError(_("This address is already registered."), code="duplicate")
        if not existing.is_cancelled:
            if actor is None:
                _try_as_new(db, edition, data, sessions, now=now)
            return _already_registered(db, existing, actor=actor, now=now)
        _set_aside(db, existing)  # cancelled: it keeps its link, history and badge
        _store(db, registration)
    notifications.confirmation(db, registration, now=now)
    rank(db, registration, data, now)
    # Seats, meals and the edition's cap last, under the locks of what they count, held
    # until the commit: people registering at once wait for each other only there.
    edition_cap = edition.capacity is not None and not force
    cap = seats.lock_places(db, edition.id, data.sessions, data.meals, edition_cap=edition_cap)
    if edition_cap:
        _check_room_left(db, edition, cap)
    wanted = [sessions[i] for i in data.sessions]
    positions = take_places(db, registration, wanted, data.meals, now).in_line
    if actor is not None:
        details = {"walk_in": force, "choices": choices_summary(registration)}
        history.record(db, actor, "registration.created", registration, details, now=now)
    return Outcome(registration, [], positions=positions)


def _check_window(edition: Edition, now: datetime) -> None:
    window = lifecycle.registration_refusal(edition, now)
    if window:
        raise RegistrationClosed(window)


def _try_as_new(
    db: DbSession,
    edition: Edition,
    data: RegistrationData,
    sessions: dict[int, Session],
    *,
    now: datetime,
) -> None:
    """The rules that need a registration (seats at the same time, rankings), tried on a
    new one and undone: raises what a new address would be told."""
    savepoint = db.begin_nested()
    try:
        trial = _new(edition, data, now, key=f"#trial-{edition.id}")
        _store(db, trial)
        # Under the locks a new registration takes, in the same order: the choices it
        # writes change the kept lengths of waiting lines (``waiting_lines``, by trigger),
        # and whoever changes seats holds those locks first. Without them, a trial and a
        # cancellation took two lines' rows in opposite orders: a deadlock. The savepoint's
        # rollback lets them go.
        seats.lock_places(db, edition.id, data.sessions, data.meals, edition_cap=False)
        take_places(db, trial, [sessions[i] for i in data.sessions], data.meals, now)
        rank(db, trial, data, now)
    finally:
        savepoint.rollback()


def _already_registered(
    db: DbSession, existing: Registration, *, actor: Organiser | None, now: datetime
) -> Outcome:
    """Nothing is registered; the address is sent its private link again (an organiser
    is shown the registration instead)."""
    if actor is None:
        links.send_link(db, existing, now=now)
    return Outcome(existing, [], created=False)


def _registered_as(db: DbSession, edition: Edition, email: str) -> Registration | None:
    """The edition's registration of this address, confirmed or cancelled (one at most:
    a registration set aside no longer has the address as its key)."""
    return db.scalar(
        sa.select(Registration).where(
            Registration.edition_id == edition.id, Registration.email_key == email_key(email)
        )
    )


def _check_room_left(db: DbSession, edition: Edition, capacity: int | None) -> None:
    """The edition's cap (``capacity``, as read under its lock), counted under its lock,
    the new registration included."""
    if capacity is None:
        return
    if seats.confirmed_registrations(db, edition.id) > capacity:
        raise EditionFull(
            _(
                "The School is full. Please write to %(contact)s.",
                contact=edition.contact_email or _("the organisers"),
            )
        )


def _checked_choices(
    db: DbSession,
    edition: Edition,
    data: RegistrationData,
    errors: Errors,
    *,
    now: datetime,
    actor: Organiser | None,
    current: Registration | None = None,
) -> tuple[dict[int, Session], bool]:
    """The sessions and meals chosen, by id, once they pass the programme's rules and
    who may sit where (with whether membership is proved); else every problem found
    (``errors``: those of the fields already) is raised at once."""
    chosen = data.sessions + data.meals
    sessions = sessions_by_id(db, edition, chosen, kept=current is None)
    errors = merge_errors(errors, check_against_programme(data, edition, sessions, now, actor))
    checked = access.check_access(db, edition, data, sessions, actor=actor, current=current)
    errors = merge_errors(errors, checked.errors)
    if errors:
        raise InvalidRegistration(errors, checked.by_session)
    return sessions, checked.member_verified


def _set_aside(db: DbSession, cancelled: Registration) -> None:
    """A cancelled registration gives its address up to a new one: the new registration
    gets a private link and a badge of its own, and nobody who registers the address
    again sees what was written to, chosen or scanned by the one who cancelled."""
    cancelled.email_key = set_aside_key(cancelled)
    db.flush()


def set_aside_key(registration: Registration) -> str:
    """The ``email_key`` of a cancelled registration whose address was registered again:
    unique (its id), never an address's (no domain ends with ``#12``), still found by a
    search for the address."""
    suffix = f"#{registration.id}"
    return email_key(registration.email)[: 254 - len(suffix)] + suffix


def _new(
    edition: Edition, data: RegistrationData, now: datetime, key: str | None = None
) -> Registration:
    """A new registration with the details given (``key``: under another ``email_key``),
    not stored yet (``_store``)."""
    # Its seats, meals and rankings are empty, said so: not read back after the flush
    # (nor when its confirmation is written, from memory, as it commits).
    registration = Registration(
        edition_id=edition.id, created_at=now, choices=[], meals=[], rankings=[]
    )
    apply_details(registration, data, now)
    registration.email_key = key or registration.email_key
    registration.privacy_consent_at = now
    return registration


def _store(db: DbSession, registration: Registration, *, unless_registered: bool = False) -> bool:
    """Its row and its days', written at once (``write_now``: a flush costs more); with
    ``unless_registered``, not when its address is the key of a registration already
    (returns False)."""
    key = ("edition_id", "email_key") if unless_registered else ()
    try:
        return write_now(db, registration, "days", unless_taken=key)
    except IntegrityError as exc:  # cannot happen under the lock; refuse cleanly if it does
        raise DomainError(_("This address is already registered."), code="duplicate") from exc


def update(
    db: DbSession,
    registration: Registration,
    data: RegistrationData,
    *,
    now: datetime,
    actor: Organiser | None = None,
) -> Outcome:
    """Change details, days, meals and choices under the same rules.

    Choices kept keep their seat or place in line; seats given up go to the waiting line.
    An organiser (``actor``) may also give seats in sessions by invitation.
    """
    edition = registration.edition
    access.apply_speaker_link(db, edition, data)
    # A Cité the registration already names stays acceptable, even if it left the directory.
    errors = check_fields(
        data, edition_dates=edition.dates, cites=known_cites(db) | {registration.cite}
    )
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
    sessions, verified = _checked_choices(
        db, edition, data, errors, now=now, actor=actor, current=registration
    )

    before = choices_summary(registration) if actor is not None else {}
    wanted = set(data.sessions)
    dropped = [c for c in registration.choices if c.session_id not in wanted]
    freed = [c.session_id for c in dropped if c.is_confirmed]
    for choice in dropped:
        registration.choices.remove(choice)
    apply_details(registration, data, now)
    registration.member_verified = verified
    db.flush()
    kept = {c.session_id for c in registration.choices}
    new_seats = [sessions[i] for i in data.sessions if i not in kept]
    take_places(db, registration, new_seats, data.meals, now)
    rank(db, registration, data, now)
    promoted = seats.promote_waitlist(db, seats.lines_to_try(registration, freed), now=now)
    notifications.promotions(db, promoted, now=now)
    if actor is not None:
        details = {"before": before, "after": choices_summary(registration)}
        history.record(db, actor, "registration.updated", registration, details, now=now)
    return Outcome(registration, promoted)


def move_choice(
    db: DbSession,
    registration: Registration,
    from_session: int,
    to_session: int,
    *,
    now: datetime,
    actor: Organiser,
) -> Outcome:
    """An organiser moves a participant from one session to another: an ``update`` with
    that one choice swapped, so every rule applies (the new seat, or a place in line)."""
    data = data_of(registration)
    if from_session not in data.sessions:
        raise DomainError(_("This participant has not chosen that session."), code="not_chosen")
    data.sessions = [to_session if s == from_session else s for s in data.sessions]
    return update(db, registration, data, now=now, actor=actor)


def resend_link(db: DbSession, registration: Registration, *, now: datetime, actor) -> None:
    """E-mail the private link again (an organiser, at the participant's request)."""
    notifications.link_reminder(db, registration, now=now)
    history.record(db, actor, "registration.link_sent", registration, {}, now=now)
