"""An edition's people as the door sees them, read as plain rows: for the roster and the
attendance figures, which read everyone at once. As ORM objects, 10,000 people with their
days, seats and meals took seconds to load; as rows, a fraction of that, in four queries
whatever their number.

A ``Person`` answers what ``checkpoints.is_admitted`` asks of a registration (its days,
meals and proved membership; its seats' ``is_confirmed``), so the rule is the same one.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date, datetime
from typing import Any

import sqlalchemy as sa
from sqlalchemy.orm import Session as DbSession

from school.database import plain_rows
from school.models import Choice, Registration, RegistrationDay, RegistrationMeal
from school.models.vocabulary import RegistrationStatus


# Slotted: 10,000 people and their seats are made for each roster built.
@dataclass(slots=True)
class Seat:
    id: int
    session_id: int
    status: str
    is_confirmed: bool
    # Its place in line, with its id: compared only, so read as the database holds it
    # (naive, in UTC), without making 20,000 of them aware.
    queued_at: datetime


@dataclass(slots=True)
class Meal:
    session_id: int


@dataclass(slots=True)
class Person:
    id: int
    edition_id: int  # with the id, what a badge's token is made of
    first_name: str
    last_name: str
    organisation: str | None
    cite: str | None
    category: str
    is_proved_member: bool
    status: str
    dietary: str | None
    attended_dates: list[date] = field(default_factory=list)
    choices: list[Seat] = field(default_factory=list)
    meals: list[Meal] = field(default_factory=list)

    @property
    def is_cancelled(self) -> bool:
        return self.status == RegistrationStatus.CANCELLED


# What a ``Person`` and a ``Seat`` are made of, in their fields' order.
PERSON_COLUMNS = (
    Registration.id,
    Registration.edition_id,
    Registration.first_name,
    Registration.last_name,
    Registration.organisation,
    Registration.cite,
    Registration.category,
    Registration.is_proved_member,
    Registration.status,
    Registration.dietary,
)
SEAT_COLUMNS = (
    Choice.id,
    Choice.session_id,
    Choice.status,
    Choice.is_confirmed,
    sa.type_coerce(Choice.queued_at, sa.DateTime()),
)


def read(db: DbSession, which: sa.ColumnElement[bool]) -> list[Person]:
    """The registrations ``which`` selects, by last name, with their days (in order),
    choices (seats and waiting places, by id) and meals."""
    # Plain columns, asked of the connection rather than the ORM session: the ORM would
    # pass each of the 55,000 rows of 10,000 people through its loading, column by column;
    # taken as the driver gives them (``plain_rows``), each is not even made a Row.
    connection = db.connection()
    rows = plain_rows(
        connection,
        sa.select(*PERSON_COLUMNS)
        .where(which)
        .order_by(Registration.last_name, Registration.first_name, Registration.id),
    )
    people = {row[0]: Person(*row) for row in rows}
    days = sa.select(RegistrationDay.registration_id, RegistrationDay.date)
    for registration_id, day in _of(connection, days.order_by(RegistrationDay.date), which):
        people[registration_id].attended_dates.append(day)
    seats = sa.select(Choice.registration_id, *SEAT_COLUMNS)
    for registration_id, *seat in _of(connection, seats.order_by(Choice.id), which):
        people[registration_id].choices.append(Seat(*seat))
    meals = sa.select(RegistrationMeal.registration_id, RegistrationMeal.session_id)
    for registration_id, session_id in _of(connection, meals, which):
        people[registration_id].meals.append(Meal(session_id))
    return list(people.values())


def _of(connection: sa.Connection, rows: sa.Select, which: sa.ColumnElement[bool]) -> Any:
    """The rows of the people ``which`` selects (joined on their registration)."""
    return plain_rows(connection, rows.join(Registration).where(which))
