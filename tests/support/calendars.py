"""Reading calendar feeds as clients do: with the icalendar library and, independently,
with vobject (which builds its own timezones from the feed's VTIMEZONE)."""

from __future__ import annotations

import re
from datetime import datetime
from zoneinfo import ZoneInfo

import icalendar
import sqlalchemy as sa
import vobject

from school.models import Session
from school.services.programme import export, importer, yaml_io

LISBON = ZoneInfo("Europe/Lisbon")
UTC = ZoneInfo("UTC")


def parse(body: bytes) -> dict[str, dict]:
    """Events by UID, as both parsers read them; they must agree on every time."""
    by_icalendar = {str(e["UID"]): e for e in icalendar.Calendar.from_ical(body).walk("VEVENT")}
    by_vobject = {
        e.uid.value: e for e in vobject.readOne(body.decode("utf-8")).contents.get("vevent", [])
    }
    assert by_icalendar.keys() == by_vobject.keys()
    events = {}
    for uid, event in by_icalendar.items():
        other = by_vobject[uid]
        start, end = event.decoded("DTSTART"), event.decoded("DTEND")
        assert start == other.dtstart.value and end == other.dtend.value, uid
        events[uid] = {
            "start": start,
            "end": end,
            "vobject_start": other.dtstart.value,
            "summary": str(event["SUMMARY"]),
            "status": str(event["STATUS"]),
            "sequence": int(event["SEQUENCE"]),
            "description": str(event["DESCRIPTION"]),
            "location": str(event["LOCATION"]),
            "url": str(event["URL"]),
            "categories": [str(c) for c in event["CATEGORIES"].cats],
            "tzid": event["DTSTART"].params.get("TZID"),
            "event": event,
        }
    return events


def calendar_of(body: bytes) -> icalendar.Calendar:
    return icalendar.Calendar.from_ical(body)


def session(db, key: str) -> Session:
    db.commit()  # a new transaction sees what requests committed (SQLite: a new snapshot)
    db.expire_all()
    return db.scalar(sa.select(Session).where(Session.key == key))


def change_session(db, slug: str, key: str, **changes) -> None:
    """Edit one session in the programme file and import it again, as organisers do."""
    data = export.export_data(db, slug)
    item = next(s for s in data["sessions"] if s["id"] == key)
    item.update(changes)
    importer.import_text(db, yaml_io.dump(data), "programme.yaml")
    db.commit()


def local(moment: datetime, tz: ZoneInfo) -> str:
    return moment.astimezone(tz).strftime("%Y-%m-%d %H:%M")


def csrf_token(html: str) -> str:
    return re.search(r'name="csrf_token" (?:type="hidden" )?value="([^"]+)"', html).group(1)
