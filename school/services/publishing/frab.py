"""The programme in the frab / c3voc schedule format (``schedule.json``, ``schedule.xml``),
which conference apps such as Giggity, ConfClerk and Fahrplan read.

Days hold rooms, rooms hold events; an event's ``guid`` is the session's calendar
UID, so apps keep a starred session across updates. The JSON follows the published
schema and the XML its XSD (both vendored in ``tests/support/interop/``).
"""

from __future__ import annotations

import re
import uuid
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any
from xml.etree import ElementTree as ET

from flask_babel import gettext as _

from school.models import Edition, Room, Session

GENERATOR = {"name": "school", "version": "0.1.0"}
# Rooms and people have no UUID of their own: theirs derive from stable keys.
NAMESPACE = uuid.UUID("6f1c2a52-5b7e-4c55-9a0e-2b0f8f0b6c11")
FRAB_TYPES = {
    "plenary": "talk",
    "conference": "talk",
    "round_table": "discussion",
    "workshop": "workshop",
    "visit": "other",
    "meeting": "meeting",
    "social": "other",
    "break": "other",
}
TRACK_COLOURS = {
    "plenary": "#0b5cad",
    "conference": "#0b5cad",
    "round_table": "#0b5cad",
    "workshop": "#17643a",
    "visit": "#17643a",
    "meeting": "#8a4b00",
    "social": "#8c96a3",
    "break": "#8c96a3",
}


@dataclass(frozen=True)
class Links:
    """Absolute addresses, made by the web layer."""

    base: str  # the site's root, ending with /
    programme: str
    session: Callable[[Session], str]
    xml: str | None = None


def acronym(edition: Edition) -> str:
    # The schema wants [a-z0-9_] after the first character: slugs use dashes.
    return edition.slug.replace("-", "_")


def _slug(text: str) -> str:
    return re.sub(r"[^a-z0-9_-]+", "-", text.lower()).strip("-_")


