"""Language of the interface: ``?lang=`` (remembered), else the browser's, else French.

Public, participant, speaker and scanner pages speak the network's five languages; the back
office speaks French and English only (its readers are the coordination team).

Dates and times are formatted for the language and shown in the edition's timezone.
"""

from __future__ import annotations

import functools
import re
from collections.abc import Iterable
from datetime import date, datetime, tzinfo

from babel import Locale
from babel import dates as babel_dates
from flask import Response, current_app, g, has_request_context, request, session
from flask_babel import get_locale, gettext
from werkzeug.datastructures import LanguageAccept
from werkzeug.http import parse_accept_header

BACK_OFFICE = "organiser"  # the blueprint of the back office
# Back-office pages a door volunteer also meets: they follow the volunteer's language.
DOOR_ENDPOINTS = frozenset(
    {"organiser.checkin_picker", "organiser.checkin_scanner", "organiser.login"}
)


def in_back_office() -> bool:
    """The request is for a back-office page, one that does not exist included (no
    blueprint then: its address says it)."""
    if request.blueprint == BACK_OFFICE:
        return True
    if request.url_rule is not None:
        return False
    return request.path.startswith(f"{current_app.blueprints[BACK_OFFICE].url_prefix}/")


def page_languages() -> tuple[str, ...]:
    """The languages the current page may be shown in."""
    if has_request_context() and in_back_office() and request.endpoint not in DOOR_ENDPOINTS:
        return current_app.config["BACKOFFICE_LANGUAGES"]
    return current_app.config["LANGUAGES"]


def select_locale() -> Locale:
    """The request's language, as the ``Locale`` Flask-Babel would make of its name: made
    once per language (and the browser's preference read once per header), not at every
    request: ~20 of the 35 µs ``get_locale()`` took, which a scan at the door asks for its
    verdict's message (bench/README.md, fifteenth round)."""
    languages = page_languages()
    if not has_request_context():
        return _locale(languages[0])
    asked = request.args.get("lang")
    if asked in languages:
        session["lang"] = asked
        return _locale(asked)
    remembered = session.get("lang")
    if remembered in languages:
        return _locale(remembered)
    g.language_negotiated = True  # the answer varies with Accept-Language: say so
    header = request.headers.get("Accept-Language", "")
    return _locale(_preferred(header, tuple(languages)))


@functools.cache  # one per language of the site
def _locale(language: str) -> Locale:
    return Locale.parse(language)


@functools.lru_cache(maxsize=512)  # browsers send a few dozen different headers, not more
def _preferred(header: str, languages: tuple[str, ...]) -> str:
    return best_language(parse_accept_header(header, LanguageAccept), languages)


def vary_with_negotiated_language(response: Response) -> Response:
    """After a request: a page whose language came from the browser's preference says so
    (``Vary``), so no shared cache gives it to a reader of another language."""
    if g.get("language_negotiated"):
        response.vary.add("Accept-Language")
    return response


def best_language(accepted: LanguageAccept, languages: tuple[str, ...]) -> str:
    """The browser's preferred language among ``languages``, else the first of them. A
    regional tag counts for its language (``pt-PT`` is Portuguese): werkzeug's
    ``best_match`` tries every tag exactly before any region, so ``pt-PT, en;q=0.5``
    gave a Portuguese reader English."""
    offered = {language.lower(): language for language in languages}
    for tag, quality in accepted:  # best first
        primary = tag.replace("_", "-").split("-")[0].lower()
        if quality <= 0:
            continue
        if primary == "*":
            return languages[0]
        if primary in offered:
            return offered[primary]
    return languages[0]


def language() -> str:
    return str(get_locale() or "fr")[:2]


def label_colon(label: object) -> str:
    """A label before its value, "Status:", as the reader's language writes it: French puts
    a space before the colon ("Statut :"). Every "label: value" of a page goes through it."""
    return gettext("%(name)s:", name=label)


def pair(label: object, value: object) -> str:
    """ "Status: Draft", "Statut : Brouillon"."""
    return f"{label_colon(label)} {value}"


# Day before month, month in words and a 24-hour clock in both languages ("19 June 2019",
# "19 Jun 2019, 14:30"): CLDR's English defaults are American ("6/19/19", "2:30 PM"), which
# a European audience misreads. Named styles map to these patterns; any other string is a
# CLDR pattern used as given.
DATE_STYLES = {
    "full": "EEEE d MMMM y",
    "long": "d MMMM y",
    "medium": "d MMM y",
    "short": "d MMM y",
}
DATETIME_STYLES = {
    "full": "EEEE d MMMM y, HH:mm",
    "long": "d MMMM y, HH:mm",
    "medium": "d MMM y, HH:mm",
    "short": "d MMM, HH:mm",
}
CLOCK = "HH:mm"
# British English orders and spells dates as the rest of Europe does.
_CLDR_LOCALES = {"en": "en_GB"}


