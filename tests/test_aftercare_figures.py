"""The edition's figures on a made-up Autumn School whose counts are known
(tests/support/aftercare_scenario.py), through the service and the staff API."""

from __future__ import annotations

import re

import pytest

from school.models import Edition
from school.services.aftercare import figures
from school.services.backoffice import organisers
from tests.support.aftercare_scenario import D1, D2, D3, EXPECTED, autumn_school, brussels, scan
from tests.support.backoffice import Organiser, make_admin
from tests.support.factories import make_registration
from tests.support.openapi import response_matches


@pytest.fixture
def school(app, db):
    with app.app_context():
        return autumn_school(db)


def test_the_figures_of_an_edition_whose_counts_are_known(school, db):
    found = figures.figures(db, school["edition"])
    for name, value in EXPECTED.items():
        assert getattr(found, name) == value, name
    assert found.sessions_held_by_kind == {
        "plenary": 1,
        "round_table": 1,
        "workshop": 2,
    }  # not the coffee break: the funders count sessions
    assert [(a.session.key, a.present) for a in found.attendance] == [
        ("opening", 2),  # Jean's scan there was undone
        ("workshop-a", 2),
        ("workshop-b", 1),
        ("closing", 2),
    ]
    assert found.survey is None


def test_the_figures_follow_new_check_ins(school, db, app):
    with app.app_context():
        scan(db, school["edition"], school["marco"], at=brussels(D2, 9, 30))
    found = figures.figures(db, db.get(Edition, school["edition"].id))
    assert found.present == 7 and found.no_shows == 1
    assert found.present_per_day == {D1: 4, D2: 3, D3: 2}
    assert (found.cites_present, found.countries_present) == (5, 4)


def test_a_fixed_number_of_queries_whatever_the_size(school, db, count_queries, app):
    edition = school["edition"]
    with count_queries() as before:
        figures.figures(db, edition)
    with app.app_context():
        for n in range(30):
            make_registration(db, edition, cite=f"Cité {n}", country="IT")
        db.commit()
    with count_queries() as after:
        figures.figures(db, edition)
    assert len(after) == len(before) <= 7


def test_the_report_api_answers_the_figures_to_staff_only(school, client, app, db):
    edition = school["edition"]
    url = f"/api/v1/editions/{edition.slug}/report"
    assert client.get(url).status_code == 401
    with app.app_context():
        staff = organisers.create_organiser(db, "door@example.org", "checkin", "door password 1")
        token = organisers.create_api_token(db, staff, "door phone")
        db.commit()
    response = client.get(url, headers={"Authorization": f"Bearer {token}"})
    assert response.status_code == 200, response.get_json()
    body = response.get_json()
    openapi = client.get("/api/v1/openapi.json").get_json()
    response_matches(openapi, "/api/v1/editions/{slug}/report", "get", 200, body)
    assert (body["registered"], body["present"], body["no_shows"]) == (8, 6, 2)
    assert (body["cites_present"], body["countries_present"]) == (4, 3)
    assert body["present_per_day"] == {"2024-12-04": 4, "2024-12-05": 2, "2024-12-06": 2}
    assert body["participants_per_cite"][0] == {
        "cite": "Cité des métiers de Paris la Villette",
        "present": 2,
    }
    assert body["participants_per_country"] == [
        {"country": "BE", "present": 3},
        {"country": "FR", "present": 2},
        {"country": "CH", "present": 1},
    ]
    assert body["sessions_held"] == 4 and body["workshops"] == 2
    assert body["initiatives_shared"] == 2
    assert response.headers["Cache-Control"] == "private, no-store"
    missing = client.get(
        "/api/v1/editions/nowhere/report", headers={"Authorization": f"Bearer {token}"}
    )
    assert missing.status_code == 404 and missing.get_json()["code"]


def test_the_after_the_school_page_shows_what_the_report_counts(school, app, db):
    # The organiser preparing the activity report finds on the page what the PDF says:
    # who came from which country, the sessions held by kind and who came to each.
    make_admin(app, db)
    page = (
        Organiser(app.test_client(), lang="fr")
        .login()
        .page(f"/organiser/{school['edition'].slug}/aftercare")
    )
    text = " ".join(re.sub(r"<[^>]+>", " ", page).split())
    assert "Participants par pays Pays Présents Belgique 3 France 2 Suisse 1" in text
    assert "Sessions tenues : 1 × plénière, 1 × table ronde, 2 × atelier." in text
    assert "Présence par session" in text and "les métiers du numérique 1" in text
