"""Dates and times for a European audience: day before month, the month in words and a
24-hour clock, in every language (Spanish and Portuguese with their "de"), on pages, in
the back office and in e-mails."""

from __future__ import annotations

import re
from datetime import UTC, date, datetime
from zoneinfo import ZoneInfo

import pytest
import sqlalchemy as sa

from school import i18n
from school.models import OutboxMessage
from school.services.programme import lifecycle
from tests.support.backoffice import Organiser, make_admin
from tests.support.factories import make_registration
from tests.support.outbox import written
from tests.support.visitor import Visitor, answers

PARIS = ZoneInfo("Europe/Paris")
AFTERNOON = datetime(2019, 6, 19, 12, 30, tzinfo=UTC)  # 14:30 in Paris
US_DATE = re.compile(r"\b\d{1,2}/\d{1,2}/\d{2,4}\b")
TWELVE_HOUR = re.compile(r"\d{1,2}:\d\d\s?(AM|PM|am|pm)")


@pytest.mark.parametrize(
    ("lang", "full", "long", "short", "moment", "clock"),
    [
        (
            "en",
            "Wednesday 19 June 2019",
            "19 June 2019",
            "19 Jun 2019",
            "19 Jun, 14:30",
            "14:30",
        ),
        (
            "fr",
            "mercredi 19 juin 2019",
            "19 juin 2019",
            "19 juin 2019",
            "19 juin, 14:30",
            "14:30",
        ),
        # Spanish and Portuguese say "de" between the day, the month and the year.
        (
            "es",
            "miércoles, 19 de junio de 2019",
            "19 de junio de 2019",
            "19 jun 2019",
            "19 jun, 14:30",
            "14:30",
        ),
        (
            "pt",
            "quarta-feira, 19 de junho de 2019",
            "19 de junho de 2019",
            "19 jun. 2019",
            "19 jun., 14:30",
            "14:30",
        ),
        (
            "it",
            "mercoledì 19 giugno 2019",
            "19 giugno 2019",
            "19 giu 2019",
            "19 giu, 14:30",
            "14:30",
        ),
    ],
)
def test_one_set_of_unambiguous_formats_in_both_languages(lang, full, long, short, moment, clock):
    day = date(2019, 6, 19)
    assert i18n.local_date(day, "full", lang) == full
    assert i18n.local_date(day, "long", lang) == long
    assert i18n.local_date(day, "short", lang) == short
    assert i18n.local_datetime(AFTERNOON, PARIS, "short", lang) == moment
    assert i18n.local_time(AFTERNOON, PARIS, lang) == clock
    early = datetime(2019, 6, 19, 7, 5, tzinfo=UTC)
    assert i18n.time_range(early, AFTERNOON, PARIS, lang) == "09:05–14:30"


def test_a_range_of_days_says_the_month_and_year_once():
    assert i18n.date_range(date(2019, 6, 19), date(2019, 6, 21), "en") == "19–21 June 2019"
    assert i18n.date_range(date(2019, 6, 30), date(2019, 7, 2), "fr") == "30 juin – 2 juillet 2019"
    assert (
        i18n.date_range(date(2019, 12, 30), date(2020, 1, 2), "en")
        == "30 December 2019 – 2 January 2020"
    )
    assert i18n.date_range(date(2019, 6, 19), date(2019, 6, 21), "es") == "19–21 de junio de 2019"
    assert (
        i18n.date_range(date(2019, 6, 30), date(2019, 7, 2), "pt")
        == "30 de junho – 2 de julho de 2019"
    )
    assert i18n.local_date(date(2019, 6, 19), "EEEE d MMMM", "pt") == "quarta-feira, 19 de junho"


def test_english_pages_and_back_office_use_no_us_dates_nor_12_hour_clock(app, client, db, demo):
    make_registration(db, demo, first_name="Awa", last_name="Diop")
    db.commit()
    for url in (f"/{demo.slug}/programme", f"/{demo.slug}/register"):
        html = client.get(url, query_string={"lang": "en"}).get_data(as_text=True)
        assert not TWELVE_HOUR.search(html) and not US_DATE.search(html), url
        assert "Wednesday 19 June 2019" in html
    make_admin(app, db)
    organiser = Organiser(client, "en").login()
    for path in ("registrations", "", "programme", "speakers", "lists"):
        html = organiser.page(f"/organiser/{demo.slug}/{path}")
        assert not TWELVE_HOUR.search(html) and not US_DATE.search(html), path


