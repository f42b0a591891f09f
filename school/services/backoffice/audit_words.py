"""The audit log in words, for the organisers' page: each entry's action, what it is about
and its details in the reader's language — field names as words, stored codes as their
labels, ids as the names they stand for, a change as "before → after".

The log stores plain JSON (ids, codes, ISO times), exact whatever the language; it is put
into words only when read. A key or a value this module does not know is still shown, as
it is stored: nothing recorded is ever hidden from the page."""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from datetime import date, datetime
from typing import Any

import sqlalchemy as sa
from flask_babel import gettext as _
from sqlalchemy.orm import Session as DbSession

from school import i18n
from school.labels import CHOICE_STATUS_LABELS, session_title
from school.models import (
    AuditEntry,
    Edition,
    Initiative,
    Mailing,
    Organiser,
    Person,
    Registration,
    Room,
    Session,
)
from school.services.backoffice.audit_labels import (
    ACTION_LABELS,
    FIELD_LABELS,
    FIRST,
    PAGING,
    VALUE_LABELS,
)
from school.services.network.countries import country_names

# Actions whose every detail is a pair [before, after].
PAIRS = {"edition.updated", "edition.published", "edition.archived", "speaker.updated"}
SESSION_LISTS = {"freed", "meals_full"}
ISO_MOMENT = re.compile(r"\d{4}-\d{2}-\d{2}T\d{2}:\d{2}")
ISO_DAY = re.compile(r"\d{4}-\d{2}-\d{2}")
LOCAL_MOMENT = re.compile(r"\d{4}-\d{2}-\d{2} \d{2}:\d{2}")  # the programme file's


@dataclass
class Line:
    label: str
    text: str


@dataclass
class Described:
    action: str  # in words; the stored code stays beside it on the page
    target: str  # what it is about, by its name
    lines: list[Line] = field(default_factory=list)


@dataclass
class _Names:
    """The names the page's entries refer to, read once for the whole page."""

    edition: Edition
    lang: str
    sessions: dict[int, Session]
    rooms: dict[int, str]
    people: dict[int, str]
    registrations: dict[int, str]
    initiatives: dict[int, str]
    mailings: dict[int, str]
    organisers: dict[int, str]

    def session(self, value: Any) -> str:
        session = self.sessions.get(_int(value))
        return session_title(session, self.lang) if session else f"#{value}"


def describe(db: DbSession, edition: Edition, entries: list[AuditEntry]) -> list[Described]:
    """The entries in words, in the current language, in their order."""
    names = _names(db, edition, entries)
    return [_describe(entry, names) for entry in entries]


def _describe(entry: AuditEntry, names: _Names) -> Described:
    action = str(ACTION_LABELS.get(entry.action, entry.action))
    details = dict(entry.details or {})
    lines: list[Line] = []
    if entry.action in PAIRS:
        for key, value in details.items():
            lines += _pair(key, value, names)
    else:
        before, after = details.pop("before", None), details.pop("after", None)
        if before or after:
            details.pop("changed", None)  # said by the changes themselves
        first = [k for k in FIRST if k in details]
        lines += _lines(first, details, names)
        lines += _changes(before, after, names)
        lines += _lines([k for k in details if k not in first], details, names)
    return Described(action, _target(entry.target, names), lines)


def _lines(keys: list[str], details: dict, names: _Names) -> list[Line]:
    shown = ((key, _value(key, details[key], names)) for key in keys)
    return [Line(_field(key), text) for key, text in shown if text]


def _pair(key: str, value: Any, names: _Names) -> list[Line]:
    if isinstance(value, list) and len(value) == 2:
        old, new = (_value(key, v, names) or "—" for v in value)
        return [Line(_field(key), f"{old} → {new}")]
    if isinstance(value, dict):  # a group of fields (the registration window)
        return [line for k, v in value.items() for line in _pair(k, v, names)]
    return [Line(_field(key), _value(key, value, names) or "—")]


def _changes(before: Any, after: Any, names: _Names) -> list[Line]:
    """``before`` and ``after`` as one line a field: a session's fields, or a registration's
    seats ({session id: status}, where a session missing on one side was not held)."""
    if not isinstance(before, dict) and not isinstance(after, dict):
        return []
    before, after = before or {}, after or {}
    seats = all(str(k).isdigit() for k in [*before, *after])
    lines = []
    for key in dict.fromkeys([*before, *after]):
        if seats:
            label = names.session(key)
            old, new = (_choice(side.get(key)) for side in (before, after))
        else:
            label = _field(key)
            old, new = (_value(key, side.get(key), names) or "—" for side in (before, after))
        if old != new:
            lines.append(Line(label, f"{old} → {new}" if before else new))
    return lines


def _choice(status: str | None) -> str:
    return str(CHOICE_STATUS_LABELS.get(status, status)) if status else "—"


def _value(key: str, value: Any, names: _Names) -> str:
    """A stored value as words; "" for nothing to say."""
    if value is None or value == "" or value == [] or value == {}:
        return ""
    if isinstance(value, bool):
        return _("Yes") if value else _("No")
    if key in SESSION_LISTS:
        return "; ".join(names.session(v) for v in value)
    if key == "choices" and isinstance(value, dict):
        return "; ".join(i18n.pair(names.session(k), _choice(v)) for k, v in value.items())
    if key == "room_id":
        return names.rooms.get(_int(value), f"#{value}")
    if key == "speakers" and isinstance(value, list):
        return ", ".join(names.people.get(_int(v), str(v)) for v in value)
    if key == "changed" and isinstance(value, list):
        return ", ".join(_field(v) for v in value)
    if key == "moved_to_waitlist" and isinstance(value, list):
        return ", ".join(str(v.get("email", v)) if isinstance(v, dict) else str(v) for v in value)
    if key == "themes" and isinstance(value, dict):
        return "; ".join(i18n.pair(_day_or(k), v) for k, v in value.items() if v)
    if key == "session":
        return names.session(value)
    if key == "country":
        return country_names(names.lang).get(value, value)
    if key == "filters" and isinstance(value, dict):
        value = {k: v for k, v in value.items() if k not in PAGING}
    if key in ("format", "size"):
        return str(value).upper()
    if isinstance(value, dict):
        parts = [(k, _value(k, v, names)) for k, v in value.items()]
        return "; ".join(i18n.pair(_field(k), text) for k, text in parts if text)
    if isinstance(value, list):
        return ", ".join(_value(key, v, names) for v in value)
    if isinstance(value, str):
        labels = VALUE_LABELS.get(key, {})
        if value in labels:
            return str(labels[value])
        return _moment_or(value, names.edition)
    return str(value)


