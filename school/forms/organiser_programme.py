"""Forms of the organisers' programme pages: editions, sessions, rooms, speakers.

Each form turns what was typed into an item in the programme file's shape
(``entry()``) and back (``fill()``); the services check it with the file's rules and
name problems by the file's field names, which ``show_errors`` puts under the
right fields.
"""

from __future__ import annotations

from typing import Any
from zoneinfo import available_timezones

from flask_babel import lazy_gettext as _l
from flask_wtf import FlaskForm
from flask_wtf.file import FileField
from wtforms import (
    BooleanField,
    EmailField,
    FieldList,
    Form,
    FormField,
    HiddenField,
    SelectField,
    StringField,
    SubmitField,
    TextAreaField,
)

from school import i18n
from school.forms import place_errors
from school.labels import AUDIENCE_LABELS, KIND_LABELS, ROLE_LABELS, SESSION_STATUS_LABELS
from school.models import Edition, Person, Room
from school.models.vocabulary import CONTENT_LANGUAGES
from school.services.email_addresses import EMAIL_MAX


def _text(value: str | None) -> str | None:
    return (value or "").strip() or None


def capacity_value(value: str | None) -> Any:
    """A whole number, None when empty, else the text as typed (the check names it)."""
    text = (value or "").strip()
    if not text:
        return None
    return int(text) if text.isdigit() else text


class ProblemsForm(FlaskForm):
    # The file's field names that are not this form's field names.
    FIELD_OF: dict[str, str] = {}

    def show_errors(self, errors: dict[str, list[str]]) -> list[str]:
        return place_errors(
            self, errors, lambda name: self.FIELD_OF.get(name, name.replace(".", "_"))
        )


class EditionForm(ProblemsForm):
    FIELD_OF = {
        "title": "title_fr",
        "opens_at": "registration_opens_at",
        "closes_at": "registration_closes_at",
        "registration": "registration_opens_at",
    }

    slug = StringField(
        _l("Short name in addresses (slug)"),
        render_kw={"maxlength": 80, "pattern": "[a-z0-9][a-z0-9_-]*", "autocomplete": "off"},
    )
    title_fr = StringField(_l("Title (in French)"), render_kw={"maxlength": 200})
    title_en = StringField(_l("Title (in English)"), render_kw={"maxlength": 200})
    tagline_fr = StringField(_l("Tagline (in French)"), render_kw={"maxlength": 300})
    tagline_en = StringField(_l("Tagline (in English)"), render_kw={"maxlength": 300})
    description_fr = TextAreaField(_l("Description (in French)"), render_kw={"rows": 4})
    description_en = TextAreaField(_l("Description (in English)"), render_kw={"rows": 4})
    city = StringField(_l("City (its own name)"), render_kw={"maxlength": 120})
    city_en = StringField(_l("City in English, if different"), render_kw={"maxlength": 120})
    content_fallback = SelectField(
        _l("Readers of Italian, Spanish or Portuguese see untranslated texts in"),
        choices=[("en", _l("English")), ("fr", _l("French"))],
        default="en",
        validate_choice=False,
    )
    venue = StringField(_l("Venue"), render_kw={"maxlength": 200})
    address = StringField(_l("Address"), render_kw={"maxlength": 300})
    timezone = StringField(
        _l("Time zone"), default="Europe/Paris", render_kw={"list": "timezones", "maxlength": 64}
    )
    starts_on = StringField(_l("First day"), render_kw={"type": "date"})
    ends_on = StringField(_l("Last day"), render_kw={"type": "date"})
    contact_email = EmailField(_l("Contact e-mail"), render_kw={"maxlength": EMAIL_MAX})
    registration_opens_at = StringField(
        _l("Registration opens (local time)"), render_kw={"type": "datetime-local"}
    )
    registration_closes_at = StringField(
        _l("Registration closes (local time)"), render_kw={"type": "datetime-local"}
    )
    capacity = StringField(_l("Maximum number of participants"), render_kw={"inputmode": "numeric"})

    @staticmethod
    def timezones() -> list[str]:
        return sorted(z for z in available_timezones() if "/" in z and not z.startswith("Etc"))

    def entry(self) -> dict[str, Any]:
        def pair(name: str) -> dict[str, str | None]:
            return {"fr": _text(self[f"{name}_fr"].data), "en": _text(self[f"{name}_en"].data)}

        return {
            "slug": (self.slug.data or "").strip(),
            "title": pair("title"),
            "tagline": pair("tagline"),
            "description": pair("description"),
            "city": {"fr": _text(self.city.data), "en": _text(self.city_en.data)}
            if _text(self.city_en.data)
            else _text(self.city.data),
            "venue": _text(self.venue.data),
            "address": _text(self.address.data),
            "timezone": _text(self.timezone.data),
            "starts_on": _text(self.starts_on.data),
            "ends_on": _text(self.ends_on.data),
            "contact_email": _text(self.contact_email.data),
            "content_fallback": self.content_fallback.data or "en",
            "registration": {
                "opens_at": _text(self.registration_opens_at.data),
                "closes_at": _text(self.registration_closes_at.data),
                "capacity": capacity_value(self.capacity.data),
            },
        }

    def fill(self, entry: dict[str, Any]) -> None:
        for name in ("title", "tagline", "description"):
            self[f"{name}_fr"].data = (entry.get(name) or {}).get("fr")
            self[f"{name}_en"].data = (entry.get(name) or {}).get("en")
        for name in ("slug", "city", "venue", "address", "timezone", "starts_on", "ends_on",
                     "contact_email"):  # fmt: skip
            self[name].data = entry.get(name)
        if isinstance(entry.get("city"), dict):
            self.city.data, self.city_en.data = entry["city"].get("fr"), entry["city"].get("en")
        self.content_fallback.data = entry.get("content_fallback") or "en"
        registration = entry.get("registration") or {}
        for name in ("opens_at", "closes_at"):
            value = registration.get(name)
            self[f"registration_{name}"].data = value.replace(" ", "T") if value else None
        capacity = registration.get("capacity")
        self.capacity.data = "" if capacity is None else str(capacity)


