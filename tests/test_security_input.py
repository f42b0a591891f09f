"""Input that used to crash the app (a 500) gets a clear 4xx, or a clean output: JSON
nested very deep, text that is not Unicode (a lone surrogate), a title with a line break
in a calendar's name."""

from __future__ import annotations

import json
import re
import uuid

import pytest
import sqlalchemy as sa

from school.models import CheckIn, Edition, Registration, Session
from school.services.backoffice import organisers
from school.services.badges import tokens
from tests.support import libical
from tests.support.calendars import calendar_of
from tests.support.factories import make_registration
from tests.support.openapi import response_matches


@pytest.fixture
def openapi(client):
    return client.get("/api/v1/openapi.json").get_json()


@pytest.fixture
def staff(app, db, demo):
    with app.app_context():
        door = organisers.create_organiser(db, "door@example.org", "checkin", "door password 1")
        token = organisers.create_api_token(db, door, "door phone")
        majda = make_registration(db, db.get(Edition, demo.id), first_name="Majda")
        db.commit()
        badge = tokens.token_for(majda)
    return {"Authorization": f"Bearer {token}", "badge": badge}


def registration_body(**overrides):
    data = {
        "first_name": "Zainoudine",
        "last_name": "Younoussa",
        "email": "zainoudine@example.org",
        "country": "YT",
        "category": "member",
        "language": "fr",
        "days": ["2019-06-19"],
        "consent": True,
    }
    data.update(overrides)
    return data


def nested(depth: int) -> str:
    return '{"a":' * depth + "1" + "}" * depth


# -- JSON nested very deep


@pytest.mark.parametrize("depth", [900, 5000, 100_000])
@pytest.mark.parametrize("shape", ["object", "array", "inside a field"])
def test_json_nested_deep_is_a_400_on_every_json_endpoint(
    client, db, demo, staff, openapi, depth, shape
):
    if shape == "object":
        text = nested(depth)
    elif shape == "array":
        text = "[" * depth + "]" * depth
    else:
        deep = "[" * depth + "]" * depth
        text = json.dumps(registration_body())[:-1] + f', "sessions": {deep}}}'
    auth = {"Authorization": staff["Authorization"]}
    slug = demo.slug
    for path, headers in [
        (f"/api/v1/editions/{slug}/registrations", {}),
        (f"/api/v1/editions/{slug}/checkins", auth),
        (f"/api/v1/editions/{slug}/checkins/1/undo", auth),  # reads no body: not found
    ]:
        response = client.post(path, data=text, content_type="application/json", headers=headers)
        body = response.get_json()
        if path.endswith("undo"):
            assert (response.status_code, body["code"]) == (404, "not_found")
            continue
        assert response.status_code == 400, (path, response.get_data(as_text=True)[:200])
        assert body["code"] == "not_json" and body["message"]
        response_matches(openapi, "/api/v1/editions/{slug}/registrations", "post", 400, body)
    # A page sent JSON: a page's 400, not a crash.
    page = client.post(f"/{slug}/register?lang=en", data=text, content_type="application/json")
    assert page.status_code == 400
    db.rollback()
    assert db.scalar(sa.select(sa.func.count()).select_from(Registration)) == 1
    assert db.scalar(sa.select(sa.func.count()).select_from(CheckIn)) == 0


def test_json_nested_as_our_bodies_are_still_read(client, demo):
    response = client.post(
        f"/api/v1/editions/{demo.slug}/registrations",
        json=registration_body(rankings={"1": [[1]]}),
    )
    assert response.status_code == 201


# -- a lone surrogate: text that is not Unicode


SURROGATE = "\ud800"