def _moment_or(text: str, edition: Edition) -> str:
    """An ISO time or day as the reader writes it (times in the edition's zone)."""
    try:
        if ISO_MOMENT.fullmatch(text[:16]):
            moment = datetime.fromisoformat(text)
            if moment.tzinfo is not None:
                return i18n.local_datetime(moment, edition.tz, "medium")
        elif LOCAL_MOMENT.fullmatch(text):
            moment = datetime.fromisoformat(text).replace(tzinfo=edition.tz)
            return i18n.local_datetime(moment, edition.tz, "medium")
        elif ISO_DAY.fullmatch(text):
            return i18n.local_date(date.fromisoformat(text), "medium")
    except ValueError:
        pass
    return text


def _day_or(text: str) -> str:
    return i18n.local_date(date.fromisoformat(text), "medium") if ISO_DAY.fullmatch(text) else text


def _field(key: str) -> str:
    return str(FIELD_LABELS.get(key, key))


def _target(target: str | None, names: _Names) -> str:
    kind, _sep, number = (target or "").partition(":")
    found = {
        "session": lambda: names.session(number),
        "registration": lambda: names.registrations.get(_int(number)),
        "room": lambda: names.rooms.get(_int(number)),
        "person": lambda: names.people.get(_int(number)),
        "initiative": lambda: names.initiatives.get(_int(number)),
        "mailing": lambda: names.mailings.get(_int(number)),
        "organiser": lambda: names.organisers.get(_int(number)),
        "edition": lambda: (
            names.edition.text("title", names.lang) if _int(number) == names.edition.id else None
        ),
    }.get(kind, lambda: None)()
    if found:
        return found
    words = {
        "registrations": _("Registrations"),
        "sessions": _("Participants by session"),
        "catering": _("Catering"),
        "checkins": _("Check-ins"),
    }
    return words.get(target or "", target or "")


def _int(value: Any) -> int | None:
    text = str(value)
    return int(text) if text.isdigit() else None


def _names(db: DbSession, edition: Edition, entries: list[AuditEntry]) -> _Names:
    wanted: dict[str, set[int]] = {
        k: set() for k in ("session", "room", "person", "reg", "ini", "mailing", "organiser")
    }
    for entry in entries:
        kind, _sep, number = (entry.target or "").partition(":")
        key = {"registration": "reg", "initiative": "ini"}.get(kind, kind)
        if key in wanted and number.isdigit():
            wanted[key].add(int(number))
        details = entry.details or {}
        for name in ("freed", "meals_full"):
            wanted["session"] |= {v for v in details.get(name) or [] if isinstance(v, int)}
        for side in ("choices", "before", "after"):
            if isinstance(details.get(side), dict):
                held = details[side]
                wanted["session"] |= {int(k) for k in held if str(k).isdigit()}
                if isinstance(held.get("room_id"), int):
                    wanted["room"].add(held["room_id"])
        wanted["person"] |= {v for v in details.get("speakers") or [] if isinstance(v, int)}
        chosen = (details.get("filters") or {}).get("session")
        if isinstance(chosen, str) and chosen.isdigit():
            wanted["session"].add(int(chosen))

    def read(model, ids, *columns):
        if not ids:
            return []
        return db.execute(
            sa.select(model.id, *columns).where(model.id.in_(ids), model.edition_id == edition.id)
        ).all()

    lang = i18n.language()
    sessions = (
        db.scalars(
            sa.select(Session).where(
                Session.id.in_(wanted["session"]), Session.edition_id == edition.id
            )
        ).all()
        if wanted["session"]
        else []
    )
    rooms = {
        i: (en if lang == "en" and en else fr)
        for i, fr, en in read(Room, wanted["room"], Room.name_fr, Room.name_en)
    }
    people = {
        i: f"{first} {last}"
        for i, first, last in read(Person, wanted["person"], Person.first_name, Person.last_name)
    }
    registrations = {
        i: f"{last}, {first}"
        for i, first, last in read(
            Registration, wanted["reg"], Registration.first_name, Registration.last_name
        )
    }
    initiatives = {
        i: (en if lang == "en" and en else fr)
        for i, fr, en in read(Initiative, wanted["ini"], Initiative.title_fr, Initiative.title_en)
    }
    mailings = {
        i: (en if lang == "en" and en else fr)
        for i, fr, en in read(Mailing, wanted["mailing"], Mailing.subject_fr, Mailing.subject_en)
    }
    organisers = (
        dict(
            db.execute(
                sa.select(Organiser.id, Organiser.email).where(
                    Organiser.id.in_(wanted["organiser"])
                )
            ).all()
        )
        if wanted["organiser"]
        else {}
    )
    return _Names(
        edition, lang, {s.id: s for s in sessions}, rooms, people, registrations, initiatives,
        mailings, organisers,
    )  # fmt: skip
