"""The checks of a programme's fields, once for the file and the organisers' forms.

The file reader walks a whole YAML document; a form builds one item in the file's
shape (``{"date": "2019-06-19", "start": "09:00", "title": {"fr": …}, …}``) and asks
``check_session`` (or ``check_edition``, ``check_room``, ``check_person``): the same
rules, the same messages. Messages are English for the command line; pages pass
``translate=gettext`` to read them in the organiser's language (they are marked
with ``N_`` so the catalogue has them).
"""

from __future__ import annotations

from datetime import UTC, date, datetime, time
from typing import Any, Protocol
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from flask import current_app, has_app_context

from school.models.vocabulary import CONTENT_LANGUAGES, Audience, Role, SessionKind, SessionStatus
from school.services.programme.fields import KEY_PATTERN, N_, FieldReader, Translate
from school.services.programme.spec import (
    DaySpec,
    EditionSpec,
    PersonSpec,
    Problem,
    ProgrammeSpec,
    RoomSpec,
    SessionSpec,
    SpeakerSpec,
)


def site_addresses() -> frozenset[str]:
    """The first parts of the site's own addresses (``organiser``, ``api``, ``my``…): an
    edition's address is the first part of its pages', and ``/organiser/`` as an edition
    would send its participants to the organisers' login. Read from the routes, so a new
    one is never forgotten; none outside the app (a programme file checked alone)."""
    if not has_app_context():
        return frozenset()
    firsts = (rule.rule.split("/")[1] for rule in current_app.url_map.iter_rules())
    return frozenset(first for first in firsts if first and not first.startswith("<"))


class Dates(Protocol):
    starts_on: date
    ends_on: date


