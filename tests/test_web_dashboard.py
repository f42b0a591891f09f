"""What an organiser reads on an edition's dashboard: on a new or cloned edition, what to do
next rather than rows of zeros; the call for initiatives' dates in words; a meal without
a limit as such; registrations counted by Cité, named so, apart from who came; and the
figures' tiles in words that agree with their count, in every language."""

from __future__ import annotations

import html as htmllib
import re
from datetime import UTC, datetime

import pytest
import sqlalchemy as sa

from school.models import CheckIn, Edition, Person, Session
from tests.support.backoffice import NEW_EDITION as NEW
from tests.support.backoffice import Organiser, fresh, make_admin
from tests.support.factories import make_registration


@pytest.fixture
def organiser(app, client, db):
    make_admin(app, db)
    return Organiser(client).login()


def read(html: str) -> str:
    """The page's text as a person reads it: no tags, one space between words."""
    html = re.sub(r"<(script|style|title)\b.*?</\1>", " ", html, flags=re.S)
    return " ".join(htmllib.unescape(re.sub(r"<[^>]+>", " ", html)).split())


def section(html: str, title_id: str) -> str:
    return read(html.split(f'id="{title_id}">')[1].split("</section>")[0])


def dashboard(organiser, slug: str, **params) -> str:
    return organiser.page(f"/organiser/{slug}/", **params)


def test_a_new_edition_says_what_comes_next_instead_of_zeros(organiser):
    assert organiser.submit("/organiser/editions/new", NEW).status_code == 302
    html = dashboard(organiser, NEW["slug"])
    text = read(html)

    assert "Programme: no session yet. Build the programme" in text
    assert "Speakers: no speaker yet. Add the speakers" in text
    assert "Call for initiatives: not open. Set its dates" in text
    assert (
        "No registration yet. Registration opens once the edition is published. Publish…"
        in section(html, "registrations-title")
    )
    assert 'href="/organiser/autumn-school-2030/edit#lifecycle"' in html
    # No tiles of zeros, no empty charts, no bars of 0/0 at the door.
    assert "confirmed registrations" not in text and "0/0" not in text
    assert "Registrations by Cité" not in text and "Check-in progress" not in text
    assert "No meal in this programme." in text


def test_a_new_edition_reads_the_same_in_french(organiser):
    organiser.submit("/organiser/editions/new", NEW)
    text = read(dashboard(organiser, NEW["slug"], lang="fr"))
    assert "Aucune inscription pour l'instant." in text
    assert "Appel à initiatives : pas ouvert. Fixer ses dates" in text
    assert "Intervenants : aucun intervenant pour l'instant." in text


def test_a_cloned_edition_counts_its_sessions_and_asks_for_its_speakers(organiser, demo, db):
    response = organiser.submit(
        f"/organiser/{demo.slug}/clone",
        {"slug": "spring-school-2031", "title_fr": "Spring School 2031", "starts_on": "2031-06-18"},
    )
    assert response.status_code == 302
    clone = fresh(db).scalar(sa.select(Edition).where(Edition.slug == "spring-school-2031"))
    sessions = db.scalar(
        sa.select(sa.func.count())
        .select_from(Session)
        .where(Session.edition_id == clone.id, ~Session.is_cancelled)
    )
    assert db.scalar(sa.select(sa.func.count()).where(Person.edition_id == clone.id)) == 0

    html = dashboard(organiser, "spring-school-2031")
    text = read(html)
    assert f"Programme: {sessions} sessions" in text
    assert "Speakers: no speaker yet. Add the speakers" in text
    assert 'href="/organiser/spring-school-2031/speakers"' in html
    assert "No registration yet." in text


# Times in UTC; the demo's venue is in Paris (UTC+1 in March).
PAST, FUTURE = datetime(2020, 3, 1, 8, 0, tzinfo=UTC), datetime(2099, 3, 1, 8, 0, tzinfo=UTC)
CLOSED = datetime(2021, 3, 1, 8, 0, tzinfo=UTC)


@pytest.mark.parametrize(
    ("opens", "closes", "shown"),
    [
        (None, None, "Call for initiatives: not open. Set its dates"),
        (PAST, None, "Call for initiatives: open, no closing date. Set a closing date"),
        (PAST, FUTURE, "Call for initiatives: open until 1 March 2099, 09:00."),
        (FUTURE, None, "Call for initiatives: opens on 1 March 2099, 09:00, no closing date."),
        (PAST, CLOSED, "Call for initiatives: closed on 1 March 2021, 09:00."),
    ],
)
def test_the_call_for_initiatives_reads_in_words_with_or_without_a_closing_date(
    organiser, demo, db, opens, closes, shown
):
    edition = fresh(db).get(Edition, demo.id)
    edition.initiatives_open_at, edition.initiatives_close_at = opens, closes
    db.commit()
    html = dashboard(organiser, demo.slug)
    assert shown in section(html, "ready-title")
    if "Set" in shown:
        assert f'href="/organiser/{demo.slug}/initiatives#call-title"' in html


def test_a_meal_without_a_limit_reads_no_limit_not_zero(organiser, demo, db):
    lunch = fresh(db).scalar(sa.select(Session).where(Session.key == "d1-lunch"))
    lunch.capacity = 150
    db.commit()
    meals = section(dashboard(organiser, demo.slug), "meals-title")
    assert "Buffet lunch (Wed 19 Jun) 0 150" in meals
    assert "Buffet lunch (Thu 20 Jun) 0 No limit" in meals
    assert "Sans limite" in section(dashboard(organiser, demo.slug, lang="fr"), "meals-title")


