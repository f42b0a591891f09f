"""One choice at a time, from the participant's own page: leave a session, join one,
or swap one for a session at the same time — each an ``update`` of the registration
with that one change, so seats, waiting lines, clashes and who may sit where apply
as on the form. Every change is told in one short e-mail saying what changed."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from flask_babel import gettext as _
from sqlalchemy.orm import Session as DbSession

from school import i18n
from school.models import Edition, Registration, Session
from school.models.vocabulary import ChoiceStatus
from school.services.errors import DomainError
from school.services.mail import notifications
from school.services.registration import offer, registrations, waiting_lines
from school.services.registration.data import RegistrationData, data_of


@dataclass
class Change:
    """What became of one session for the participant."""

    session: Session
    before: str | None  # a ChoiceStatus, or None: not chosen
    after: str | None
    position: int | None = None  # in the waiting line, after


def alternatives(
    registration: Registration, offered: list[Session], session: Session
) -> list[Session]:
    """The sessions offered on the form at the same time as ``session``, on a day the
    participant attends, that they do not hold already: what it may be swapped for."""
    held = {c.session_id for c in registration.choices}
    days = set(registration.attended_dates)
    tz = registration.edition.tz
    return [
        other
        for other in offered
        if other.id != session.id
        and other.id not in held
        and other.overlaps(session)
        and other.starts_at.astimezone(tz).date() in days
    ]


def joinable(registration: Registration, offered: list[Session]) -> list[Session]:
    """The sessions offered on the form, on the days attended, not held yet; not those
    at the same time as a seat held (they are offered as swaps instead)."""
    held = {c.session_id for c in registration.choices}
    seats_held = [c.session for c in registration.choices if c.is_confirmed]
    days = set(registration.attended_dates)
    tz = registration.edition.tz
    return [
        s
        for s in offered
        if s.id not in held
        and s.starts_at.astimezone(tz).date() in days
        and not any(s.overlaps(seat) for seat in seats_held)
    ]


def leave(db: DbSession, registration: Registration, session_id: int, *, now: datetime):
    return _change(db, registration, drop=session_id, add=None, now=now)


def join(
    db: DbSession,
    registration: Registration,
    session_id: int,
    *,
    now: datetime,
    member_code: str | None = None,
):
    return _change(db, registration, drop=None, add=session_id, now=now, member_code=member_code)


def swap(
    db: DbSession,
    registration: Registration,
    from_session: int,
    to_session: int,
    *,
    now: datetime,
    member_code: str | None = None,
    give_up_seat: bool = False,
):
    """``give_up_seat``: the participant said they give up a seat for a place in a
    waiting line; without it such a swap is refused (the caller rolls back), whether
    the other session was full when the page showed it or became full since."""
    return _change(
        db,
        registration,
        drop=from_session,
        add=to_session,
        now=now,
        member_code=member_code,
        give_up_seat=give_up_seat,
    )


def _change(
    db: DbSession,
    registration: Registration,
    *,
    drop: int | None,
    add: int | None,
    now: datetime,
    member_code: str | None = None,
    give_up_seat: bool = True,
) -> list[Change]:
    """Apply one change through ``registrations.update`` and e-mail what changed."""
    if registration.is_cancelled:
        raise DomainError(_("This registration is cancelled."), code="cancelled")
    data = data_of(registration)
    if drop is not None and drop not in data.sessions:
        raise DomainError(_("You have not chosen this session."), code="not_chosen")
    if add is not None and add in data.sessions:
        raise DomainError(_("You have already chosen this session."), code="already_chosen")
    before = {c.session_id: c.status for c in registration.choices}
    data.sessions = [s for s in data.sessions if s != drop] + ([add] if add is not None else [])
    data.member_code = member_code
    outcome = registrations.update(db, registration, data, now=now)
    changes = _changes(db, outcome.registration, before, [i for i in (drop, add) if i is not None])
    left, taken = changes[0], changes[-1]
    if not give_up_seat and left.before == ChoiceStatus.CONFIRMED and taken.position is not None:
        raise DomainError(
            _(
                "This swap gives up your seat in “%(left)s” for place %(num)d in the waiting"
                " line of “%(title)s”: tick the box to confirm, or keep your seat.",
                left=left.session.text("title", i18n.language()),
                num=taken.position,
                title=taken.session.text("title", i18n.language()),
            ),
            code="seat_given_up",
        )
    notifications.choices_changed(db, outcome.registration, changes, now=now)
    return changes


def update(
    db: DbSession, registration: Registration, data: RegistrationData, *, now: datetime
) -> list[Change]:
    """The whole form of the participant's page: every seat or place in line that the
    change of days or choices took, gave or moved is told in one e-mail, as a single
    change is (unticking a day let its workshop seat go without a word)."""
    before = {c.session_id: c.status for c in registration.choices}
    registration = registrations.update(db, registration, data, now=now).registration
    after = {c.session_id: c.status for c in registration.choices}
    moved = sorted(i for i in before.keys() | after.keys() if before.get(i) != after.get(i))
    changes = sorted(
        _changes(db, registration, before, moved),
        key=lambda c: (c.session.starts_at, c.session.id),
    )
    if changes:
        notifications.choices_changed(db, registration, changes, now=now)
    return changes


def _changes(
    db: DbSession, registration: Registration, before: dict[int, str], session_ids: list[int]
) -> list[Change]:
    """What became of these sessions for the participant."""
    after = {c.session_id: c for c in registration.choices}
    positions = waiting_lines.waitlist_positions(
        db, [c.session_id for c in after.values() if c.status == ChoiceStatus.WAITLISTED]
    )
    changes = []
    for session_id in session_ids:
        choice = after.get(session_id)
        session = choice.session if choice is not None else db.get(Session, session_id)
        changes.append(
            Change(
                session=session,
                before=before.get(session_id),
                after=choice.status if choice is not None else None,
                position=positions.get(choice.id) if choice is not None else None,
            )
        )
    return changes


def offered_sessions(db: DbSession, edition: Edition) -> list[Session]:
    """What the form offers (the same query)."""
    return offer.choosable_sessions(db, edition)
