"""The roster: every badge of an edition and what admits it where, for a scanner that
decides on its own when the network is gone. The rules are the server's, applied here:
who a session admits (``scanning.admission``), which sessions take place at the same
time (``Session.overlaps``), who is checked in (``CheckIn.is_standing``)."""

from __future__ import annotations

import json
from dataclasses import dataclass
from datetime import datetime, timedelta

import sqlalchemy as sa
from sqlalchemy.orm import Session as DbSession
from sqlalchemy.orm import joinedload, selectinload

from school import data_versions
from school.database import utcnow
from school.models import CheckIn, Choice, Edition, Registration, Session
from school.models.vocabulary import ChoiceStatus
from school.services.badges import tokens
from school.services.checkin.scanning import admission

# What the roster is made of but the check-ins: each process keeps it, ready to send,
# while these tables do not change (school/data_versions.py). A scan changes none of them.
ROSTER_TABLES = (
    "editions", "edition_days", "sessions", "rooms",
    "registrations", "registration_days", "choices", "registration_meals",
)  # fmt: skip
# A change is dated when its transaction began, and may commit after a roster was made:
# an incremental roster goes back this far before the time it is asked from.
SINCE_MARGIN = timedelta(minutes=2)


@dataclass(frozen=True)
class _Parts:
    """The roster's JSON without the check-ins: each participant's object is kept open
    at its end, where ``checked_in`` goes."""

    edition: str
    sessions: str
    participants: tuple[tuple[int, str], ...]  # (registration id, '{…, "checked_in": ')


def roster(db: DbSession, edition: Edition) -> dict:
    """Every badge of the edition with what admits it where, and standing check-ins."""
    return json.loads(roster_json(db, edition, now=utcnow()))


def roster_json(
    db: DbSession, edition: Edition, *, now: datetime, since: datetime | None = None
) -> bytes:
    """The roster as sent, its time (``generated_at``) at the end. With ``since`` (the
    ``generated_at`` of the roster a scanner holds) only the participants that may have
    changed since then are listed (``complete: false``): the scanner puts them in place
    of its own; sessions and the edition are always whole.

    Two queries when the process keeps the roster's parts (the check-ins; with ``since``,
    the participants touched since), seven when it builds them, whatever the size."""
    parts = data_versions.keep(
        db, "roster", ROSTER_TABLES, edition.id, lambda: _build_parts(db, edition)
    )
    wanted = None if since is None else _changed_since(db, edition, since - SINCE_MARGIN)
    standing = sa.select(CheckIn.registration_id, CheckIn.checkpoint, CheckIn.scanned_at).where(
        CheckIn.edition_id == edition.id, CheckIn.is_standing
    )
    if wanted is not None:
        standing = standing.where(CheckIn.registration_id.in_(wanted))
    checked: dict[int, dict[str, str]] = {}
    for registration_id, checkpoint, at in db.execute(standing):
        checked.setdefault(registration_id, {})[checkpoint] = at.isoformat()
    people = ",".join(
        prefix + json.dumps(checked.get(rid, {}), ensure_ascii=False) + "}"
        for rid, prefix in parts.participants
        if wanted is None or rid in wanted
    )
    tail = json.dumps(
        {"complete": wanted is None, "generated_at": now.isoformat()}, ensure_ascii=False
    )
    return (
        f'{{"edition": {parts.edition}, "sessions": {parts.sessions},'
        f' "participants": [{people}], {tail[1:]}'
    ).encode()


def _changed_since(db: DbSession, edition: Edition, since: datetime) -> set[int]:
    """The participants whose badge, days, seats, meals, place in a line or check-ins may
    have changed since ``since``: one query."""
    of_edition = Registration.edition_id == edition.id
    moved_lines = (
        sa.select(Choice.session_id)
        .join(Registration, Registration.id == Choice.registration_id)
        .where(of_edition, Choice.updated_at >= since)
    )
    touched = sa.union(
        sa.select(Registration.id).where(of_edition, Registration.updated_at >= since),
        sa.select(Choice.registration_id)
        .join(Registration, Registration.id == Choice.registration_id)
        .where(of_edition, Choice.session_id.in_(moved_lines)),
        sa.select(CheckIn.registration_id).where(
            CheckIn.edition_id == edition.id,
            CheckIn.registration_id.is_not(None),
            sa.or_(CheckIn.recorded_at >= since, CheckIn.undone_at >= since),
        ),
    )
    return set(db.scalars(touched))


