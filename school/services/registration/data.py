"""What a participant submits, and the checks that need no database: the same for the
form, the JSON API and the CLI. Messages are in the user's language. ``data_of`` gives
a registration back as the data that would recreate it (a form starts from it)."""

from __future__ import annotations

import unicodedata
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import date

from flask_babel import gettext as _

from school.models import Registration
from school.models.vocabulary import LANGUAGES, Category
from school.services.email_addresses import checked_email
from school.services.network.countries import is_country

NAME_MAX = 100
TEXT_MAX = 200
NOTE_MAX = 500

Errors = dict[str, list[str]]
Add = Callable[[str, str], None]  # a check records a message for a field


@dataclass
class RegistrationData:
    first_name: str = ""
    last_name: str = ""
    email: str = ""
    organisation: str | None = None
    cite: str | None = None
    country: str = ""
    category: str = ""
    language: str = "fr"
    days: list[date] = field(default_factory=list)
    meals: list[int] = field(default_factory=list)  # session ids of buffets and cocktails
    sessions: list[int] = field(default_factory=list)  # session ids chosen
    # Groups allocated by preference: group id -> session ids in order (None = "any").
    rankings: dict[int, list[int | None]] = field(default_factory=dict)
    dietary: str | None = None
    accessibility: str | None = None
    privacy_consent: bool = False
    photo_consent: bool = False
    # Proves membership for members-only seats (``access``); never stored.
    member_code: str | None = None
    # A speaker registering from their private link (``access``: category ``speaker``).
    speaker_token: str | None = None


def data_of(registration: Registration) -> RegistrationData:
    """A registration as the data that would recreate it (to prefill a form)."""
    return RegistrationData(
        first_name=registration.first_name,
        last_name=registration.last_name,
        email=registration.email,
        organisation=registration.organisation,
        cite=registration.cite,
        country=registration.country,
        category=registration.category,
        language=registration.language,
        days=registration.attended_dates,
        meals=[m.session_id for m in registration.meals],
        sessions=[c.session_id for c in registration.choices],
        rankings=_rankings_of(registration),
        dietary=registration.dietary,
        accessibility=registration.accessibility,
        privacy_consent=True,
        photo_consent=registration.photo_consent,
    )


def _rankings_of(registration: Registration) -> dict[int, list[int | None]]:
    rankings: dict[int, list[int | None]] = {}
    for place in sorted(registration.rankings, key=lambda r: r.rank):
        rankings.setdefault(place.group_id, []).append(place.session_id)
    return rankings


def _has_control_characters(value: str) -> bool:
    return any(unicodedata.category(c) == "Cc" and c not in "\n\t" for c in value)


def check_fields(
    data: RegistrationData, *, edition_dates: list[date], cites: set[str] | None = None
) -> Errors:
    """Every check of a single field; fills ``data`` with cleaned values."""
    errors: Errors = {}

    def add(name: str, message: str) -> None:
        errors.setdefault(name, []).append(message)

    _check_names(data, add)
    _check_email(data, add)
    _check_texts(data, add)
    _check_cite(data, add, cites)
    _check_country(data, add)
    _check_category_and_language(data, add)
    _check_days(data, edition_dates, add)
    data.sessions = list(dict.fromkeys(data.sessions))
    data.meals = list(dict.fromkeys(data.meals))
    if not data.privacy_consent:
        add("privacy_consent", _("We need your consent to keep your registration."))
    return errors


def _check_names(data: RegistrationData, add: Add) -> None:
    for name in ("first_name", "last_name"):
        value = (getattr(data, name) or "").strip()
        setattr(data, name, value)
        if not value:
            add(name, _("Please fill in this field."))
        elif len(value) > NAME_MAX:
            add(name, _("Please keep it under %(max)d characters.", max=NAME_MAX))
        elif _has_control_characters(value) or "\n" in value:
            add(name, _("This contains characters that cannot be printed."))


def _check_email(data: RegistrationData, add: Add) -> None:
    data.email, problems = checked_email(data.email)
    for message in problems:
        add("email", message)


def _check_texts(data: RegistrationData, add: Add) -> None:
    """The optional free texts: organisation and Cité, then dietary and accessibility needs."""
    limits = (
        ("organisation", TEXT_MAX), ("dietary", NOTE_MAX), ("accessibility", NOTE_MAX),
    )  # fmt: skip
    for name, limit in limits:
        value = (getattr(data, name) or "").strip() or None
        setattr(data, name, value)
        if value and len(value) > limit:
            add(name, _("Please keep it under %(max)d characters.", max=limit))
        elif value and _has_control_characters(value):
            add(name, _("This contains characters that cannot be printed."))


def _check_cite(data: RegistrationData, add: Add, known: set[str] | None) -> None:
    """A Cité is a directory key; "another organisation" is the organisation's free text."""
    data.cite = (data.cite or "").strip() or None
    if data.cite is not None and known is not None and data.cite not in known:
        add("cite", _("Please choose a Cité from the directory, or “None”."))


def _check_country(data: RegistrationData, add: Add) -> None:
    data.country = (data.country or "").strip().upper()
    if not data.country:
        add("country", _("Please choose your country."))
    elif not is_country(data.country):
        add("country", _("Unknown country."))


def _check_category_and_language(data: RegistrationData, add: Add) -> None:
    if data.category not in {c.value for c in Category}:
        add("category", _("Please choose a category from the list."))
    if data.language not in LANGUAGES:
        add("language", _("Please choose a language from the list."))


def _check_days(data: RegistrationData, edition_dates: list[date], add: Add) -> None:
    if not data.days:
        add("days", _("Please choose at least one day."))
    elif any(day not in edition_dates for day in data.days):
        add("days", _("Please choose days of the School."))
    data.days = sorted(set(data.days))