def cldr_locale(lang: str | None = None) -> str:
    lang = lang or language()
    return _CLDR_LOCALES.get(lang, lang)


def local_time(moment: datetime, tz: tzinfo, lang: str | None = None) -> str:
    return babel_dates.format_time(moment, CLOCK, tzinfo=tz, locale=cldr_locale(lang))


# Spanish and Portuguese join the day, the month and the year with "de" ("miércoles, 19
# de junio de 2019"): the same patterns, said their way ("miércoles 19 junio 2019" read
# as a machine's).
_SAID_WITH_DE = (
    ("EEEE d", "EEEE, d"),
    ("d MMMM y", "d 'de' MMMM 'de' y"),
    ("d MMMM", "d 'de' MMMM"),
)


@functools.lru_cache(maxsize=256)
def _pattern(pattern: str, lang: str) -> str:
    if lang not in ("es", "pt"):
        return pattern
    for ours, theirs in _SAID_WITH_DE:
        if ours in pattern and "'de'" not in pattern:
            pattern = pattern.replace(ours, theirs)
    return pattern


# French says the first day of a month as an ordinal: "1er janvier", never "1 janvier"
# (CLDR's patterns have no ordinal day). The day before a month's name only.
_DAY_BEFORE_MONTH = re.compile(r"(?<![d'])d(?= (?:'de' )?MMM)")


def _first_of_month(pattern: str, day: int, lang: str) -> str:
    return _DAY_BEFORE_MONTH.sub("d'er'", pattern) if lang == "fr" and day == 1 else pattern


def day_number(day: date, lang: str | None = None) -> str:
    """The day of the month alone, before a month said after it ("1er–3 juin")."""
    return f"{day.day}er" if (lang or language()) == "fr" and day.day == 1 else str(day.day)


def local_date(day: date, fmt: str = "full", lang: str | None = None) -> str:
    lang = lang or language()
    pattern = _first_of_month(_pattern(DATE_STYLES.get(fmt, fmt), lang), day.day, lang)
    return babel_dates.format_date(day, pattern, locale=cldr_locale(lang))


def day_list(days: Iterable[date], fmt: str = "full", lang: str | None = None) -> str:
    """Days one after another ("mercoledì 19 giugno, venerdì 21 giugno"). Where a day is
    written with a comma of its own ("miércoles, 19 de junio"), the days are parted by
    semicolons: joined by commas, two days read as four items."""
    said = [local_date(day, fmt, lang) for day in days]
    return ("; " if any("," in one for one in said) else ", ").join(said)


def local_datetime(moment: datetime, tz: tzinfo, fmt: str = "medium", lang: str | None = None):
    lang = lang or language()
    pattern = _pattern(DATETIME_STYLES.get(fmt, fmt), lang)
    pattern = _first_of_month(pattern, moment.astimezone(tz).day, lang)
    return babel_dates.format_datetime(moment, pattern, tzinfo=tz, locale=cldr_locale(lang))


def time_range(start: datetime, end: datetime, tz: tzinfo, lang: str | None = None) -> str:
    return f"{local_time(start, tz, lang)}–{local_time(end, tz, lang)}"


def day_and_times(start: datetime, end: datetime, tz: tzinfo, lang: str | None = None) -> str:
    """ "Wednesday 19 June 2019, 14:00–15:30": when a session is, its day said in full."""
    lang = lang or language()
    first, last = start.astimezone(tz).date(), end.astimezone(tz).date()
    if first != last:  # past midnight: each end with its day
        ends = (local_datetime(moment, tz, "full", lang) for moment in (start, end))
        return " – ".join(ends)
    return f"{local_date(first, 'full', lang)}, {time_range(start, end, tz, lang)}"


def date_range(first: date, last: date, lang: str | None = None) -> str:
    """ "19–21 June 2019", "30 June – 2 July 2019": the month and year said once when shared."""
    if first == last:
        return local_date(first, "long", lang)
    if (first.year, first.month) == (last.year, last.month):
        return f"{day_number(first, lang)}–{local_date(last, 'long', lang)}"
    if first.year == last.year:
        return f"{local_date(first, 'd MMMM', lang)} – {local_date(last, 'long', lang)}"
    return f"{local_date(first, 'long', lang)} – {local_date(last, 'long', lang)}"
