"""What an organiser reads in the back office: a country's name and the organisation on a
registration's page, a share of seats that never rounds a real person away."""

from __future__ import annotations

import re

import pytest
import sqlalchemy as sa
from markupsafe import escape

from school.models import Edition, Session
from school.web.organiser.dashboard import percent
from tests.support.backoffice import Organiser, fresh, make_admin
from tests.support.factories import make_choice, make_registration


@pytest.fixture
def organiser(app, client, db, demo):
    make_admin(app, db)
    return Organiser(client).login()


@pytest.mark.parametrize(
    ("rate", "shown"),
    [(None, "—"), (0, "0 %"), (1 / 200, "<1 %"), (0.5, "50 %"), (199 / 200, ">99 %"), (1, "100 %")],
)
def test_a_share_is_never_rounded_to_nothing_or_to_all(rate, shown):
    assert percent(rate) == shown


def test_the_dashboard_shows_one_seat_of_200_as_less_than_one_percent(organiser, db, demo):
    edition = fresh(db).get(Edition, demo.id)
    edition.capacity = 200
    make_registration(db, edition)
    db.commit()
    html = organiser.page(f"/organiser/{demo.slug}/")
    assert "<strong>&lt;1 %</strong>" in html and "of the 200 places" in html


@pytest.mark.parametrize(("lang", "country"), [("en", "Senegal"), ("fr", "Sénégal")])
def test_a_registration_shows_the_country_name_and_the_organisation(
    client, organiser, db, demo, lang, country
):
    person = make_registration(
        db, demo, first_name="Awa", last_name="Diop", country="SN",
        organisation="Cité des métiers de Dakar",
    )  # fmt: skip
    db.commit()
    organiser.lang = lang
    html = organiser.page(f"/organiser/{demo.slug}/registrations/{person.id}")
    intro = html[html.index("<h1>") :][:600]
    assert country in intro and "Cité des métiers de Dakar" in intro
    assert " SN " not in intro and "· SN" not in intro


@pytest.mark.parametrize(("lang", "word"), [("en", "cancelled"), ("fr", "annulée")])
def test_a_cancelled_session_says_so_in_the_same_words_wherever_it_is_listed(
    organiser, db, demo, lang, word
):
    explora = fresh(db).scalar(sa.select(Session).where(Session.key == "d1-visit-explora"))
    for _ in range(3):
        make_choice(db, make_registration(db, demo), explora)
    explora.status = "cancelled"
    db.commit()
    organiser.lang = lang
    marked = str(escape(f"{explora.text('title', lang)} — {word}"))

    lists = organiser.page(f"/organiser/{demo.slug}/lists")
    row = re.search(rf"<tr[^>]*>\s*<td[^>]*><a [^>]*>{re.escape(marked)}</a>.*?</tr>", lists, re.S)
    assert row and '<td class="num">3</td>' in row.group(0)  # its figures stay

    table = organiser.page(f"/organiser/{demo.slug}/registrations")
    assert re.search(rf'<option value="{explora.id}">{re.escape(marked)} \(', table)

    dashboard = organiser.page(f"/organiser/{demo.slug}/")
    assert f'<span class="dash-label">{marked}</span>' in dashboard  # its bar, seats taken
    assert "3/20" in dashboard
    assert f'<td>{marked}</td><td class="num">20</td><td class="num">3</td>' in dashboard
    assert (
        f'<td>{marked}</td><td class="num">3</td><td class="num">0</td>' in dashboard
    )  # check-ins
