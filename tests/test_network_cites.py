"""The directory of Cités: shipped, listed by the API, edited in the back office, and what
registrations pick from (form, API, CSV import) and count by."""

from __future__ import annotations

import pytest
import sqlalchemy as sa

from school.models import Cite, Registration
from school.services.network import cites
from tests.support.backoffice import Organiser, make_admin
from tests.support.factories import make_registration
from tests.support.openapi import response_matches


@pytest.fixture
def openapi(client):
    return client.get("/api/v1/openapi.json").get_json()


def test_api_lists_the_directory_named_in_the_seeds(client, openapi):
    response = client.get("/api/v1/cites")
    assert response.status_code == 200
    response_matches(openapi, "/api/v1/cites", "get", 200, response.get_json())
    by_key = {c["key"]: c for c in response.get_json()}
    assert by_key["milano"]["name"] == "Città dei mestieri di Milano e della Lombardia"
    assert by_key["milano"]["country"] == "IT"
    assert by_key["charleroi"]["status"] == "member"
    assert {"paris-la-villette", "cascais", "saint-quentin-en-yvelines"} <= set(by_key)
    assert "/cites" in str(openapi["paths"])


def test_loading_adds_what_is_missing_and_keeps_edits(app, db):
    with app.app_context():
        assert cites.load_shipped(db) == len(cites.shipped())
        db.get(Cite, "porto").name = "Cidade das Profissões (Porto)"
        db.delete(db.get(Cite, "liege"))
        db.flush()
        assert cites.load_shipped(db) == 1
        assert db.get(Cite, "porto").name == "Cidade das Profissões (Porto)"
        assert db.get(Cite, "liege") is not None


@pytest.mark.parametrize(
    ("text", "key"),
    [
        ("Cité des métiers de Bruxelles", "bruxelles"),
        ("  cite des metiers de BRUXELLES ", "bruxelles"),
        ("Cité des métiers de Genève", "grand-geneve"),
        ("Cité des métiers Paris-La Villette", "paris-la-villette"),
        ("porto", "porto"),
        ("Pôle emploi", None),
        ("", None),
    ],
)
def test_old_free_text_maps_to_keys(text, key):
    assert cites.key_for_name(text) == key


def test_back_office_edits_and_adds_a_cite(app, client, db, demo):
    make_admin(app, db)
    organiser = Organiser(client).login()
    page = organiser.page("/organiser/cites")
    assert "Città dei mestieri di Milano e della Lombardia" in page
    response = organiser.submit(
        "/organiser/cites/torino",
        {"name": "Città dei mestieri di Torino", "city": "Torino", "country": "IT",
         "status": "former", "website": ""},
    )  # fmt: skip
    assert response.status_code == 302
    response = organiser.submit(
        "/organiser/cites/new",
        {"key": "saint-omer-2", "name": "Cité <b>de</b> Saint-Omer", "city": "Saint-Omer",
         "country": "FR", "status": "in_preparation", "website": "javascript:alert(1)"},
    )  # fmt: skip
    assert response.status_code == 200  # refused: the website is not a web address
    assert "starting with https://" in response.get_data(as_text=True)
    db.rollback()
    assert db.get(Cite, "saint-omer-2") is None
    assert db.get(Cite, "torino").status == "former"
    assert db.scalar(sa.select(sa.func.count()).select_from(Cite)) == len(cites.shipped())
    keys = {c["key"] for c in client.get("/api/v1/cites").get_json()}
    assert "torino" in keys
    # A former member is no longer offered to new participants.
    form = client.get("/spring-school-2019/register").get_data(as_text=True)
    assert 'value="torino"' not in form and 'value="milano"' in form


def api_body(**overrides):
    data = {
        "first_name": "Zainoudine", "last_name": "Younoussa", "email": "z@example.org",
        "country": "YT", "category": "member", "language": "fr", "days": ["2019-06-19"],
        "sessions": [], "consent": True,
    }  # fmt: skip
    data.update(overrides)
    return data


def test_registration_api_takes_a_key_and_names_a_wrong_one(client, demo, db):
    url = f"/api/v1/editions/{demo.slug}/registrations"
    wrong = client.post(url, json=api_body(cite="Cité des métiers de Nulle-Part"))
    assert wrong.status_code == 422
    assert "cite" in wrong.get_json()["errors"]
    assert db.scalar(sa.select(sa.func.count()).select_from(Registration)) == 0
    right = client.post(url, json=api_body(cite="mayotte"))
    assert right.status_code == 201
    db.rollback()
    assert db.scalar(sa.select(Registration.cite)) == "mayotte"


def test_csv_import_takes_names_or_keys(runner, db, tmp_path):
    runner.invoke(args=["demo", "load"])
    sheet = tmp_path / "people.csv"
    sheet.write_text(
        "first_name,last_name,email,organisation,cite,country,category,language,days\n"
        "Ana,Silva,ana@example.org,,Cidade das Profissões do Porto,PT,member,fr,2019-06-19\n"
        "Luc,Peeters,luc@example.org,,liege,BE,member,fr,2019-06-19\n"
        "Jo,Nowhere,jo@example.org,,Cité imaginaire,FR,member,fr,2019-06-19\n",
        encoding="utf-8",
    )
    result = runner.invoke(args=["registrations", "import", "spring-school-2019", str(sheet)])
    assert "people.csv:4: cite:" in result.output
    rows = db.execute(sa.select(Registration.last_name, Registration.cite)).all()
    assert sorted(rows) == [("Peeters", "liege"), ("Silva", "porto")]


def test_dashboard_and_export_count_by_cite_and_its_country(app, client, db, demo):
    from school.models import Edition

    edition = db.get(Edition, demo.id)
    for cite in ("bruxelles", "bruxelles", "liege", "porto", None):
        make_registration(db, edition, cite=cite)
    db.commit()
    make_admin(app, db)
    organiser = Organiser(client).login()
    page = organiser.page(f"/organiser/{demo.slug}/")
    assert "Cité des métiers de Bruxelles" in page
    html = page.split("Registrations from a Cité, by the Cité")[1]
    assert "Belgium" in html.split("</table>")[0]
    from school.services.backoffice import stats

    assert stats.by_cite_country(db, edition) == [("BE", 3), ("PT", 1)]
    assert dict(stats.by_cite(db, edition))["Cité des métiers de Bruxelles"] == 2
