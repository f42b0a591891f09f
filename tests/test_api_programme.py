"""The programme JSON, and the OpenAPI document that describes it."""

from __future__ import annotations

import re
from datetime import datetime

import pytest
import sqlalchemy as sa
from openapi_spec_validator import validate

from school.models import Session
from tests.support import seed_2019
from tests.support.factories import make_choice, make_registration
from tests.support.openapi import response_matches


@pytest.fixture
def openapi(client):
    document = client.get("/api/v1/openapi.json").get_json()
    validate(document)
    return document


def test_programme_json_lists_every_session_with_offsets(client, demo, openapi):
    response = client.get(f"/api/v1/editions/{demo.slug}/programme")
    assert response.status_code == 200
    data = response.get_json()
    response_matches(openapi, "/api/v1/editions/{slug}/programme", "get", 200, data)
    sessions = data["sessions"]
    assert len(sessions) == len(seed_2019.SEED_ITEMS)
    first = sessions[0]
    assert first["starts_at"] == "2019-06-19T08:45:00+02:00"
    assert datetime.fromisoformat(first["ends_at"]).utcoffset().total_seconds() == 7200
    explora = next(s for s in sessions if s["key"] == "d1-visit-explora")
    assert explora["seats_left"] == explora["capacity"] == 20
    assert explora["requires_registration"] is True
    # Its seats counted, not marked "sur inscription": chosen all the same, as the page says.
    spaces = next(s for s in sessions if s["key"] == "d1-visit-spaces")
    assert spaces["requires_registration"] is True and spaces["capacity"] is not None
    lunch = next(s for s in sessions if s["key"] == "d2-lunch")
    assert lunch["requires_registration"] is False and lunch["meal"] is True
    assert explora["room"]["id"] == "explora"
    stakes = next(s for s in sessions if s["key"] == "d2-stakes")
    assert {"name": "Sandrine Lamiré", "tentative": True}.items() <= next(
        p for p in stakes["speakers"] if p["name"] == "Sandrine Lamiré"
    ).items()
    assert stakes["title"]["en"] and stakes["url"].endswith(f"/sessions/{stakes['id']}")


def test_unknown_edition_is_a_documented_404(client, app, openapi):
    response = client.get("/api/v1/editions/nope/programme")
    assert response.status_code == 404
    response_matches(openapi, "/api/v1/editions/{slug}/programme", "get", 404, response.get_json())


def test_every_api_route_is_in_the_document(app, openapi):
    documented = {
        (path.replace("{", "<").replace("}", ">"), method.upper())
        for path, ops in openapi["paths"].items()
        for method in ops
    }
    for rule in app.url_map.iter_rules():
        if not rule.rule.startswith("/api/v1/") or rule.rule == "/api/v1/openapi.json":
            continue
        path = re.sub(r"<\w+:", "<", rule.rule)  # <int:id> is documented as {id}
        for method in rule.methods - {"HEAD", "OPTIONS"}:
            assert (path, method) in documented, rule.rule


def test_seats_left_count_the_confirmed_choices_only(client, demo, db):
    explora = db.scalar(
        sa.select(Session).where(Session.edition_id == demo.id, Session.key == "d1-visit-explora")
    )
    for status in ("confirmed", "confirmed", "waitlisted"):
        make_choice(db, make_registration(db, demo), explora, status=status)
    db.commit()
    data = client.get(f"/api/v1/editions/{demo.slug}/programme").get_json()
    assert next(s for s in data["sessions"] if s["key"] == "d1-visit-explora")["seats_left"] == 18
    html = client.get(f"/{demo.slug}/programme?lang=en").get_data(as_text=True)
    assert "18 seats left" in html