def test_the_first_of_a_month_is_1er_in_french_only(app):
    first = date(2030, 1, 1)
    assert i18n.local_date(first, "full", "fr") == "mardi 1er janvier 2030"
    assert i18n.local_date(first, "long", "fr") == "1er janvier 2030"
    assert i18n.local_date(first, "short", "fr") == "1er janv. 2030"
    assert i18n.local_date(first, "d MMMM", "fr") == "1er janvier"
    midnight = datetime(2029, 12, 31, 23, 30, tzinfo=UTC)  # already the 1st in Paris
    assert i18n.local_datetime(midnight, PARIS, "short", "fr") == "1er janv., 00:30"
    assert i18n.date_range(date(2030, 6, 1), date(2030, 6, 3), "fr") == "1er–3 juin 2030"
    assert i18n.date_range(date(2030, 5, 1), date(2030, 6, 1), "fr") == "1er mai – 1er juin 2030"
    # Other days, and the other languages, keep the plain number.
    assert i18n.local_date(date(2030, 1, 11), "long", "fr") == "11 janvier 2030"
    assert i18n.local_date(date(2030, 1, 21), "long", "fr") == "21 janvier 2030"
    assert i18n.local_date(first, "long", "en") == "1 January 2030"
    assert i18n.local_date(first, "long", "es") == "1 de enero de 2030"
    assert i18n.date_range(date(2030, 6, 1), date(2030, 6, 3), "it") == "1–3 giugno 2030"
    with app.test_request_context("/?lang=fr"):
        # What pages say of a registration window ("ouvre le 1er mars 2019, 09:00").
        opening = datetime(2019, 3, 1, 8, 0, tzinfo=UTC)
        assert lifecycle.when(opening, PARIS) == "1er mars 2019, 09:00"


@pytest.mark.parametrize(
    ("lang", "said"),
    [
        ("es", "miércoles, 19 de junio; viernes, 21 de junio"),
        ("pt", "quarta-feira, 19 de junho; sexta-feira, 21 de junho"),
        ("it", "mercoledì 19 giugno, venerdì 21 giugno"),
    ],
)
def test_the_days_someone_comes_read_one_by_one(app, client, db, demo, lang, said):
    """Spanish and Portuguese write a comma inside a day ("miércoles, 19 de junio"): a
    list of such days joined by commas more reads as four items than two."""
    visitor = Visitor(client, lang=lang)
    answer = answers(language=lang, days=["2019-06-19", "2019-06-21"])
    manage = visitor.submit(f"/{demo.slug}/register", answer).headers["Location"]
    written(app, db)
    page = visitor.get(manage).get_data(as_text=True)
    mail = db.scalar(sa.select(OutboxMessage).where(OutboxMessage.purpose == "confirmation"))
    assert said in page
    assert said in mail.text_body and said in mail.html_body


@pytest.mark.parametrize(
    ("lang", "said"),
    [
        ("it", "19–21 giugno 2019"),
        ("es", "19–21 de junio de 2019"),
        ("pt", "19–21 de junho de 2019"),
    ],
)
def test_the_dates_of_the_school_say_the_month_and_year_once(app, client, db, demo, lang, said):
    """As the badge does: "19–21 giugno 2019", not "19 giugno 2019 – 21 giugno 2019"."""
    visitor = Visitor(client, lang=lang)
    for url in ("/", f"/{demo.slug}/", f"/{demo.slug}/register", f"/{demo.slug}/privacy"):
        assert said in visitor.get(url).get_data(as_text=True), url
    visitor.submit(f"/{demo.slug}/register", answers(language=lang))
    written(app, db)
    mail = db.scalar(sa.select(OutboxMessage).where(OutboxMessage.purpose == "confirmation"))
    assert said in mail.text_body and said in mail.html_body