class Reader(FieldReader):
    """Walks a parsed programme, item by item."""

    def programme(self, data: Any) -> ProgrammeSpec | None:
        if not isinstance(data, dict) or not isinstance(data.get("edition"), dict):
            self.fail("edition", "-", N_("the file must start with an 'edition' section"))
            return None
        edition = self.edition(data["edition"])
        tz = zone(edition.timezone)
        days = self.days(data, edition)
        seen: set[str] = set()
        rooms = [self.room(entry, item, seen) for item, entry in self.items(data, "rooms")]
        seen = set()
        people = [self.person(entry, item, seen) for item, entry in self.items(data, "people")]
        room_keys, person_keys = {r.key for r in rooms}, {p.key for p in people}
        seen = set()
        sessions = [
            self.session(entry, item, edition, tz, room_keys, person_keys, seen)
            for item, entry in self.items(data, "sessions")
        ]
        return ProgrammeSpec(edition, days, rooms, people, sessions)

    def edition(self, data: dict) -> EditionSpec:
        item = "edition"
        slug = data.get("slug")
        if not isinstance(slug, str) or not KEY_PATTERN.match(slug):
            self.fail(
                item, "slug", N_("missing or not a slug (a-z, 0-9, -): %(value)r"), value=slug
            )
            slug = ""
        elif slug in site_addresses():
            self.fail(item, "slug", N_("%(value)r is an address of the site itself"), value=slug)
            slug = ""
        timezone = self.required_str(data, "timezone", item, 64)
        tz = zone(timezone)
        if timezone and tz is None:
            message = N_("unknown timezone %(value)r (e.g. Europe/Paris)")
            self.fail(item, "timezone", message, value=timezone)
        starts_on = self.date_value(data, "starts_on", item)
        ends_on = self.date_value(data, "ends_on", item)
        if starts_on and ends_on and ends_on < starts_on:
            self.fail(item, "ends_on", N_("before the first day"))
        contact = self.email(data, "contact_email", item)
        registration = data.get("registration") or {}
        if not isinstance(registration, dict):
            self.fail(item, "registration", N_("must be a mapping"))
            registration = {}
        opens = self.local_datetime(registration, "opens_at", "edition.registration", tz)
        closes = self.local_datetime(registration, "closes_at", "edition.registration", tz)
        if opens and closes and closes <= opens:
            self.fail("edition.registration", "closes_at", N_("not after the opening"))
        start = (
            datetime.combine(starts_on, time(0), tzinfo=tz).astimezone(UTC)
            if starts_on and tz
            else None
        )
        if start and closes and closes > start:
            message = N_("after the School starts: registration closes before or at the start")
            self.fail("edition.registration", "closes_at", message)
        if start and opens and opens >= start:
            self.fail("edition.registration", "opens_at", N_("not before the School starts"))
        # "city: Bruxelles", or its name per language: "city: {fr: Bruxelles, en: Brussels}".
        if isinstance(data.get("city"), dict):
            city = self.text(data, "city", item, required=True, max_len=120)
        else:
            city = {"fr": self.required_str(data, "city", item, 120), "en": None}
        fallback = data.get("content_fallback", "en")
        if fallback not in ("en", "fr"):
            self.fail(item, "content_fallback", N_("must be en or fr: %(value)r"), value=fallback)
            fallback = "en"
        published = data.get("published")
        if published is not None and not isinstance(published, bool):
            self.fail(item, "published", N_("must be true or false: %(value)r"), value=published)
            published = None
        return EditionSpec(
            slug=slug,
            title=self.text(data, "title", item, required=True, max_len=200),
            tagline=self.text(data, "tagline", item, required=False),
            description=self.text(data, "description", item, required=False, max_len=20000),
            city=city["fr"] or "",
            city_en=city["en"],
            venue=self.required_str(data, "venue", item, 200),
            address=self.required_str(data, "address", item),
            timezone=timezone,
            starts_on=starts_on or date.min,
            ends_on=ends_on or date.min,
            contact_email=contact,
            registration_opens_at=opens,
            registration_closes_at=closes,
            capacity=self.capacity(registration, "capacity", "edition.registration"),
            published=published,
            content_fallback=fallback,
        )

    def days(self, data: dict, edition: Dates) -> list[DaySpec]:
        days, seen = [], set()
        for item, entry in self.items(data, "days"):
            day = self.date_value(entry, "date", item)
            if day is None:
                continue
            if not edition.starts_on <= day <= edition.ends_on:
                self.fail(item, "date", N_("%(day)s is outside the edition's dates"), day=day)
            if day in seen:
                self.fail(item, "date", N_("duplicate day %(day)s"), day=day)
            seen.add(day)
            days.append(
                DaySpec(
                    date=day,
                    theme=self.text(entry, "theme", item, required=True),
                    description=self.text(entry, "description", item, False, max_len=20000),
                )
            )
        return days

    def room(self, entry: dict, item: str, seen: set[str]) -> RoomSpec:
        return RoomSpec(
            key=self.key(entry, item, seen),
            name=self.text(entry, "name", item, required=True, max_len=200),
            capacity=self.capacity(entry, "capacity", item),
        )

    def person(self, entry: dict, item: str, seen: set[str]) -> PersonSpec:
        return PersonSpec(
            key=self.key(entry, item, seen),
            first_name=self.required_str(entry, "first_name", item, 100),
            last_name=self.required_str(entry, "last_name", item, 100),
            function=self.text(entry, "function", item, required=False),
            organisation=self.optional_str(entry, "organisation", item, 200),
            bio=self.text(entry, "bio", item, required=False, max_len=20000),
            email=self.email(entry, "email", item),
        )

    def session(
        self,
        entry: dict,
        item: str,
        edition: Dates,
        tz: ZoneInfo | None,
        rooms: set[str],
        people: set[str],
        seen: set[str],
    ) -> SessionSpec:
        key = self.key(entry, item, seen)
        day = self.date_value(entry, "date", item)
        if day and not edition.starts_on <= day <= edition.ends_on:
            self.fail(item, "date", N_("%(day)s is outside the edition's dates"), day=day)
        start = self.time_value(entry, "start", item)
        end = self.time_value(entry, "end", item)
        if start and end and end <= start:
            message = N_("%(end)s is not after start %(start)s")
            self.fail(item, "end", message, end=f"{end:%H:%M}", start=f"{start:%H:%M}")
        room = entry.get("room")
        if room is not None and room not in rooms:
            self.fail(item, "room", N_("unknown room %(value)r (not in rooms)"), value=room)
        starts_at = ends_at = datetime.min.replace(tzinfo=UTC)
        if day and start and end and tz:
            starts_at = datetime.combine(day, start, tz).astimezone(UTC)
            ends_at = datetime.combine(day, end, tz).astimezone(UTC)
        return SessionSpec(
            key=key,
            starts_at=starts_at,
            ends_at=ends_at,
            kind=self.choice(entry, "kind", item, SessionKind, None),
            title=self.text(entry, "title", item, True, languages=CONTENT_LANGUAGES),
            description=self.text(
                entry, "description", item, False, max_len=20000, languages=CONTENT_LANGUAGES
            ),
            room=room,
            capacity=self.capacity(entry, "capacity", item),
            requires_registration=self.boolean(entry, "requires_registration", item),
            audience=self.choice(entry, "audience", item, Audience, "everyone"),
            status=self.choice(entry, "status", item, SessionStatus, "scheduled"),
            meal=self.boolean(entry, "meal", item),
            speakers=self.speakers(entry, item, people),
        )

    def speakers(self, entry: dict, item: str, people: set[str]) -> list[SpeakerSpec]:
        value = entry.get("speakers") or []
        if not isinstance(value, list):
            self.fail(item, "speakers", N_("must be a list"))
            return []
        speakers, seen = [], set()
        for index, link in enumerate(value):
            where = f"{item}.speakers[{index + 1}]"
            if not isinstance(link, dict):
                self.fail(where, "-", N_("must be {person: …, role: …}"))
                continue
            person = link.get("person")
            if person not in people:
                message = N_("unknown person %(value)r (not in people)")
                self.fail(where, "person", message, value=person)
            elif person in seen:
                self.fail(where, "person", N_("%(value)r is listed twice"), value=person)
            seen.add(person)
            speakers.append(
                SpeakerSpec(
                    person=str(person),
                    role=self.choice(link, "role", where, Role, "speaker"),
                    tentative=self.boolean(link, "tentative", where),
                )
            )
        return speakers


