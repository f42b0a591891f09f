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


@pytest.mark.parametrize(
    "path",
    ["sessions/999999", "registrations/999999", "sessions/999999/list", "no-such-page"],
)
def test_a_missing_back_office_page_keeps_the_back_office_around_it(client, organiser, demo, path):
    """An organiser who follows a dead link stays in the back office: its menu for the
    edition, the account and the way out; someone not logged in is sent to log in."""
    url = f"/organiser/{demo.slug}/{path}"
    response = organiser.get(url)
    assert response.status_code == 404
    html = response.get_data(as_text=True)
    assert "This page does not exist." in html
    menu = html.split("<nav", 1)[1].split("</nav>", 1)[0]
    for item in ("Dashboard", "Registrations", "Exports", "Audit log"):
        assert f">{item}</a>" in menu, item
    assert "chef@example.org" in html and ">Log out</button>" in html
    assert f'href="/organiser/{demo.slug}/"' in html  # back to the edition's dashboard
    client.post("/organiser/logout", data={})  # CSRF refuses it: forget the session instead
    client.delete_cookie("session")
    anonymous = client.get(url)
    if path != "no-such-page":
        assert anonymous.status_code == 302, path  # to log in, before anything is looked up
        assert "/organiser/login" in anonymous.headers["Location"]
    else:  # no page there: the public error page, naming no edition and no menu
        assert anonymous.status_code == 404
        page = anonymous.get_data(as_text=True)
        assert "Spring School 2019" not in page and ">Dashboard</a>" not in page
