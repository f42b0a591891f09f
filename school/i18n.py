"""Language of the interface: ``?lang=`` (remembered), else the browser's, else French.

Public, participant, speaker and scanner pages speak the network's five languages; the back
office speaks French and English only (its readers are the coordination team).

Dates and times are formatted for the language and shown in the edition's timezone.
"""

from __future__ import annotations

from datetime import date, datetime, tzinfo

from babel import dates as babel_dates
from flask import current_app, has_request_context, request, session
from flask_babel import get_locale

# Back-office pages a door volunteer also meets: they follow the volunteer's language.
DOOR_ENDPOINTS = frozenset(
    {"organiser.checkin_picker", "organiser.checkin_scanner", "organiser.login"}
)


def page_languages() -> tuple[str, ...]:
    """The languages the current page may be shown in."""
    if (
        has_request_context()
        and request.blueprint == "organiser"
        and request.endpoint not in DOOR_ENDPOINTS
    ):
        return current_app.config["BACKOFFICE_LANGUAGES"]
    return current_app.config["LANGUAGES"]


def select_locale() -> str:
    languages = page_languages()
    if not has_request_context():
        return languages[0]
    asked = request.args.get("lang")
    if asked in languages:
        session["lang"] = asked
        return asked
    remembered = session.get("lang")
    if remembered in languages:
        return remembered
    return request.accept_languages.best_match(languages) or languages[0]


def language() -> str:
    return str(get_locale() or "fr")[:2]


def local_time(moment: datetime, tz: tzinfo, lang: str | None = None) -> str:
    return babel_dates.format_time(moment, "short", tzinfo=tz, locale=lang or language())


def local_date(day: date, fmt: str = "full", lang: str | None = None) -> str:
    return babel_dates.format_date(day, fmt, locale=lang or language())


def local_datetime(moment: datetime, tz: tzinfo, fmt: str = "medium", lang: str | None = None):
    return babel_dates.format_datetime(moment, fmt, tzinfo=tz, locale=lang or language())


def time_range(start: datetime, end: datetime, tz: tzinfo, lang: str | None = None) -> str:
    return f"{local_time(start, tz, lang)}–{local_time(end, tz, lang)}"
