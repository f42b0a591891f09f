"""Programme rules shared by the file importer and the organisers' pages: what raises a
session's calendar SEQUENCE, capacities below the confirmed seats, rooms booked twice,
and the keys of new items."""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Iterable
from datetime import datetime
from typing import Any

import sqlalchemy as sa
from sqlalchemy.orm import Session as DbSession

from school.models import Choice, RegistrationMeal, Room, Session
from school.models.vocabulary import CONTENT_LANGUAGES
from school.services.programme.spec import SessionSpec
from school.services.registration import seats

# A change to one of these is a change people must see in their calendars.
CALENDAR_FIELDS = (
    "starts_at", "ends_at", "room_id", "status", *(f"title_{lang}" for lang in CONTENT_LANGUAGES)
)  # fmt: skip


def venue_of(edition) -> tuple:
    """What every event's LOCATION says of the edition: when it changes, every session's
    SEQUENCE is raised (``calendar_change``), so calendars take the new place."""
    return (edition.city, edition.venue, edition.address)


def raise_sequence(session: Session, *, now: datetime) -> None:
    """What a calendar shows of the session changed (its time, title, status, room, the
    room's name, the venue): its SEQUENCE goes up, or calendars keep the old event."""
    session.sequence = (session.sequence or 0) + 1
    session.updated_at = now


def apply_session_values(
    session: Session, values: dict[str, Any], *, now: datetime, calendar_change: bool = False
) -> set[str]:
    """Set the fields that differ; raise SEQUENCE once when a calendar field changed (or
    the caller says the calendar text changed, e.g. its room was renamed). Returns the
    names."""
    changed = {name for name, value in values.items() if getattr(session, name) != value}
    for name in changed:
        setattr(session, name, values[name])
    if changed:
        session.updated_at = now
    if session.id is not None and (calendar_change or changed & set(CALENDAR_FIELDS)):
        raise_sequence(session, now=now)
    return changed


def session_values(spec: SessionSpec, room: Room | None) -> dict[str, Any]:
    return {
        "starts_at": spec.starts_at,
        "ends_at": spec.ends_at,
        "room_id": room.id if room else None,
        **{f"title_{lang}": spec.title.get(lang) for lang in CONTENT_LANGUAGES},
        "status": spec.status,
        "kind": spec.kind,
        **{f"description_{lang}": spec.description.get(lang) for lang in CONTENT_LANGUAGES},
        "capacity": spec.capacity,
        "requires_registration": spec.requires_registration,
        "audience": spec.audience,
        "is_meal": spec.meal,
    }


def booked(db: DbSession, session_ids: Iterable[int]) -> set[int]:
    """The sessions someone holds a seat or a place in line in, or takes as a meal."""
    ids = list(session_ids)
    if not ids:
        return set()
    held = sa.exists().where(Choice.session_id == Session.id) | sa.exists().where(
        RegistrationMeal.session_id == Session.id
    )
    return set(db.scalars(sa.select(Session.id).where(Session.id.in_(ids), held)))


def over_capacity(db: DbSession, capacities: dict[int, int | None]) -> dict[int, tuple[int, int]]:
    """Sessions whose new capacity is below their places taken (``seats.seats_taken``:
    confirmed seats, or people taking a meal): {id: (capacity, taken)}."""
    capped = {sid: cap for sid, cap in capacities.items() if cap is not None}
    taken = seats.seats_taken(db, capped)
    return {sid: (cap, taken.get(sid, 0)) for sid, cap in capped.items() if taken.get(sid, 0) > cap}


def room_clashes(sessions: Iterable[Session]) -> list[tuple[Session, Session]]:
    """Pairs of scheduled sessions in the same room at the same time."""
    by_room: dict[int, list[Session]] = {}
    for session in sessions:
        if session.room_id is not None and not session.is_cancelled:
            by_room.setdefault(session.room_id, []).append(session)
    clashes = []
    for booked in by_room.values():
        booked.sort(key=lambda s: (s.starts_at, s.id))
        for index, first in enumerate(booked):
            clashes += [(first, second) for second in booked[index + 1 :] if first.overlaps(second)]
    return clashes


def new_key(text: str, taken: set[str], prefix: str = "") -> str:
    """A stable key for a new item, from its name: ``d1-atelier-orientation``."""
    folded = unicodedata.normalize("NFKD", text).encode("ascii", "ignore").decode().lower()
    base = (prefix + re.sub(r"[^a-z0-9]+", "-", folded).strip("-"))[:70].strip("-") or "item"
    key, number = base, 2
    while key in taken:
        key, number = f"{base}-{number}", number + 1
    return key
