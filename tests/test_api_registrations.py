"""POST /api/v1/editions/<slug>/registrations: the form's rules, as JSON."""

from __future__ import annotations

from urllib.parse import urlsplit

import pytest
import sqlalchemy as sa

from school.models import Registration, Session
from tests.support.factories import api_registration as body
from tests.support.openapi import response_matches

PATH = "/api/v1/editions/{slug}/registrations"


@pytest.fixture
def openapi(client):
    return client.get("/api/v1/openapi.json").get_json()


def post(client, demo, json=None, **kwargs):
    return client.post(f"/api/v1/editions/{demo.slug}/registrations", json=json, **kwargs)


def test_201_with_links_and_choices(client, demo, db, openapi):
    explora = db.scalar(sa.select(Session).where(Session.key == "d1-visit-explora"))
    explora.capacity = 1
    db.commit()
    first = post(client, demo, body(sessions=[explora.id]))
    second = post(client, demo, body(email="eve@example.org", sessions=[explora.id]))
    assert first.status_code == second.status_code == 201
    for response in (first, second):
        response_matches(openapi, PATH, "post", 201, response.get_json())
    assert first.get_json()["choices"] == [
        {"session_id": explora.id, "status": "confirmed", "waitlist_position": None}
    ]
    assert second.get_json()["choices"] == [
        {"session_id": explora.id, "status": "waitlisted", "waitlist_position": 1}
    ]
    data = first.get_json()
    assert data["status"] == "confirmed"
    manage = urlsplit(data["manage_url"]).path
    assert client.get(manage).status_code == 200


def test_409_when_already_registered_reveals_nothing(client, demo, db, openapi):
    post(client, demo, body())
    response = post(client, demo, body(email="ZAINOUDINE@example.org ", first_name="Other"))
    assert response.status_code == 409
    response_matches(openapi, PATH, "post", 409, response.get_json())
    text = response.get_data(as_text=True)
    assert "Younoussa" not in text and "/my/" not in text
    assert db.scalar(sa.select(sa.func.count()).select_from(Registration)) == 1


@pytest.mark.parametrize(
    ("payload", "field"),
    [
        ({"first_name": 42}, "first_name"),
        ({"days": "2019-06-19"}, "days"),
        ({"days": ["19/06/2019"]}, "days"),
        ({"sessions": ["abc"]}, "sessions"),
        ({"sessions": [True]}, "sessions"),
        ({"consent": "yes"}, "consent"),
        ({"consent": False}, "consent"),
        ({"email": "nope"}, "email"),
        ({"country": "Portugal"}, "country"),
        ({"category": "vip"}, "category"),
        ({"sessions": [987654]}, "sessions"),
        ({"days": ["2019-06-22"]}, "days"),
        ({"first_name": "x" * 10_000}, "first_name"),
    ],
)
def test_422_names_the_field(client, demo, db, openapi, payload, field):
    response = post(client, demo, body(**payload))
    assert response.status_code == 422
    data = response.get_json()
    response_matches(openapi, PATH, "post", 422, data)
    assert field in data["errors"] and data["errors"][field][0]
    assert db.scalar(sa.select(sa.func.count()).select_from(Registration)) == 0


def test_messages_in_the_language_asked(client, demo):
    response = post(client, demo, body(email="nope"), headers={"Accept-Language": "fr"})
    assert response.get_json()["errors"]["email"] == [
        "Cette adresse ne ressemble pas à une adresse e-mail."
    ]


@pytest.mark.parametrize(
    "raw", ["not json", "[1, 2]", '"a string"', "null", '{"first_name": '], ids=repr
)
def test_a_body_that_is_not_a_json_object_is_a_400(client, demo, openapi, raw):
    response = client.post(
        f"/api/v1/editions/{demo.slug}/registrations", data=raw, content_type="application/json"
    )
    assert response.status_code == 400
    response_matches(openapi, PATH, "post", 400, response.get_json())


def test_closed_registration_is_a_403_and_stores_nothing(client, demo, db, openapi):
    from datetime import UTC, datetime

    from school.models import Edition

    edition = db.get(Edition, demo.id)
    edition.registration_closes_at = datetime(2019, 6, 1, tzinfo=UTC)
    db.commit()
    response = post(client, demo, body())
    assert response.status_code == 403
    response_matches(openapi, PATH, "post", 403, response.get_json())
    assert response.get_json()["code"] == "registration_closed"
    assert db.scalar(sa.select(sa.func.count()).select_from(Registration)) == 0


def test_unknown_edition_is_a_404(client, app):
    response = client.post("/api/v1/editions/nope/registrations", json=body())
    assert response.status_code == 404 and response.is_json


@pytest.fixture
def limited_app_config(app_config):
    app_config["RATELIMIT_ENABLED"] = True
    return app_config


def test_the_api_is_rate_limited_per_address(limited_app_config, client, demo, openapi):
    statuses = [post(client, demo, body(email=f"p{n}@example.org")).status_code for n in range(61)]
    assert statuses[:60] == [201] * 60
    assert statuses[60] == 429
    limited = post(client, demo, body(email="late@example.org"))
    response_matches(openapi, PATH, "post", 429, limited.get_json())


@pytest.mark.parametrize("category", ["guest", "member"])
def test_choosing_the_members_assembly_gets_one_message_that_says_what_it_is(
    client, demo, db, category
):
    """It is members only and needs no choice: it was called "open to all", and a member
    without the code was told both to give the code and that it was open to all."""
    assembly = db.scalar(sa.select(Session.id).where(Session.key == "d1-general-assembly"))
    response = post(
        client, demo, body(category=category, sessions=[assembly]),
        headers={"Accept-Language": "es"},
    )  # fmt: skip
    assert response.status_code == 422
    errors = response.get_json()["errors"]
    (message,) = errors["sessions"]
    assert message.endswith("es para los miembros de la red: no hace falta elegirla.")
    assert "member_code" not in errors