def _build_parts(db: DbSession, edition: Edition) -> _Parts:
    sessions = db.scalars(
        sa.select(Session)
        .where(Session.edition_id == edition.id)
        .options(joinedload(Session.room))
        .order_by(Session.starts_at, Session.id)
    ).all()
    registrations = db.scalars(
        sa.select(Registration)
        .where(Registration.edition_id == edition.id)
        .options(
            selectinload(Registration.days),
            selectinload(Registration.choices),
            selectinload(Registration.meals),
        )
        .order_by(Registration.last_name, Registration.first_name, Registration.id)
    ).all()
    overlaps = _overlaps(sessions)
    line = _waiting_lines(registrations)
    keyring = tokens.KeyRing.of_app()
    tz = edition.tz

    def dumps(value) -> str:
        return json.dumps(value, ensure_ascii=False)

    edition_part = {
        "id": edition.id,
        "slug": edition.slug,
        "timezone": edition.timezone,
        "dates": [d.isoformat() for d in edition.dates],
    }
    session_parts = [
        {
            "id": s.id,
            "checkpoint": f"session:{s.id}",
            "day": s.starts_at.astimezone(tz).date().isoformat(),
            "starts_at": s.starts_at.astimezone(tz).isoformat(),
            "ends_at": s.ends_at.astimezone(tz).isoformat(),
            "title": {"fr": s.title_fr, "en": s.text("title", "en")},
            "room": {"fr": s.room.name_fr, "en": s.room.text("name", "en")} if s.room else None,
            "admission": admission(s),
            # Where someone turned away from it may be expected instead.
            "overlaps": overlaps[s.id],
        }
        for s in sessions
    ]
    participants = []
    for r in registrations:
        person = {
            "id": r.id,
            "token": tokens.token_for(r, keyring),
            "first_name": r.first_name,
            "last_name": r.last_name,
            "organisation": r.organisation,
            "cite": r.cite,
            "category": r.category,
            "member": r.is_proved_member,
            "status": r.status,
            "dietary": r.dietary,
            "days": [d.isoformat() for d in r.attended_dates],
            "seats": sorted(c.session_id for c in r.choices if c.is_confirmed),
            "meals": sorted(m.session_id for m in r.meals),
            "waiting": {str(c.session_id): line[c.id] for c in r.choices if not c.is_confirmed},
        }
        participants.append((r.id, dumps(person)[:-1] + ', "checked_in": '))
    return _Parts(dumps(edition_part), dumps(session_parts), tuple(participants))


def _overlaps(sessions: list[Session]) -> dict[int, list[int]]:
    """The sessions each one takes place at the same time as (each pair tested once)."""
    found: dict[int, list[int]] = {s.id: [] for s in sessions}
    for index, first in enumerate(sessions):
        for second in sessions[index + 1 :]:
            if first.overlaps(second):
                found[first.id].append(second.id)
                found[second.id].append(first.id)
    return {key: sorted(ids) for key, ids in found.items()}


def _waiting_lines(registrations: list[Registration]) -> dict[int, int]:
    """Place in line of every waitlisted choice, from choices already loaded."""
    waiting = sorted(
        (c for r in registrations for c in r.choices if c.status == ChoiceStatus.WAITLISTED),
        key=lambda c: (c.session_id, c.queued_at, c.id),
    )
    positions, counts = {}, {}
    for choice in waiting:
        counts[choice.session_id] = counts.get(choice.session_id, 0) + 1
        positions[choice.id] = counts[choice.session_id]
    return positions