class CloneForm(ProblemsForm):
    FIELD_OF = {"title": "title_fr"}

    slug = EditionForm.slug
    title_fr = EditionForm.title_fr
    title_en = EditionForm.title_en
    starts_on = StringField(_l("First day of the new edition"), render_kw={"type": "date"})


class DaysForm(FlaskForm):
    """The theme and description of each day. Their inputs (``<name>_<lang>-<date>``) are
    not fields of this form: the page lists the problems above them all."""

    problems: dict[str, list[str]] | None = None

    def show_errors(self, errors: dict[str, list[str]]) -> list[str]:
        self.problems = errors
        return []


class SpeakerRow(Form):
    person = SelectField(_l("Person"), validate_choice=False)
    role = SelectField(_l("Role"), choices=list(ROLE_LABELS.items()), validate_choice=False)
    tentative = BooleanField(_l("To be confirmed"))


MAX_SPEAKERS = 30


class SessionForm(ProblemsForm):
    FIELD_OF = {"title": "title_fr", "date": "day", "meal": "is_meal", "person": "speakers",
                "first_name": "new_first_name", "last_name": "new_last_name",
                "organisation": "new_organisation", "function.fr": "new_function"}  # fmt: skip

    title_fr = StringField(_l("Title (in French)"), render_kw={"maxlength": 300})
    title_en = StringField(_l("Title (in English)"), render_kw={"maxlength": 300})
    kind = SelectField(_l("Kind"), choices=list(KIND_LABELS.items()), validate_choice=False)
    day = SelectField(_l("Day"), validate_choice=False)
    start = StringField(_l("Starts at"), render_kw={"type": "time"})
    end = StringField(_l("Ends at"), render_kw={"type": "time"})
    room = SelectField(_l("Room"), validate_choice=False)
    capacity = StringField(
        _l("Seats (empty: unlimited)"), render_kw={"inputmode": "numeric", "maxlength": 6}
    )
    requires_registration = BooleanField(_l("Registration required (sur inscription)"))
    audience = SelectField(
        _l("Audience"), choices=list(AUDIENCE_LABELS.items()), validate_choice=False
    )
    status = SelectField(
        _l("Status"), choices=list(SESSION_STATUS_LABELS.items()), validate_choice=False
    )
    is_meal = BooleanField(_l("A meal the caterers count (buffet, cocktail)"))
    description_fr = TextAreaField(_l("Description (in French)"), render_kw={"rows": 4})
    description_en = TextAreaField(_l("Description (in English)"), render_kw={"rows": 4})
    # Optional translations for the network's other languages (the page shows the English or
    # French text where one is missing).
    title_it = StringField(_l("Title (in Italian)"), render_kw={"maxlength": 300, "lang": "it"})
    title_es = StringField(_l("Title (in Spanish)"), render_kw={"maxlength": 300, "lang": "es"})
    title_pt = StringField(_l("Title (in Portuguese)"), render_kw={"maxlength": 300, "lang": "pt"})
    description_it = TextAreaField(
        _l("Description (in Italian)"), render_kw={"rows": 3, "lang": "it"}
    )
    description_es = TextAreaField(
        _l("Description (in Spanish)"), render_kw={"rows": 3, "lang": "es"}
    )
    description_pt = TextAreaField(
        _l("Description (in Portuguese)"), render_kw={"rows": 3, "lang": "pt"}
    )
    speakers = FieldList(FormField(SpeakerRow), min_entries=0, max_entries=MAX_SPEAKERS)
    add_row = SubmitField(_l("Add a speaker row"))
    new_first_name = StringField(_l("First name"), render_kw={"maxlength": 100})
    new_last_name = StringField(_l("Last name"), render_kw={"maxlength": 100})
    new_organisation = StringField(_l("Organisation"), render_kw={"maxlength": 200})
    new_function = StringField(_l("Function (in French)"), render_kw={"maxlength": 300})
    add_person = SubmitField(_l("Add this person"))
    move_excess = BooleanField(_l("Move the last confirmed to the waiting list"))
    notify = BooleanField(
        _l("Tell the people concerned if the time, room, title or status changes"),
        default=True,
    )

    def prepare(self, edition: Edition, rooms: list[Room], people: list[Person], lang: str):
        self.day.choices = [
            (d.isoformat(), i18n.local_date(d, "full", lang)) for d in edition.dates
        ]
        self.room.choices = [("", "—")] + [(r.key, r.text("name", lang)) for r in rooms]
        persons = [("", "—")] + [
            (p.key, p.full_name) for p in sorted(people, key=lambda p: p.sort_key)
        ]
        # One empty row to fill; more on demand ("add a row": a script, or a round trip).
        if self.add_row.data and len(self.speakers.entries) < MAX_SPEAKERS:
            self.speakers.append_entry()
        if all(row.person.data for row in self.speakers) and len(self.speakers) < MAX_SPEAKERS:
            self.speakers.append_entry()
        for row in self.speakers:
            row.person.choices = persons
        return self

    def new_person_entry(self) -> dict[str, Any] | None:
        """The person typed in "add a person", in the file's shape (None: nothing typed)."""
        names = (self.new_first_name.data, self.new_last_name.data, self.new_organisation.data)
        if not any(_text(value) for value in names):
            return None
        return {
            "first_name": _text(self.new_first_name.data),
            "last_name": _text(self.new_last_name.data),
            "organisation": _text(self.new_organisation.data),
            "function": {"fr": _text(self.new_function.data), "en": None},
        }

    def take_new_person(self, key: str) -> None:
        """The person just added goes into the first empty row; the fields are cleared."""
        row = next((row for row in self.speakers if not row.person.data), None)
        if row is None:
            self.speakers.append_entry()
            row = self.speakers.entries[-1]
        row.person.data = key
        for name in ("new_first_name", "new_last_name", "new_organisation", "new_function"):
            self[name].data = ""

    def entry(self) -> dict[str, Any]:
        return {
            "date": self.day.data,
            "start": _text(self.start.data),
            "end": _text(self.end.data),
            "kind": self.kind.data,
            "title": {lang: _text(self[f"title_{lang}"].data) for lang in CONTENT_LANGUAGES},
            "description": {
                lang: _text(self[f"description_{lang}"].data) for lang in CONTENT_LANGUAGES
            },
            "room": self.room.data or None,
            "capacity": capacity_value(self.capacity.data),
            "requires_registration": bool(self.requires_registration.data),
            "audience": self.audience.data,
            "status": self.status.data,
            "meal": bool(self.is_meal.data),
            "speakers": [
                {"person": row.person.data, "role": row.role.data,
                 "tentative": bool(row.tentative.data)}
                for row in self.speakers
                if row.person.data
            ],
        }  # fmt: skip

    def fill(self, entry: dict[str, Any]) -> None:
        self.day.data = entry["date"]
        self.start.data, self.end.data = entry["start"], entry["end"]
        self.kind.data = entry["kind"]
        for lang in CONTENT_LANGUAGES:
            self[f"title_{lang}"].data = entry["title"].get(lang)
            self[f"description_{lang}"].data = entry["description"].get(lang)
        self.room.data = entry["room"] or ""
        self.capacity.data = "" if entry["capacity"] is None else str(entry["capacity"])
        self.requires_registration.data = entry["requires_registration"]
        self.audience.data, self.status.data = entry["audience"], entry["status"]
        self.is_meal.data = entry["meal"]
        while self.speakers.entries:
            self.speakers.pop_entry()
        for link in entry["speakers"]:
            self.speakers.append_entry(link)


