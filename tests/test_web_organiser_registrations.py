"""Organisers follow and change registrations: the table (search, filters, sort, pages,
a fixed number of queries), one registration's page, a walk-in, each session's list."""

from __future__ import annotations

import html
import re
from datetime import UTC, datetime, timedelta

import pytest
import sqlalchemy as sa

from school.models import (
    AuditEntry,
    CheckIn,
    Choice,
    Edition,
    OutboxMessage,
    Registration,
    Session,
)
from tests.support.backoffice import Organiser, flashes, fresh, make_admin, page_title
from tests.support.factories import make_choice, make_registration


@pytest.fixture
def organiser(app, client, db, demo):
    make_admin(app, db)
    return Organiser(client).login()


def session_id(db, key: str) -> int:
    return fresh(db).scalar(sa.select(Session.id).where(Session.key == key))


def names(html: str) -> list[str]:
    """The names in the table, in order."""
    return re.findall(r'/registrations/\d+">([^<]+)</a>', html)


def add_people(db, demo, count: int, start: int = 0, **fields) -> list[Registration]:
    return [
        make_registration(db, demo, last_name=f"Person {n:05d}", email=f"p{n}@example.org",
                          **fields)
        for n in range(start, start + count)
    ]  # fmt: skip


def test_search_filter_and_sort(organiser, demo, db):
    explora = fresh(db).scalar(sa.select(Session).where(Session.key == "d1-visit-explora"))
    ada = make_registration(
        db, demo, first_name="Ada", last_name="Lovelace", email="ada@example.org",
        country="GB", category="partner", cite=None, organisation="Analytical Engines",
    )  # fmt: skip
    eve = make_registration(
        db, demo, first_name="Ève", last_name="Dandoy", email="eve@example.org",
        country="BE", category="member", cite="Cité des métiers de Bruxelles",
        days=[demo.dates[0]],
    )  # fmt: skip
    zoe = make_registration(
        db, demo, first_name="Zoé", last_name="Younoussa", email="zoe@example.org",
        country="FR", category="member", status="cancelled",
    )  # fmt: skip
    make_choice(db, ada, explora)
    make_choice(db, eve, explora, status="waitlisted")
    db.add(CheckIn(edition_id=demo.id, registration_id=eve.id, day=demo.dates[0],
                   scanned_at=datetime.now(UTC), client_id="scan-1", verdict="ok",
                   checkpoint=f"entrance:{demo.dates[0]}"))  # fmt: skip
    db.commit()
    url = f"/organiser/{demo.slug}/registrations"

    assert names(organiser.page(url)) == ["Dandoy, Ève", "Lovelace, Ada"]
    assert names(organiser.page(url, sort="name", desc="1")) == ["Lovelace, Ada", "Dandoy, Ève"]
    assert names(organiser.page(url, sort="country")) == ["Dandoy, Ève", "Lovelace, Ada"]
    assert names(organiser.page(url, q="ANALYTICAL")) == ["Lovelace, Ada"]
    assert names(organiser.page(url, q="lovelace ada")) == ["Lovelace, Ada"]
    assert names(organiser.page(url, q="100%_")) == []
    assert names(organiser.page(url, country="BE")) == ["Dandoy, Ève"]
    assert names(organiser.page(url, category="partner")) == ["Lovelace, Ada"]
    assert names(organiser.page(url, cite="Cité des métiers de Bruxelles")) == ["Dandoy, Ève"]
    assert names(organiser.page(url, day="2019-06-21")) == ["Lovelace, Ada"]
    assert names(organiser.page(url, session=explora.id)) == ["Dandoy, Ève", "Lovelace, Ada"]
    assert names(organiser.page(url, session=explora.id, choice="waitlisted")) == ["Dandoy, Ève"]
    assert names(organiser.page(url, checked_in="yes")) == ["Dandoy, Ève"]
    assert names(organiser.page(url, checked_in="no")) == ["Lovelace, Ada"]
    assert names(organiser.page(url, status="cancelled")) == ["Younoussa, Zoé"]
    assert names(organiser.page(url, status="")) == [
        "Dandoy, Ève", "Lovelace, Ada", "Younoussa, Zoé"]  # fmt: skip
    # Nonsense in the address is ignored, never an error.
    html = organiser.page(url, sort="password", day="yesterday", session="x", per_page="7")
    assert names(html) == ["Dandoy, Ève", "Lovelace, Ada"]
    # The table shows the seat, the place in line and the check-in.
    html = organiser.page(url, sort="name")
    row = re.search(r"Dandoy, Ève.*?</tr>", html, re.S).group(0)
    assert "Tour of the permanent exhibitions (Explora) (Waiting list, place 1)" in row
    assert "✓ yes" in row
    assert zoe.email not in html
    # Eve's page lists her scan with its verdict in words, not the API's "ok".
    page = organiser.page(f"/organiser/{demo.slug}/registrations/{eve.id}")
    assert re.search(r"— Entrance — Welcome!</li>", page)


