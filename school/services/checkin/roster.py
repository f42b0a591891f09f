"""The roster: every badge of an edition and what admits it where, for a scanner that
decides on its own when the network is gone. The rules are the server's, applied here:
who a session admits (``scanning.admission``), which sessions take place at the same
time (``Session.overlaps``), who is checked in (``CheckIn.is_standing``)."""

from __future__ import annotations

import sqlalchemy as sa
from sqlalchemy.orm import Session as DbSession
from sqlalchemy.orm import joinedload, selectinload

from school.models import CheckIn, Edition, Registration, Session
from school.models.vocabulary import ChoiceStatus
from school.services.badges import tokens
from school.services.checkin.scanning import admission


def roster(db: DbSession, edition: Edition) -> dict:
    """Every badge of the edition with what admits it where, and standing check-ins.

    Six queries whatever the size of the edition.
    """
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
    standing = db.execute(
        sa.select(CheckIn.registration_id, CheckIn.checkpoint, CheckIn.scanned_at).where(
            CheckIn.edition_id == edition.id, CheckIn.is_standing
        )
    ).all()
    checked: dict[int, dict[str, str]] = {}
    for registration_id, checkpoint, at in standing:
        checked.setdefault(registration_id, {})[checkpoint] = at.isoformat()
    overlaps = _overlaps(sessions)
    line = _waiting_lines(registrations)
    keyring = tokens.KeyRing.of_app()
    tz = edition.tz
    return {
        "edition": {
            "id": edition.id,
            "slug": edition.slug,
            "timezone": edition.timezone,
            "dates": [d.isoformat() for d in edition.dates],
        },
        "sessions": [
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
        ],
        "participants": [
            {
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
                "checked_in": checked.get(r.id, {}),
            }
            for r in registrations
        ],
    }


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
