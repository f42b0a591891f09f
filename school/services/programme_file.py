"""Read and check a programme file (format: ``school/data/FORMAT.md``).

Everything is checked before anything is written: a wrong file is refused as a
whole, with every problem named by file, item and field.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from datetime import UTC, date, datetime, time
from typing import Any
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

import yaml

from school.models.vocabulary import Audience, Role, SessionKind, SessionStatus
from school.services import yaml_io

KEY_PATTERN = re.compile(r"^[a-z0-9][a-z0-9_-]{0,79}$")
TIME_PATTERN = re.compile(r"^([01]?\d|2[0-3]):([0-5]\d)$")
EMAIL_PATTERN = re.compile(r"^[^@\s]+@[^@\s]+\.[^@\s]+$")


@dataclass(frozen=True)
class Problem:
    item: str
    field: str
    message: str


class ProgrammeFileError(Exception):
    def __init__(self, filename: str, problems: list[Problem]):
        self.filename = filename
        self.problems = problems
        super().__init__(str(self))

    def __str__(self) -> str:
        lines = [f"{self.filename}: {len(self.problems)} problem(s), nothing imported"]
        lines += [f"  {p.item}, field '{p.field}': {p.message}" for p in self.problems]
        return "\n".join(lines)


Text = dict[str, str | None]  # {"fr": …, "en": …}


@dataclass
class EditionSpec:
    slug: str
    title: Text
    tagline: Text
    description: Text
    city: str
    venue: str
    address: str
    timezone: str
    starts_on: date
    ends_on: date
    contact_email: str | None
    registration_opens_at: datetime | None
    registration_closes_at: datetime | None
    capacity: int | None


@dataclass
class DaySpec:
    date: date
    theme: Text
    description: Text


@dataclass
class RoomSpec:
    key: str
    name: Text
    capacity: int | None


@dataclass
class PersonSpec:
    key: str
    first_name: str
    last_name: str
    function: Text
    organisation: str | None
    bio: Text
    email: str | None


@dataclass
class SpeakerSpec:
    person: str
    role: str
    tentative: bool


@dataclass
class SessionSpec:
    key: str
    starts_at: datetime  # UTC
    ends_at: datetime
    kind: str
    title: Text
    description: Text
    room: str | None
    capacity: int | None
    requires_registration: bool
    audience: str
    status: str
    meal: bool
    speakers: list[SpeakerSpec] = field(default_factory=list)


@dataclass
class ProgrammeSpec:
    edition: EditionSpec
    days: list[DaySpec]
    rooms: list[RoomSpec]
    people: list[PersonSpec]
    sessions: list[SessionSpec]


def parse_programme(text: str, filename: str = "<programme>") -> ProgrammeSpec:
    try:
        data = yaml_io.load(text)
    except yaml.YAMLError as exc:
        mark = getattr(exc, "problem_mark", None)
        where = f"line {mark.line + 1}" if mark else "file"
        raise ProgrammeFileError(filename, [Problem(where, "-", f"not valid YAML: {exc}")]) from exc
    reader = _Reader()
    spec = reader.programme(data)
    if reader.problems:
        raise ProgrammeFileError(filename, reader.problems)
    assert spec is not None
    return spec


class _Reader:
    """Walks the parsed YAML, collecting problems instead of stopping at the first."""

    def __init__(self) -> None:
        self.problems: list[Problem] = []

    def fail(self, item: str, fld: str, message: str) -> None:
        self.problems.append(Problem(item, fld, message))

    # -- scalar readers: each returns a usable value or None after recording a problem

    def required_str(self, data: dict, key: str, item: str, max_len: int = 300) -> str:
        value = data.get(key)
        if value is None or (isinstance(value, str) and not value.strip()):
            self.fail(item, key, "missing")
            return ""
        if not isinstance(value, str | int | float):
            self.fail(item, key, "must be text")
            return ""
        value = str(value).strip()
        if len(value) > max_len:
            self.fail(item, key, f"longer than {max_len} characters")
        return value

    def optional_str(self, data: dict, key: str, item: str, max_len: int = 300) -> str | None:
        if data.get(key) in (None, ""):
            return None
        return self.required_str(data, key, item, max_len)

    def text(self, data: dict, key: str, item: str, required: bool, max_len=300) -> Text:
        value = data.get(key)
        if value is None:
            if required:
                self.fail(item, key, "missing (give at least the French text: {fr: …})")
            return {"fr": None, "en": None}
        if isinstance(value, str):
            value = {"fr": value}
        if not isinstance(value, dict):
            self.fail(item, key, "must be {fr: …, en: …}")
            return {"fr": None, "en": None}
        unknown = set(value) - {"fr", "en"}
        if unknown:
            self.fail(item, key, f"unknown language(s) {sorted(unknown)}; use fr and en")
        fr = self.optional_str(value, "fr", item, max_len)
        en = self.optional_str(value, "en", item, max_len)
        if required and not fr:
            self.fail(item, f"{key}.fr", "missing")
        return {"fr": fr, "en": en}

    def date_value(self, data: dict, key: str, item: str) -> date | None:
        value = data.get(key)
        if isinstance(value, date) and not isinstance(value, datetime):
            return value
        if isinstance(value, str):
            try:
                return date.fromisoformat(value.strip())
            except ValueError:
                pass
        self.fail(item, key, "missing" if value is None else f"not a date (YYYY-MM-DD): {value!r}")
        return None

    def time_value(self, data: dict, key: str, item: str) -> time | None:
        value = data.get(key)
        match = TIME_PATTERN.match(value.strip()) if isinstance(value, str) else None
        if not match:
            message = "missing" if value is None else f'not a time (write "HH:MM"): {value!r}'
            self.fail(item, key, message)
            return None
        return time(int(match.group(1)), int(match.group(2)))

    def local_datetime(self, data: dict, key: str, item: str, tz: ZoneInfo | None):
        value = data.get(key)
        if value is None:
            return None
        if isinstance(value, datetime):
            moment = value
        else:
            try:
                moment = datetime.fromisoformat(str(value).strip())
            except ValueError:
                self.fail(item, key, f'not a date and time ("YYYY-MM-DD HH:MM"): {value!r}')
                return None
        if moment.tzinfo is None:
            if tz is None:
                return None
            moment = moment.replace(tzinfo=tz)
        return moment.astimezone(UTC)

    def capacity(self, data: dict, key: str, item: str) -> int | None:
        value = data.get(key)
        if value is None:
            return None
        if isinstance(value, bool) or not isinstance(value, int) or value < 0:
            self.fail(item, key, f"must be a whole number ≥ 0 or null: {value!r}")
            return None
        return value

    def boolean(self, data: dict, key: str, item: str) -> bool:
        value = data.get(key, False)
        if value is None:
            return False
        if not isinstance(value, bool):
            self.fail(item, key, f"must be true or false: {value!r}")
            return False
        return value

    def choice(self, data: dict, key: str, item: str, allowed: type, default: str | None) -> str:
        if default is None and data.get(key) is None:
            self.fail(item, key, "missing")
            return ""
        value = data.get(key, default)
        values = [member.value for member in allowed]
        if value not in values:
            self.fail(item, key, f"unknown value {value!r} (expected one of {', '.join(values)})")
            return default
        return value

    def key(self, data: dict, item: str, seen: set[str]) -> str:
        value = data.get("id")
        if not isinstance(value, str) or not KEY_PATTERN.match(value):
            self.fail(item, "id", f"missing or not a key (a-z, 0-9, - and _): {value!r}")
            return ""
        if value in seen:
            self.fail(item, "id", f"duplicate id {value!r}")
        seen.add(value)
        return value

    def items(self, data: dict, key: str) -> list[tuple[str, dict]]:
        value = data.get(key) or []
        if not isinstance(value, list):
            self.fail(key, "-", "must be a list")
            return []
        result = []
        for index, entry in enumerate(value):
            label = f"{key}[{index + 1}]"
            if isinstance(entry, dict) and isinstance(entry.get("id"), str):
                label += f" ({entry['id']})"
            if not isinstance(entry, dict):
                self.fail(label, "-", "must be a mapping of fields")
                continue
            result.append((label, entry))
        return result

    # -- sections

    def programme(self, data: Any) -> ProgrammeSpec | None:
        if not isinstance(data, dict) or not isinstance(data.get("edition"), dict):
            self.fail("edition", "-", "the file must start with an 'edition' section")
            return None
        edition = self.edition(data["edition"])
        tz = _zone(edition.timezone)
        days = self.days(data, edition)
        rooms = self.rooms(data)
        people = self.people(data)
        sessions = self.sessions(data, edition, tz, {r.key for r in rooms}, {p.key for p in people})
        return ProgrammeSpec(edition, days, rooms, people, sessions)

    def edition(self, data: dict) -> EditionSpec:
        item = "edition"
        slug = data.get("slug")
        if not isinstance(slug, str) or not KEY_PATTERN.match(slug):
            self.fail(item, "slug", f"missing or not a slug (a-z, 0-9, -): {slug!r}")
            slug = ""
        timezone = self.required_str(data, "timezone", item, 64)
        tz = _zone(timezone)
        if timezone and tz is None:
            self.fail(item, "timezone", f"unknown timezone {timezone!r} (e.g. Europe/Paris)")
        starts_on = self.date_value(data, "starts_on", item)
        ends_on = self.date_value(data, "ends_on", item)
        if starts_on and ends_on and ends_on < starts_on:
            self.fail(item, "ends_on", "before starts_on")
        contact = self.optional_str(data, "contact_email", item, 254)
        if contact and not EMAIL_PATTERN.match(contact):
            self.fail(item, "contact_email", f"not an e-mail address: {contact!r}")
        registration = data.get("registration") or {}
        if not isinstance(registration, dict):
            self.fail(item, "registration", "must be a mapping")
            registration = {}
        opens = self.local_datetime(registration, "opens_at", "edition.registration", tz)
        closes = self.local_datetime(registration, "closes_at", "edition.registration", tz)
        if opens and closes and closes <= opens:
            self.fail("edition.registration", "closes_at", "not after opens_at")
        return EditionSpec(
            slug=slug,
            title=self.text(data, "title", item, required=True, max_len=200),
            tagline=self.text(data, "tagline", item, required=False),
            description=self.text(data, "description", item, required=False, max_len=20000),
            city=self.required_str(data, "city", item, 120),
            venue=self.required_str(data, "venue", item, 200),
            address=self.required_str(data, "address", item),
            timezone=timezone,
            starts_on=starts_on or date.min,
            ends_on=ends_on or date.min,
            contact_email=contact,
            registration_opens_at=opens,
            registration_closes_at=closes,
            capacity=self.capacity(registration, "capacity", "edition.registration"),
        )

    def days(self, data: dict, edition: EditionSpec) -> list[DaySpec]:
        days, seen = [], set()
        for item, entry in self.items(data, "days"):
            day = self.date_value(entry, "date", item)
            if day is None:
                continue
            if not edition.starts_on <= day <= edition.ends_on:
                self.fail(item, "date", f"{day} is outside the edition's dates")
            if day in seen:
                self.fail(item, "date", f"duplicate day {day}")
            seen.add(day)
            days.append(
                DaySpec(
                    date=day,
                    theme=self.text(entry, "theme", item, required=True),
                    description=self.text(entry, "description", item, False, max_len=20000),
                )
            )
        return days

    def rooms(self, data: dict) -> list[RoomSpec]:
        seen: set[str] = set()
        return [
            RoomSpec(
                key=self.key(entry, item, seen),
                name=self.text(entry, "name", item, required=True, max_len=200),
                capacity=self.capacity(entry, "capacity", item),
            )
            for item, entry in self.items(data, "rooms")
        ]

    def people(self, data: dict) -> list[PersonSpec]:
        seen: set[str] = set()
        people = []
        for item, entry in self.items(data, "people"):
            email = self.optional_str(entry, "email", item, 254)
            if email and not EMAIL_PATTERN.match(email):
                self.fail(item, "email", f"not an e-mail address: {email!r}")
            people.append(
                PersonSpec(
                    key=self.key(entry, item, seen),
                    first_name=self.required_str(entry, "first_name", item, 100),
                    last_name=self.required_str(entry, "last_name", item, 100),
                    function=self.text(entry, "function", item, required=False),
                    organisation=self.optional_str(entry, "organisation", item, 200),
                    bio=self.text(entry, "bio", item, required=False, max_len=20000),
                    email=email,
                )
            )
        return people

    def sessions(self, data, edition: EditionSpec, tz, rooms: set[str], people: set[str]):
        seen: set[str] = set()
        sessions = []
        for item, entry in self.items(data, "sessions"):
            key = self.key(entry, item, seen)
            day = self.date_value(entry, "date", item)
            if day and not edition.starts_on <= day <= edition.ends_on:
                self.fail(item, "date", f"{day} is outside the edition's dates")
            start = self.time_value(entry, "start", item)
            end = self.time_value(entry, "end", item)
            if start and end and end <= start:
                self.fail(item, "end", f"{end:%H:%M} is not after start {start:%H:%M}")
            room = entry.get("room")
            if room is not None and room not in rooms:
                self.fail(item, "room", f"unknown room {room!r} (not in rooms)")
            starts_at = ends_at = datetime.min.replace(tzinfo=UTC)
            if day and start and end and tz:
                starts_at = datetime.combine(day, start, tz).astimezone(UTC)
                ends_at = datetime.combine(day, end, tz).astimezone(UTC)
            sessions.append(
                SessionSpec(
                    key=key,
                    starts_at=starts_at,
                    ends_at=ends_at,
                    kind=self.choice(entry, "kind", item, SessionKind, None),
                    title=self.text(entry, "title", item, required=True),
                    description=self.text(entry, "description", item, False, max_len=20000),
                    room=room,
                    capacity=self.capacity(entry, "capacity", item),
                    requires_registration=self.boolean(entry, "requires_registration", item),
                    audience=self.choice(entry, "audience", item, Audience, "everyone"),
                    status=self.choice(entry, "status", item, SessionStatus, "scheduled"),
                    meal=self.boolean(entry, "meal", item),
                    speakers=self.speakers(entry, item, people),
                )
            )
        return sessions

    def speakers(self, entry: dict, item: str, people: set[str]) -> list[SpeakerSpec]:
        value = entry.get("speakers") or []
        if not isinstance(value, list):
            self.fail(item, "speakers", "must be a list")
            return []
        speakers, seen = [], set()
        for index, link in enumerate(value):
            where = f"{item}.speakers[{index + 1}]"
            if not isinstance(link, dict):
                self.fail(where, "-", "must be {person: …, role: …}")
                continue
            person = link.get("person")
            if person not in people:
                self.fail(where, "person", f"unknown person {person!r} (not in people)")
            elif person in seen:
                self.fail(where, "person", f"{person!r} is listed twice")
            seen.add(person)
            speakers.append(
                SpeakerSpec(
                    person=str(person),
                    role=self.choice(link, "role", where, Role, "speaker"),
                    tentative=self.boolean(link, "tentative", where),
                )
            )
        return speakers


def _zone(name: str) -> ZoneInfo | None:
    try:
        return ZoneInfo(name) if name else None
    except (ZoneInfoNotFoundError, ValueError):
        return None