def test_a_search_finds_names_in_any_script_whatever_their_case(organiser, demo, db):
    """Lowercase Cyrillic, Polish or accented letters found nobody on SQLite."""
    for first, last in [("Анна", "Смирнова"), ("Zoë", "Ñúñez-Łukasiewicz"), ("小明", "王")]:
        make_registration(db, demo, first_name=first, last_name=last)
    db.commit()
    url = f"/organiser/{demo.slug}/registrations"
    assert names(organiser.page(url, q="смир")) == ["Смирнова, Анна"]
    assert names(organiser.page(url, q="АННА")) == ["Смирнова, Анна"]
    assert names(organiser.page(url, q="łukasiewicz")) == ["Ñúñez-Łukasiewicz, Zoë"]
    assert names(organiser.page(url, q="ZOË ñúñez")) == ["Ñúñez-Łukasiewicz, Zoë"]
    assert names(organiser.page(url, q="王")) == ["王, 小明"]


def test_pages_and_a_fixed_number_of_queries(organiser, demo, db, count_queries):
    explora = fresh(db).scalar(sa.select(Session).where(Session.key == "d1-visit-explora"))
    people = add_people(db, demo, 5)
    for person in people:
        make_choice(db, person, explora)
    db.commit()
    url = f"/organiser/{demo.slug}/registrations"
    organiser.page(url)  # what the process keeps (the edition) read once
    with count_queries() as few:
        organiser.page(url)
    more = add_people(db, demo, 130, start=5, dietary="vegan")
    for person in more[:20]:
        make_choice(db, person, explora)
    db.commit()
    organiser.page(url)  # SQLite cannot tell which tables the commit changed: read again
    with count_queries() as many:
        html = organiser.page(url, per_page="100")
    assert len(names(html)) == 100
    assert len(many) == len(few), "\n".join(many)
    assert len(many) <= 11  # who, the edition, counts, rows, their details, filters
    assert "1–100 of 135 registrations" in html and "Page 1 of 2" in html
    second = organiser.page(url, per_page="100", page="2")
    assert len(names(second)) == 35 and "101–135 of 135 registrations" in second
    assert 'rel="prev"' in second and 'rel="next"' not in second
    assert names(organiser.page(url, page="99"))[-1] == "Person 00134, Majda"