@pytest.mark.parametrize(
    "field",
    ["first_name", "last_name", "email", "organisation", "cite", "country", "category",
     "language", "dietary", "accessibility"],
)  # fmt: skip
def test_a_lone_surrogate_in_any_registration_field_is_a_422_naming_it(
    client, db, demo, openapi, field
):
    body = registration_body(**{field: f"Ab{SURROGATE}c"})
    response = client.post(f"/api/v1/editions/{demo.slug}/registrations?lang=en", json=body)
    assert response.status_code == 422, response.get_data(as_text=True)
    answer = response.get_json()
    assert answer["code"] == "invalid" and list(answer["errors"]) == [field]
    assert answer["errors"][field] == ["This contains characters that cannot be printed."]
    response_matches(openapi, "/api/v1/editions/{slug}/registrations", "post", 422, answer)
    db.rollback()
    assert db.scalar(sa.select(sa.func.count()).select_from(Registration)) == 0


def test_a_lone_surrogate_in_a_list_or_a_key_is_a_422(client, demo):
    path = f"/api/v1/editions/{demo.slug}/registrations"
    in_list = client.post(path, json=registration_body(days=[f"2019-06-19{SURROGATE}"]))
    assert in_list.status_code == 422 and list(in_list.get_json()["errors"]) == ["days"]
    in_key = client.post(path, json={**registration_body(), f"x{SURROGATE}": 1})
    assert in_key.status_code == 422
    assert list(in_key.get_json()["errors"]) == ["x\\ud800"]


@pytest.mark.parametrize("field", ["device", "token", "client_id", "day", "scanned_at"])
def test_a_lone_surrogate_in_a_checkin_is_a_422_naming_it(client, db, demo, staff, field):
    body = {"token": staff["badge"], "client_id": str(uuid.uuid4()), "device": "Door phone"}
    body[field] = f"{body.get(field, 'x')}{SURROGATE}"
    response = client.post(
        f"/api/v1/editions/{demo.slug}/checkins?lang=fr",
        json=body,
        headers={"Authorization": staff["Authorization"]},
    )
    assert response.status_code == 422, response.get_data(as_text=True)
    assert list(response.get_json()["errors"]) == [field]
    assert response.get_json()["errors"][field] == [
        "Ce texte contient des caractères impossibles à imprimer."
    ]
    db.rollback()
    assert db.scalar(sa.select(sa.func.count()).select_from(CheckIn)) == 0


def test_forms_and_addresses_with_undecodable_bytes_are_no_crash(app, client, demo):
    app.config["WTF_CSRF_ENABLED"] = False
    form = client.post(
        f"/{demo.slug}/register?lang=en",
        data=b"first_name=%ED%A0%80&email=a%ED%A0%80%40example.org&privacy_consent=y",
        content_type="application/x-www-form-urlencoded",
    )
    assert form.status_code in (200, 400)
    for path in (f"/{demo.slug}/sessions/%ED%A0%80", f"/{demo.slug}/programme?q=%ED%A0%80"):
        assert client.get(path).status_code < 500


# -- a calendar named after a title with a line break


def unescape(text: str) -> str:
    """RFC 5545's TEXT value, read."""
    return re.sub(r"\\([\\;,nN])", lambda m: "\n" if m[1] in "nN" else m[1], text)


def test_a_title_with_line_breaks_makes_a_valid_session_calendar(client, db, demo):
    session = db.scalar(sa.select(Session).where(Session.key == "d1-visit-explora"))
    session.title_fr = "Visite\r\nsuite; fin, \\ BEGIN:VEVENT\nEND:VCALENDAR"
    db.commit()
    response = client.get(f"/{demo.slug}/sessions/{session.id}.ics?lang=fr")
    assert response.status_code == 200
    body = response.get_data()
    found, text = libical.read(body)
    assert found == []
    lines = text.splitlines()
    assert lines.count("BEGIN:VEVENT") == 1 and lines.count("END:VCALENDAR") == 1
    title = session.title_fr.replace("\r\n", "\n")
    for name in ("NAME", "X-WR-CALNAME"):  # as libical read and wrote them: TEXT, escaped
        (value,) = [line.split(":", 1)[1] for line in lines if line.startswith(f"{name}:")]
        assert unescape(value) == title
    (event,) = calendar_of(body).walk("VEVENT")
    assert str(event["SUMMARY"]) == title
