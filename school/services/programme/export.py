"""Export of programme files: an edition written back in the format import reads
(``school/data/FORMAT.md``), leaving out what is empty or default so files read like
hand-written ones. Import → export → import is lossless."""

from __future__ import annotations

from typing import Any

import sqlalchemy as sa
from sqlalchemy.orm import Session as DbSession
from sqlalchemy.orm import selectinload

from school.models import Edition, Person, Session, SessionPerson
from school.models.vocabulary import CONTENT_LANGUAGES
from school.services.programme import yaml_io


def export_text(db: DbSession, slug: str) -> str:
    return yaml_io.dump(export_data(db, slug))


def export_data(db: DbSession, slug: str) -> dict[str, Any]:
    edition = db.scalar(
        sa.select(Edition)
        .where(Edition.slug == slug)
        .options(selectinload(Edition.days), selectinload(Edition.rooms))
    )
    if edition is None:
        raise LookupError(f"no edition {slug!r}")
    tz = edition.tz
    people = db.scalars(
        sa.select(Person).where(Person.edition_id == edition.id).order_by(Person.id)
    ).all()
    sessions = db.scalars(
        sa.select(Session)
        .where(Session.edition_id == edition.id)
        .options(selectinload(Session.people).selectinload(SessionPerson.person))
        .order_by(Session.starts_at, Session.id)
    ).all()
    rooms = {room.id: room.key for room in edition.rooms}

    def local(moment):
        return moment.astimezone(tz).strftime("%Y-%m-%d %H:%M") if moment else None

    registration = {
        "opens_at": local(edition.registration_opens_at),
        "closes_at": local(edition.registration_closes_at),
        "capacity": edition.capacity,
    }
    return {
        "edition": _compact(
            {
                "slug": edition.slug,
                "title": _text(edition, "title"),
                "tagline": _text(edition, "tagline"),
                "description": _text(edition, "description"),
                "city": {"fr": edition.city, "en": edition.city_en}
                if edition.city_en
                else edition.city,
                "venue": edition.venue,
                "address": edition.address,
                "timezone": edition.timezone,
                "starts_on": edition.starts_on,
                "ends_on": edition.ends_on,
                "contact_email": edition.contact_email,
                "registration": _compact(registration) or None,
                "published": edition.status != "draft",
                # Written only when it is not the default (English).
                "content_fallback": edition.content_fallback
                if edition.content_fallback != "en"
                else None,
            }
        ),
        "days": [
            _compact(
                {
                    "date": day.date,
                    "theme": _text(day, "theme"),
                    "description": _text(day, "description"),
                }
            )
            for day in edition.days
        ],
        "rooms": [
            _compact({"id": room.key, "name": _text(room, "name"), "capacity": room.capacity})
            for room in edition.rooms
        ],
        "people": [
            _compact(
                {
                    "id": person.key,
                    "first_name": person.first_name,
                    "last_name": person.last_name,
                    "function": _text(person, "function"),
                    "organisation": person.organisation,
                    "bio": _text(person, "bio"),
                    "email": person.email,
                }
            )
            for person in people
        ],
        "sessions": [_export_session(session, tz, rooms) for session in sessions],
    }


def _export_session(session: Session, tz, rooms: dict[int, str]) -> dict[str, Any]:
    start, end = session.starts_at.astimezone(tz), session.ends_at.astimezone(tz)
    return _compact(
        {
            "id": session.key,
            "date": start.date(),
            "start": start.strftime("%H:%M"),
            "end": end.strftime("%H:%M"),
            "kind": session.kind,
            "title": _text(session, "title"),
            "description": _text(session, "description"),
            "room": rooms.get(session.room_id) if session.room_id else None,
            "capacity": session.capacity,
            "requires_registration": session.requires_registration or None,
            "audience": None if session.audience == "everyone" else session.audience,
            "status": None if session.status == "scheduled" else session.status,
            "meal": session.is_meal or None,
            "speakers": [
                _compact(
                    {
                        "person": link.person.key,
                        "role": link.role,
                        "tentative": link.is_tentative or None,
                    }
                )
                for link in session.people
            ],
        },
        keep=("capacity",) if session.capacity is not None else (),
    )


def _text(obj: Any, field: str) -> dict[str, str] | None:
    value = {lang: getattr(obj, f"{field}_{lang}", None) for lang in CONTENT_LANGUAGES}
    return _compact(value) or None


def _compact(data: dict[str, Any], keep: tuple[str, ...] = ()) -> dict[str, Any]:
    """Leave out what is empty or default, so exported files read like hand-written ones."""
    return {k: v for k, v in data.items() if k in keep or v not in (None, [], {})}
