"""What a programme says, checked and typed: the shape the file reader and the
organisers' forms both produce, and the importer and the editing service apply."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date, datetime


@dataclass(frozen=True)
class Problem:
    item: str
    field: str
    message: str


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
    published: bool | None = None  # absent from the file: a new edition is a draft
    city_en: str | None = None  # the city's English name, when it differs
    # What readers of it/es/pt see where a text is not in their language: en or fr.
    content_fallback: str = "en"


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