def test_edit_cancel_resend_and_move_from_the_registrations_page(organiser, demo, db):
    explora, tour = session_id(db, "d1-visit-explora"), session_id(db, "d1-visit-spaces")
    eve = make_registration(db, demo, first_name="Ève", email="eve@example.org", language="en")
    make_choice(db, eve, db.get(Session, explora))
    db.commit()
    page = f"/organiser/{demo.slug}/registrations/{eve.id}"
    html = organiser.page(page)
    assert 'value="Ève"' in html and "Tour of the permanent exhibitions" in html

    response = organiser.submit(
        f"{page}/move", {"from": explora, f"move{explora}-from_session": explora,
                         f"move{explora}-to_session": tour}, page=page, prefix=f"move{explora}-",
    )  # fmt: skip
    assert "Moved: the seat is confirmed." in flashes(organiser.page(response.headers["Location"]))
    assert [c.session_id for c in fresh(db).get(Registration, eve.id).choices] == [tour]

    response = organiser.submit(f"{page}/resend", {}, page=page, prefix="action-")
    assert "The private link is sent again to eve@example.org." in flashes(
        organiser.page(response.headers["Location"])
    )
    data = {
        "first_name": "Ève", "last_name": "Dandoy", "email": "eve@example.org", "country": "BE",
        "category": "member", "language": "en", "days": ["2019-06-19"], "sessions": [tour],
        "privacy_consent": "y", "dietary": "Végétarienne",
    }  # fmt: skip
    response = organiser.submit(page, data)
    assert response.status_code == 302
    eve = fresh(db).get(Registration, eve.id)
    assert eve.last_name == "Dandoy" and eve.dietary == "Végétarienne"

    response = organiser.submit(f"{page}/cancel", {}, page=f"{page}/cancel", prefix="action-")
    assert fresh(db).get(Registration, eve.id).status == "cancelled"
    purposes = db.scalars(
        sa.select(OutboxMessage.purpose)
        .where(OutboxMessage.registration_id == eve.id)
        .order_by(OutboxMessage.id)
    ).all()
    assert purposes == ["link", "cancellation"]
    actions = db.scalars(
        sa.select(AuditEntry.action)
        .where(AuditEntry.target == f"registration:{eve.id}")
        .order_by(AuditEntry.id)
    ).all()
    assert actions == [
        "registration.updated",
        "registration.link_sent",
        "registration.updated",
        "registration.cancelled",
    ]
    html = organiser.page(page)
    assert "registration.cancelled" not in html and "Cancelled by an organiser" in html


def test_a_cancelled_members_status_stands_beside_their_address(organiser, demo, db):
    """For a member, the membership note was a paragraph opened inside the one with the
    address, so "· Cancelled" fell out of it onto a line of its own under the note."""
    ada = make_registration(db, demo, email="ada@example.org", status="cancelled")
    db.commit()
    html = organiser.page(f"/organiser/{demo.slug}/registrations/{ada.id}", lang="en")
    line = re.search(r"<p>((?:(?!</?p[ >]).)*ada@example\.org(?:(?!</?p[ >]).)*)</p>", html, re.S)
    assert line, "the address is not in a paragraph of its own"
    words = " ".join(re.sub(r"<[^>]+>", " ", line.group(1)).split())
    assert (
        words
        == "Cité des métiers de Genève · ada@example.org · Network member · Croatia · Cancelled"
    )
    assert "Membership proved" in html


def test_a_refused_edit_shows_its_errors_in_an_open_form(organiser, demo, db):
    """The edit form is folded on a registration's page; refused, it comes back unfolded,
    or its summary of errors (which takes the focus) would be hidden."""
    eve = make_registration(db, demo, first_name="Ève", email="eve@example.org", language="en")
    db.commit()
    page = f"/organiser/{demo.slug}/registrations/{eve.id}"
    before = organiser.page(page)
    assert "<details open>" not in before
    data = {
        "first_name": "", "last_name": "Dandoy", "email": "eve@example.org", "country": "BE",
        "category": "member", "language": "en", "days": ["2019-06-19"], "privacy_consent": "y",
    }  # fmt: skip
    response = organiser.submit(page, data)
    assert response.status_code == 200
    html = response.get_data(as_text=True)
    unfolded = re.search(r"<details open>\s*<summary>Edit the registration</summary>.*?</details>",
                       html, re.S)  # fmt: skip
    assert unfolded and 'id="error-summary"' in unfolded.group()
    assert '<a href="#first_name">First name</a>' in unfolded.group()
    assert page_title(html) == f"Error: {page_title(before)}"
    assert fresh(db).get(Registration, eve.id).first_name == "Ève"


