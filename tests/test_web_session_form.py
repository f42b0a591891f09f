"""The session form keeps work: rows for as many speakers as needed, and a person added
to the list without leaving the form or losing what was typed."""

from __future__ import annotations

import re

import pytest
import sqlalchemy as sa

from school.models import Person, Session
from tests.support.backoffice import Organiser, csrf_token, fresh, make_admin

TYPED = {
    "title_fr": "Atelier « parcours »",
    "kind": "workshop",
    "day": "2019-06-20",
    "start": "11:00",
    "end": "12:30",
    "room": "meeting-room-1",
    "audience": "everyone",
    "status": "scheduled",
    "capacity": "15",
}


@pytest.fixture
def organiser(app, client, db, demo):
    make_admin(app, db)
    return Organiser(client).login()


def rows(html: str) -> list[str]:
    return re.findall(r'<select id="(speakers-\d+)-person"', html)


def selected_person(html: str, row: int) -> str | None:
    select = re.search(rf'<select id="speakers-{row}-person".*?</select>', html, re.S).group(0)
    chosen = re.search(r'<option selected value="([^"]*)"', select)
    return chosen.group(1) if chosen else None


def sessions(db) -> int:
    return fresh(db).scalar(sa.select(sa.func.count()).select_from(Session))


def test_a_new_session_offers_one_row_and_more_on_demand(organiser, demo, db):
    url = f"/organiser/{demo.slug}/sessions/new"
    assert rows(organiser.page(url)) == ["speakers-0"]
    before = sessions(db)
    response = organiser.submit(url, {**TYPED, "speakers-0-person": "alain-jouneau",
                                      "speakers-0-role": "moderator", "add_row": "y"})  # fmt: skip
    html = response.get_data(as_text=True)
    assert rows(html) == ["speakers-0", "speakers-1"]
    assert selected_person(html, 0) == "alain-jouneau"
    assert "Atelier « parcours »" in html and 'value="12:30"' in html  # nothing typed is lost
    assert sessions(db) == before  # and nothing is saved


def test_a_person_is_added_without_leaving_the_form(organiser, demo, db):
    url = f"/organiser/{demo.slug}/sessions/new"
    before = sessions(db)
    refused = organiser.submit(url, {**TYPED, "new_first_name": "Мария", "add_person": "y"})
    html = refused.get_data(as_text=True)
    assert 'id="new_last_name-errors"' in html and '<details id="new-person" open>' in html
    assert fresh(db).scalar(sa.select(Person).where(Person.first_name == "Мария")) is None

    response = organiser.submit(url, {**TYPED, "new_first_name": "Мария",
                                      "new_last_name": "Иванова", "add_person": "y"})  # fmt: skip
    html = response.get_data(as_text=True)
    person = fresh(db).scalar(sa.select(Person).where(Person.last_name == "Иванова"))
    assert person is not None and person.edition_id == demo.id
    assert selected_person(html, 0) == person.key
    assert "Atelier « parcours »" in html and sessions(db) == before

    data = {**TYPED, "speakers-0-person": person.key, "speakers-0-role": "speaker"}
    response = organiser.client.post(
        url, data={"csrf_token": csrf_token(html), **data}, query_string={"lang": "en"}
    )
    assert response.status_code == 302
    created = fresh(db).scalar(sa.select(Session).where(Session.title_fr == TYPED["title_fr"]))
    assert [link.person.full_name for link in created.people] == [person.full_name]


def test_a_person_typed_in_is_added_with_the_session_when_it_is_saved(organiser, demo, db):
    url = f"/organiser/{demo.slug}/sessions/new"
    response = organiser.submit(url, {**TYPED, "speakers-0-person": "alain-jouneau",
                                      "speakers-0-role": "speaker",
                                      "new_first_name": "李", "new_last_name": "娜"})  # fmt: skip
    assert response.status_code == 302
    created = fresh(db).scalar(sa.select(Session).where(Session.title_fr == TYPED["title_fr"]))
    assert [(link.person.key, link.person.last_name) for link in created.people] == [
        ("alain-jouneau", "Jouneau"),
        (created.people[1].person.key, "娜"),
    ]

    # A session that is refused takes its new person with it: nothing half-saved.
    response = organiser.submit(url, {**TYPED, "end": "10:00", "new_first_name": "Ana",
                                      "new_last_name": "Sousa"})  # fmt: skip
    html = response.get_data(as_text=True)
    assert response.status_code == 200 and 'value="Sousa"' in html
    assert fresh(db).scalar(sa.select(Person).where(Person.last_name == "Sousa")) is None
