"""Who stands checked in at a checkpoint (``CheckIn.is_standing``, one at most per person:
a unique index), as a scan's answer shows it, and how many have arrived there."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime
from typing import Any

import sqlalchemy as sa
from sqlalchemy.orm import Session as DbSession

from school.models import CheckIn, Edition, Organiser
from school.models.vocabulary import Verdict


@dataclass(frozen=True)
class Recorded:
    """A scan's row as it was written: its values, not an ORM object (the door writes
    hundreds a minute, and making one cost as much as the decision)."""

    id: int
    edition_id: int
    registration_id: int | None
    session_id: int | None
    day: date
    checkpoint: str
    scanned_at: datetime
    recorded_at: datetime
    client_id: str
    device: str | None
    organiser_id: int | None
    verdict: str
    undone_at: datetime | None = None

    # The check-in's own rule, read on these values (``CheckIn.is_standing``).
    is_standing = CheckIn.__dict__["is_standing"]


@dataclass(frozen=True, slots=True)
class Standing:
    """A standing check-in: when, where and by whom (the scanner shows it with
    ``already``)."""

    id: int | None  # None until the batch that makes it is written
    registration_id: int
    checkpoint: str
    scanned_at: datetime
    device: str | None
    by: str | None  # the organiser's name, else e-mail

    @classmethod
    def of(cls, record: CheckIn | Recorded, organiser: Organiser | None) -> Standing:
        return cls(
            record.id,
            record.registration_id,
            record.checkpoint,
            record.scanned_at,
            record.device,
            _by(organiser.name, organiser.email) if organiser else None,
        )


# What a ``Standing`` is read from (joined to the organiser, outer), and made of.
COLUMNS = (
    CheckIn.id,
    CheckIn.registration_id,
    CheckIn.checkpoint,
    CheckIn.scanned_at,
    CheckIn.device,
    Organiser.name,
    Organiser.email,
)


def from_row(values: tuple) -> Standing | None:
    """The standing check-in of ``COLUMNS``' values (None when the outer join found none)."""
    checkin_id, registration_id, checkpoint, scanned_at, device, name, email = values
    if checkin_id is None:
        return None
    return Standing(checkin_id, registration_id, checkpoint, scanned_at, device, _by(name, email))


def _by(name: str | None, email: str | None) -> str | None:
    return name or email


def standing_at(registration_id: Any, checkpoint: Any) -> sa.ColumnElement[bool]:
    """The person's check-in at the checkpoint that counts."""
    return sa.and_(
        CheckIn.registration_id == registration_id,
        CheckIn.checkpoint == checkpoint,
        CheckIn.is_standing,
    )


def first_checkin(db: DbSession, registration_id: int, checkpoint: str) -> Standing | None:
    row = db.execute(
        sa.select(*COLUMNS)
        .outerjoin(Organiser, Organiser.id == CheckIn.organiser_id)
        .where(standing_at(registration_id, checkpoint))
    ).first()
    return None if row is None else from_row(tuple(row))


def at_points(
    db: DbSession, edition: Edition, keys: list[str], registration_ids: list[int]
) -> tuple[dict[str, int], dict[tuple[int, str], Standing]]:
    """The arrivals at each of these checkpoints, and who of these people stands checked
    in at each: two queries, whatever their number."""
    there = sa.and_(
        CheckIn.edition_id == edition.id, CheckIn.checkpoint.in_(keys), CheckIn.is_standing
    )
    counts = sa.select(CheckIn.checkpoint, sa.func.count()).where(there)
    arrived = dict.fromkeys(keys, 0) | dict(db.execute(counts.group_by(CheckIn.checkpoint)).all())
    standing: dict[tuple[int, str], Standing] = {}
    if registration_ids:
        rows = db.execute(
            sa.select(*COLUMNS)
            .outerjoin(Organiser, Organiser.id == CheckIn.organiser_id)
            .where(there, CheckIn.registration_id.in_(registration_ids))
        )
        for row in rows:
            found = from_row(tuple(row))
            standing[(found.registration_id, found.checkpoint)] = found
    return arrived, standing


def arrivals(db: DbSession, edition: Edition, checkpoint: str) -> int:
    return db.scalar(arrivals_query(edition.id, checkpoint))


def arrivals_query(edition_id: Any, checkpoint: Any) -> sa.Select:
    return (
        sa.select(sa.func.count())
        .select_from(CheckIn)
        .where(
            CheckIn.edition_id == edition_id, CheckIn.checkpoint == checkpoint, CheckIn.is_standing
        )
    )


def demote(db: DbSession, superseded: Standing) -> bool:
    """Make a standing check-in ``already`` (a late scan older than it takes its place);
    False if it no longer stands."""
    return db.connection().execute(_DEMOTE, {"checkin_id": superseded.id}).rowcount == 1


_DEMOTE = (
    sa.update(CheckIn.__table__)
    .where(CheckIn.id == sa.bindparam("checkin_id"), CheckIn.is_standing)
    .values(verdict=Verdict.ALREADY)
)