def test_a_walk_in_after_registration_closed_and_in_a_session_by_invitation(organiser, demo, db):
    edition = fresh(db).get(Edition, demo.id)
    edition.registration_closes_at = datetime.now(UTC) - timedelta(days=1)
    edition.capacity = 0
    invited = db.scalar(sa.select(Session).where(Session.key == "d1-visit-explora"))
    invited.audience = "invited"  # the organisers register the people concerned
    db.commit()
    assert "Registration closed" in organiser.page(f"/{demo.slug}/register")
    url = f"/organiser/{demo.slug}/registrations/new"
    data = {
        "first_name": "Raquel", "last_name": "Castello-Branco", "email": "raquel@example.org",
        "country": "PT", "category": "guest", "language": "fr", "days": ["2019-06-19"],
        "sessions": [invited.id], "privacy_consent": "y",
    }  # fmt: skip
    response = organiser.submit(url, data)
    assert response.status_code == 302
    html = organiser.page(response.headers["Location"])
    assert "Raquel Castello-Branco is registered." in flashes(html)
    raquel = fresh(db).scalar(sa.select(Registration).where(Registration.email == data["email"]))
    assert [c.session_id for c in raquel.choices] == [invited.id]
    assert db.scalar(sa.select(OutboxMessage.purpose)) == "confirmation"
    entry = db.scalar(sa.select(AuditEntry).where(AuditEntry.action == "registration.created"))
    assert entry.details["walk_in"] is True
    # The same address again: the existing registration is shown, nothing else happens.
    response = organiser.submit(url, data)
    assert response.headers["Location"].endswith(f"/registrations/{raquel.id}")
    assert db.scalar(sa.select(sa.func.count()).select_from(OutboxMessage)) == 1


def test_a_session_list_shows_seats_and_the_waiting_line_in_order(organiser, demo, db):
    explora = fresh(db).scalar(sa.select(Session).where(Session.key == "d1-visit-explora"))
    seated = make_registration(db, demo, last_name="Seated", email="seated@example.org")
    make_choice(db, seated, explora)
    base = datetime(2019, 5, 1, tzinfo=UTC)
    for n, name in enumerate(["Second", "First"]):
        waiting = make_registration(db, demo, last_name=name, email=f"{name}@example.org")
        choice = make_choice(db, waiting, explora, status="waitlisted")
        choice.queued_at = base - timedelta(hours=n)
    db.commit()
    html = organiser.page(f"/organiser/{demo.slug}/sessions/{explora.id}/list")
    assert "Confirmed seats (1 / 20)" in html and "Waiting list (2)" in html
    waiting_part = html.split("Waiting list (2)")[1]
    assert waiting_part.index("First,") < waiting_part.index("Second,")
    assert "Seated," in html.split("Waiting list (2)")[0]
    lists = organiser.page(f"/organiser/{demo.slug}/lists")
    assert f"/sessions/{explora.id}/list" in lists
    assert db.scalar(sa.select(sa.func.count()).select_from(Choice)) == 3


@pytest.mark.parametrize(
    ("lang", "words"), [("en", "Waiting list, place 2"), ("fr", "Liste d'attente, place 2")]
)
def test_the_table_says_a_place_in_a_waiting_line_in_words(organiser, demo, db, lang, words):
    explora = fresh(db).scalar(sa.select(Session).where(Session.key == "d1-visit-explora"))
    first, second = add_people(db, demo, 2)
    make_choice(db, first, explora, status="waitlisted")
    make_choice(db, second, explora, status="waitlisted")
    db.commit()
    organiser.lang = lang
    html = organiser.page(f"/organiser/{demo.slug}/registrations", q=second.email)
    cell = re.search(r'<span class="status-wait">(.*?)</span>', html).group(1)
    assert cell == f"{explora.text('title', lang)} ({words})"


@pytest.mark.parametrize(
    ("lang", "of_them", "to_you"),
    [
        ("fr", ["1. La personne inscrite", "4. Son accord", "La personne accepte que"],
               ["1. Vous", "Votre Cité des métiers", "Votre lien personnel", "J'accepte"]),
        ("en", ["1. The person registered", "Their private link", "The person agrees"],
               ["About you", "Your Cité des métiers", "You come as", "I agree"]),
    ],
)  # fmt: skip
def test_the_walk_in_form_speaks_of_the_person_not_to_the_organiser(
    organiser, client, demo, lang, of_them, to_you
):
    walk_in = html.unescape(organiser.page(f"/organiser/{demo.slug}/registrations/new", lang=lang))
    assert [w for w in of_them if w not in walk_in] == []
    assert [w for w in to_you if w in walk_in] == []
    # The participant's own form still speaks to them.
    public = html.unescape(client.get(f"/{demo.slug}/register?lang={lang}").get_data(as_text=True))
    assert [w for w in to_you if w not in public] == []