def test_by_cite_counts_registrations_and_says_so_and_who_came_apart(organiser, demo, db):
    edition = fresh(db).get(Edition, demo.id)
    people = [make_registration(db, edition, cite=c) for c in ("bruxelles", "bruxelles", None)]
    db.commit()
    html = dashboard(organiser, demo.slug)
    cites = section(html, "cite-title")
    assert cites.startswith("Registrations by Cité")
    assert "Cité des métiers Registrations Cité des métiers de Bruxelles 2 (none) 1" in cites
    assert "Checked in" not in cites  # nobody came yet: no column of zeros
    assert "confirmed registrations, not who came" in read(html)

    day = demo.dates[0]
    db.add(CheckIn(edition_id=demo.id, registration_id=people[0].id, day=day,
                   scanned_at=datetime.now(UTC), checkpoint=f"entrance:{day}",
                   client_id="door-1", verdict="ok"))  # fmt: skip
    db.commit()
    cites = section(dashboard(organiser, demo.slug), "cite-title")
    table = "Cité des métiers Registrations Checked in Cité des métiers de Bruxelles 2 1 (none) 1 0"
    assert table in cites
    assert "<strong>3</strong> confirmed registrations" in dashboard(organiser, demo.slug)


def test_the_demo_with_registrations_shows_its_figures_and_its_preparation(organiser, demo, db):
    edition = fresh(db).get(Edition, demo.id)
    make_registration(db, edition, cite="porto", country="PT")
    db.commit()
    speakers = db.scalar(sa.select(sa.func.count()).where(Person.edition_id == demo.id))
    text = read(dashboard(organiser, demo.slug))
    assert f"Speakers: {speakers} speakers" in text
    assert "No registration yet." not in text
    assert "1 confirmed registration <1 % of the 200 places 0 cancelled 0 checked in" in text
    for heading in ("Registrations by country", "Registrations by category", "Check-in progress"):
        assert heading in text
    # One day of registrations: its date and count, not a rectangle from that day to itself.
    over_time = section(dashboard(organiser, demo.slug), "time-title")
    today = datetime.now(UTC).astimezone(edition.tz).date()
    assert over_time.startswith(f"Registrations over time {today.day} {today:%b}: 1 ")
    assert "<polygon" not in dashboard(organiser, demo.slug).split('id="time-title"')[1]


def tiles(html: str) -> list[str]:
    part = html.split('<ul class="figures">')[1].split("</ul>")[0]
    return [" ".join(li.split()) for li in re.findall(r"<li>(.*?)</li>", part, re.S)]


@pytest.mark.parametrize(
    ("lang", "one", "two"),
    [
        ("en", ["1 confirmed registration", "1 cancelled", "1 checked in"],
               ["2 confirmed registrations", "2 cancelled", "2 checked in"]),
        ("fr", ["1 inscription confirmée", "1 annulée", "1 arrivé"],
               ["2 inscriptions confirmées", "2 annulées", "2 arrivés"]),
    ],
)  # fmt: skip
def test_the_figures_tiles_agree_with_their_count(organiser, demo, db, lang, one, two):
    """French and English, the back office's languages: "1" is singular in both."""
    edition = fresh(db).get(Edition, demo.id)
    edition.capacity = None  # no share of the places: that tile is tested below
    day = demo.dates[0]
    for n in (1, 2):
        people = [make_registration(db, edition) for _ in range(2)]
        people[1].status = "cancelled"
        db.add(CheckIn(edition_id=demo.id, registration_id=people[0].id, day=day,
                       scanned_at=datetime.now(UTC), checkpoint=f"entrance:{day}",
                       client_id=f"door-{n}", verdict="ok"))  # fmt: skip
        db.commit()
        shown = tiles(dashboard(organiser, demo.slug, lang=lang))
        # The count in large figures, the words beside it agreeing with it.
        expected = one if n == 1 else two
        assert [re.sub(r"</?strong>", "", tile) for tile in shown] == expected
        assert all(tile.startswith(f"<strong>{n}</strong> ") for tile in shown)


def test_the_share_of_the_places_agrees_with_their_number(organiser, demo, db):
    edition = fresh(db).get(Edition, demo.id)
    make_registration(db, edition)
    edition.capacity = 1
    db.commit()
    assert "<strong>100 %</strong> of the only place" in tiles(dashboard(organiser, demo.slug))
    fr = tiles(dashboard(organiser, demo.slug, lang="fr"))
    assert "<strong>100 %</strong> de l’unique place" in fr
    edition.capacity = 200
    db.commit()
    assert "<strong>&lt;1 %</strong> of the 200 places" in tiles(dashboard(organiser, demo.slug))


def test_in_french_none_is_singular_too(organiser, demo, db):
    edition = fresh(db).get(Edition, demo.id)
    make_registration(db, edition)
    edition.capacity = None
    db.commit()
    shown = tiles(dashboard(organiser, demo.slug, lang="fr"))
    assert shown == [
        "<strong>1</strong> inscription confirmée",
        "<strong>0</strong> annulée",
        "<strong>0</strong> arrivé",
    ]
    assert tiles(dashboard(organiser, demo.slug))[1:] == [
        "<strong>0</strong> cancelled",
        "<strong>0</strong> checked in",
    ]