def zone(name: str) -> ZoneInfo | None:
    try:
        return ZoneInfo(name) if name else None
    except (ZoneInfoNotFoundError, ValueError):
        return None


# -- one item at a time, for the organisers' forms


def check_edition(
    entry: dict, translate: Translate | None = None
) -> tuple[EditionSpec, list[Problem]]:
    reader = Reader(translate)
    return reader.edition(entry), reader.problems


def check_days(
    entries: list[dict], edition: Dates, translate: Translate | None = None
) -> tuple[list[DaySpec], list[Problem]]:
    reader = Reader(translate)
    return reader.days({"days": entries}, edition), reader.problems


def check_room(
    entry: dict, taken_keys: set[str], translate: Translate | None = None
) -> tuple[RoomSpec, list[Problem]]:
    reader = Reader(translate)
    return reader.room(entry, "room", set(taken_keys)), reader.problems


def check_person(
    entry: dict, taken_keys: set[str], translate: Translate | None = None
) -> tuple[PersonSpec, list[Problem]]:
    reader = Reader(translate)
    return reader.person(entry, "person", set(taken_keys)), reader.problems


def check_session(
    entry: dict,
    edition: Dates,
    timezone: str,
    *,
    rooms: set[str],
    people: set[str],
    taken_keys: set[str],
    translate: Translate | None = None,
) -> tuple[SessionSpec, list[Problem]]:
    reader = Reader(translate)
    spec = reader.session(entry, "session", edition, zone(timezone), rooms, people, set(taken_keys))
    return spec, reader.problems