class RoomForm(ProblemsForm):
    FIELD_OF = {"name": "name_fr", "id": "name_fr"}

    name_fr = StringField(_l("Name (in French)"), render_kw={"maxlength": 200})
    name_en = StringField(_l("Name (in English)"), render_kw={"maxlength": 200})
    capacity = StringField(_l("Capacity"), render_kw={"inputmode": "numeric"})

    def entry(self) -> dict[str, Any]:
        return {
            "name": {"fr": _text(self.name_fr.data), "en": _text(self.name_en.data)},
            "capacity": capacity_value(self.capacity.data),
        }

    def fill(self, entry: dict[str, Any]) -> None:
        self.name_fr.data, self.name_en.data = entry["name"]["fr"], entry["name"]["en"]
        self.capacity.data = "" if entry["capacity"] is None else str(entry["capacity"])


class PersonForm(ProblemsForm):
    FIELD_OF = {"id": "last_name"}

    first_name = StringField(_l("First name"), render_kw={"maxlength": 100})
    last_name = StringField(_l("Last name"), render_kw={"maxlength": 100})
    function_fr = StringField(_l("Function (in French)"), render_kw={"maxlength": 300})
    function_en = StringField(_l("Function (in English)"), render_kw={"maxlength": 300})
    organisation = StringField(_l("Organisation"), render_kw={"maxlength": 200})
    email = EmailField(_l("E-mail"), render_kw={"maxlength": EMAIL_MAX})
    bio_fr = TextAreaField(_l("Biography (in French)"), render_kw={"rows": 4})
    bio_en = TextAreaField(_l("Biography (in English)"), render_kw={"rows": 4})

    def entry(self) -> dict[str, Any]:
        return {
            "first_name": _text(self.first_name.data),
            "last_name": _text(self.last_name.data),
            "function": {"fr": _text(self.function_fr.data), "en": _text(self.function_en.data)},
            "organisation": _text(self.organisation.data),
            "email": _text(self.email.data),
            "bio": {"fr": _text(self.bio_fr.data), "en": _text(self.bio_en.data)},
        }

    def fill(self, entry: dict[str, Any]) -> None:
        for name in ("first_name", "last_name", "organisation", "email"):
            self[name].data = entry[name]
        for name in ("function", "bio"):
            self[f"{name}_fr"].data = entry[name]["fr"]
            self[f"{name}_en"].data = entry[name]["en"]


class ConfirmForm(FlaskForm):
    """A button that changes something: only its CSRF token."""

    notify = BooleanField(_l("Tell the people concerned"), default=True)


class InviteForm(FlaskForm):
    """E-mail speakers the link to their page."""

    again = BooleanField(_l("Also those who already had it"))


class SheetForm(FlaskForm):
    """A spreadsheet of sessions: previewed first, then confirmed with the same rows."""

    sheet = FileField(_l("Spreadsheet (CSV or XLSX)"))
    rows = HiddenField()
