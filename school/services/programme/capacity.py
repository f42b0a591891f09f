"""A session's capacity changed on the organisers' pages, against the seats it has given.

A capacity below the confirmed seats is refused, naming the numbers, unless the
organiser explicitly moves the excess to the waiting line (a meal's, below the people
taking it, is refused: a meal has no waiting line): the latest confirmed go
first (by the time their seat was confirmed) and keep their original place in line (the
moment they asked). A raised capacity gives the new seats to the waiting line at once
(``editing`` calls ``seats.promote_waitlist``).
"""

from __future__ import annotations

from datetime import datetime

import sqlalchemy as sa
from flask_babel import gettext as _
from sqlalchemy.orm import Session as DbSession
from sqlalchemy.orm import joinedload

from school.models import Choice, Session
from school.models.vocabulary import ChoiceStatus
from school.services.errors import DomainError
from school.services.programme.rules import over_capacity


class CapacityBelowSeats(DomainError):
    code = "capacity_below_seats"


class CapacityBelowMeals(DomainError):
    code = "capacity_below_meals"


def fit(
    db: DbSession, session: Session, capacity: int | None, *, move_excess: bool, now: datetime
) -> list[Choice]:
    """Make the confirmed seats fit ``capacity``: refused, or (``move_excess``) the latest
    confirmed go to the waiting line. Returns the choices moved. Call it under
    ``seats.lock_edition``, before the session takes its new capacity."""
    over = over_capacity(db, {session.id: capacity})
    if not over:
        return []
    capacity, confirmed = over[session.id]
    if session.is_meal:  # no waiting line to move anyone to: a meal is had or not
        raise CapacityBelowMeals(
            _(
                "%(taken)d people take this meal: the capacity cannot go down to %(capacity)d.",
                taken=confirmed,
                capacity=capacity,
            ),
            field="capacity",
        )
    excess = confirmed - capacity
    if not move_excess:
        raise CapacityBelowSeats(
            _(
                "%(seats)d seats are confirmed: the capacity cannot go down to %(capacity)d."
                " Raise it, or tick “move the last confirmed to the waiting list”"
                " (%(excess)d people would move).",
                seats=confirmed,
                capacity=capacity,
                excess=excess,
            ),
            field="capacity",
        )
    latest = db.scalars(
        sa.select(Choice)
        .where(Choice.session_id == session.id, Choice.status == ChoiceStatus.CONFIRMED)
        .options(joinedload(Choice.registration))
        .order_by(Choice.updated_at.desc(), Choice.id.desc())
        .limit(excess)
    ).all()
    for choice in latest:
        choice.status = ChoiceStatus.WAITLISTED
        choice.updated_at = now
    return list(latest)


def is_raised(before: int | None, after: int | None) -> bool:
    """More seats than before (``None``: unlimited)."""
    return before is not None and (after is None or after > before)