def _hhmm(delta: timedelta) -> str:
    minutes = int(delta.total_seconds() // 60)
    return f"{minutes // 60:02d}:{minutes % 60:02d}"


def _guid(*parts: object) -> str:
    return str(uuid.uuid5(NAMESPACE, "/".join(str(p) for p in parts)))


@dataclass
class _Event:
    session: Session
    start: datetime  # local
    end: datetime
    room: str


@dataclass
class _Day:
    index: int
    date: Any
    rooms: dict[str, list[_Event]]

    @property
    def events(self) -> list[_Event]:
        return [e for events in self.rooms.values() for e in events]


def _days(edition: Edition, sessions: list[Session], lang: str) -> list[_Day]:
    tz = edition.tz
    order = {room.id: n for n, room in enumerate(edition.rooms)}
    venue = edition.venue
    by_date: dict[Any, list[_Event]] = {}
    for session in sorted(
        sessions, key=lambda s: (order.get(s.room_id, len(order)), s.starts_at, s.id)
    ):
        start, end = session.starts_at.astimezone(tz), session.ends_at.astimezone(tz)
        room = session.room.text("name", lang) if session.room else venue
        by_date.setdefault(start.date(), []).append(_Event(session, start, end, room))
    days = []
    for index, day in enumerate(sorted(set(edition.dates) | set(by_date)), start=1):
        rooms: dict[str, list[_Event]] = {}
        for event in by_date.get(day, []):
            rooms.setdefault(event.room, []).append(event)
        for events in rooms.values():
            events.sort(key=lambda e: (e.start, e.session.id))
        days.append(_Day(index, day, rooms))
    return days


def _day_bounds(edition: Edition, day: _Day) -> tuple[datetime, datetime]:
    events = day.events
    if events:
        return min(e.start for e in events), max(e.end for e in events)
    start = datetime.combine(day.date, datetime.min.time(), edition.tz)
    return start, start + timedelta(days=1) - timedelta(minutes=1)


def _title(session: Session, lang: str) -> str:
    title = session.text("title", lang)
    return _("Cancelled: %(title)s", title=title) if session.is_cancelled else title


def _event_slug(edition: Edition, session: Session) -> str:
    key = _slug(session.key)
    return f"{acronym(edition)}-{session.id}-{key if len(key) >= 3 else 'session'}"


def _rooms_used(edition: Edition, sessions: list[Session], lang: str) -> list[dict[str, Any]]:
    rooms: list[dict[str, Any]] = []
    used = {s.room_id for s in sessions}
    for room in edition.rooms:
        if room.id in used:
            rooms.append(_room_json(edition, room, lang))
    if None in used:
        rooms.append({"name": edition.venue, "guid": _guid(edition.slug, "venue")})
    return rooms


def _room_json(edition: Edition, room: Room, lang: str) -> dict[str, Any]:
    data: dict[str, Any] = {
        "name": room.text("name", lang),
        "guid": _guid(edition.slug, "rooms", room.key),
        "capacity": room.capacity,
    }
    if _slug(room.key):
        data["slug"] = _slug(room.key)
    return data


def schedule_json(
    edition: Edition,
    sessions: list[Session],
    *,
    lang: str,
    kinds: Mapping[str, str],
    links: Links,
) -> dict[str, Any]:
    days = _days(edition, sessions, lang)
    kinds_used = sorted({s.kind for s in sessions}, key=list(FRAB_TYPES).index)
    return {
        "$schema": "https://c3voc.de/schedule/schema.json",
        "generator": GENERATOR,
        "schedule": {
            "version": edition.changed_at.isoformat(timespec="seconds"),
            "base_url": links.base,
            "conference": {
                "acronym": acronym(edition),
                "title": edition.text("title", lang),
                "start": edition.starts_on.isoformat(),
                "end": edition.ends_on.isoformat(),
                "daysCount": len(days),
                "timeslot_duration": "00:15",
                "time_zone_name": edition.timezone,
                "url": links.programme,
                "tracks": [
                    {
                        "name": str(kinds[kind]),
                        "slug": _slug(kind.replace("_", "-")),
                        "color": TRACK_COLOURS[kind],
                    }
                    for kind in kinds_used
                ],
                "rooms": _rooms_used(edition, sessions, lang),
                "days": [_day_json(edition, day, lang, kinds, links) for day in days],
            },
        },
    }


def _day_json(edition, day: _Day, lang, kinds, links: Links) -> dict[str, Any]:
    start, end = _day_bounds(edition, day)
    return {
        "index": day.index,
        "date": day.date.isoformat(),
        "day_start": start.isoformat(),
        "day_end": end.isoformat(),
        "rooms": {
            room: [_event_json(edition, e, lang, kinds, links) for e in events]
            for room, events in day.rooms.items()
        },
    }


def _event_json(edition, event: _Event, lang, kinds, links: Links) -> dict[str, Any]:
    session = event.session
    return {
        "guid": session.uid,
        "id": session.id,
        "date": event.start.isoformat(),
        "start": event.start.strftime("%H:%M"),
        "end": event.end.isoformat(),
        "duration": _hhmm(session.duration),
        "room": event.room,
        "slug": _event_slug(edition, session),
        "url": links.session(session),
        "title": _title(session, lang),
        # Strings, empty when there is nothing: apps call string methods on them.
        "subtitle": "",
        "track": str(kinds[session.kind]),
        "type": FRAB_TYPES[session.kind],
        "language": session.text_and_language("title", lang)[1],
        "abstract": session.text("description", lang) or "",
        "description": "",
        "persons": [
            # "name" (current) and "public_name" (what older apps read); no integer
            # "id", so the person matches exactly one of the schema's person shapes.
            {
                "guid": _guid(edition.slug, "people", link.person.key),
                "name": link.person.full_name,
                "public_name": link.person.full_name,
            }
            for link in session.people
        ],
        "links": [],
    }


def schedule_xml(
    edition: Edition,
    sessions: list[Session],
    *,
    lang: str,
    kinds: Mapping[str, str],
    links: Links,
) -> bytes:
    data = schedule_json(edition, sessions, lang=lang, kinds=kinds, links=links)
    schedule = data["schedule"]
    conference = schedule["conference"]
    root = ET.Element("schedule")
    ET.SubElement(root, "generator", GENERATOR)
    if links.xml:
        ET.SubElement(root, "url").text = links.xml
    ET.SubElement(root, "version").text = schedule["version"]
    conf = ET.SubElement(root, "conference")
    for tag, value in (
        ("acronym", conference["acronym"]),
        ("title", conference["title"]),
        ("start", conference["start"]),
        ("end", conference["end"]),
        ("days", str(conference["daysCount"])),
        ("timeslot_duration", conference["timeslot_duration"]),
        ("base_url", schedule["base_url"]),
        ("url", conference["url"]),
        ("time_zone_name", conference["time_zone_name"]),
    ):
        ET.SubElement(conf, tag).text = value
    for track in conference["tracks"]:
        ET.SubElement(
            conf, "track", {"name": track["name"], "slug": track["slug"], "color": track["color"]}
        )
    guids = {room["name"]: room["guid"] for room in conference["rooms"]}
    person_ids = {
        _guid(edition.slug, "people", link.person.key): link.person_id
        for s in sessions
        for link in s.people
    }
    for day in conference["days"]:
        day_el = ET.SubElement(
            root,
            "day",
            {
                "index": str(day["index"]),
                "date": day["date"],
                "start": day["day_start"],
                "end": day["day_end"],
            },
        )
        for room_name, events in day["rooms"].items():
            room_el = ET.SubElement(day_el, "room", {"name": room_name, "guid": guids[room_name]})
            for event in events:
                _event_xml(room_el, event, person_ids)
    ET.indent(root)
    return ET.tostring(root, encoding="utf-8", xml_declaration=True) + b"\n"


def _event_xml(parent: ET.Element, event: dict[str, Any], person_ids: dict[str, int]) -> None:
    el = ET.SubElement(parent, "event", {"guid": event["guid"], "id": str(event["id"])})
    for tag in ("room", "title", "subtitle", "type", "date", "start", "duration", "abstract"):
        ET.SubElement(el, tag).text = event[tag] or ""
    ET.SubElement(el, "slug").text = event["slug"]
    ET.SubElement(el, "track").text = event["track"]
    persons_el = ET.SubElement(el, "persons")
    for person in event["persons"]:
        attributes = {"id": str(person_ids[person["guid"]]), "guid": person["guid"]}
        ET.SubElement(persons_el, "person", attributes).text = person["name"]
    ET.SubElement(el, "links")
    ET.SubElement(el, "url").text = event["url"]
