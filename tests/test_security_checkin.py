"""The check-in API as an attacker (or a confused phone) would use it: scans at
checkpoints the edition does not have, and a ``client_id`` reused for another scan."""

from __future__ import annotations

import uuid

import pytest
import sqlalchemy as sa

from school.models import CheckIn, Edition, Session
from school.services.backoffice import organisers
from school.services.badges import tokens
from tests.support.factories import make_edition, make_registration
from tests.support.openapi import response_matches

PATH = "/api/v1/editions/{slug}/checkins"


@pytest.fixture
def openapi(client):
    return client.get("/api/v1/openapi.json").get_json()


@pytest.fixture
def world(app, db, demo):
    """Two badges of the demo edition, one of another edition, a door phone's token."""
    with app.app_context():
        door = organisers.create_organiser(db, "door@example.org", "checkin", "door password 1")
        token = organisers.create_api_token(db, door, "door phone")
        spring = db.get(Edition, demo.id)
        autumn = make_edition(db)
        majda = make_registration(db, spring, first_name="Majda", last_name="Jelenčić")
        ivan = make_registration(db, spring, first_name="Иван", last_name="Петров")
        wei = make_registration(db, autumn, first_name="伟", last_name="王")
        db.commit()
        badges = {r.first_name: tokens.token_for(r) for r in (majda, ivan, wei)}
        other = autumn.slug
    explora = db.scalar(sa.select(Session).where(Session.key == "d1-visit-explora"))
    return {
        "auth": {"Authorization": f"Bearer {token}"},
        "badges": badges,
        "autumn": other,
        "explora": explora.id,
    }


def scan(client, slug, world, **body):
    body.setdefault("client_id", str(uuid.uuid4()))
    body.setdefault("device", "Door phone")
    return client.post(f"{PATH.format(slug=slug)}?lang=en", json=body, headers=world["auth"])


def checkins(db) -> int:
    db.rollback()
    return db.scalar(sa.select(sa.func.count()).select_from(CheckIn))


# -- checkpoints the edition does not have (issue 17, point 8)


@pytest.mark.parametrize("day", ["1999-01-01", "9999-12-31", "2019-06-18", "2019-06-22"])
def test_a_day_outside_the_edition_is_refused(client, db, demo, world, openapi, day):
    response = scan(client, demo.slug, world, token=world["badges"]["Majda"], day=day)
    assert response.status_code == 422
    body = response.get_json()
    response_matches(openapi, PATH, "post", 422, body)
    assert body["errors"] == {
        "day": [
            "The School takes place from 19 June 2019 to 21 June 2019: no check-in on another day."
        ]
    }
    assert checkins(db) == 0


def test_a_session_of_another_edition_or_none_is_refused(client, db, demo, world, openapi):
    for session_id in (999_999, world["explora"]):
        slug = world["autumn"] if session_id == world["explora"] else demo.slug
        badge = world["badges"]["伟" if slug == world["autumn"] else "Majda"]
        response = scan(client, slug, world, token=badge, session_id=session_id)
        assert response.status_code == 422, response.get_json()
        response_matches(openapi, PATH, "post", 422, response.get_json())
        assert list(response.get_json()["errors"]) == ["session_id"]
    assert checkins(db) == 0


def test_the_edition_s_days_and_sessions_are_still_scanned(client, db, demo, world):
    for day in ("2019-06-19", "2019-06-21"):
        response = scan(client, demo.slug, world, token=world["badges"]["Majda"], day=day)
        assert response.get_json()["verdict"] == "ok"
    at_session = scan(
        client, demo.slug, world, token=world["badges"]["Majda"], session_id=world["explora"]
    )
    assert at_session.status_code == 200
    assert checkins(db) == 3


# -- client_id: idempotent for the same scan only (issue 17, point 9)


def test_replaying_the_same_scan_returns_the_first_answer(client, db, demo, world):
    body = {"token": world["badges"]["Majda"], "client_id": str(uuid.uuid4()), "day": "2019-06-19"}
    first = scan(client, demo.slug, world, **body).get_json()
    again = scan(client, demo.slug, world, **body).get_json()
    assert first["verdict"] == again["verdict"] == "ok"
    assert again["replayed"] and again["checkin_id"] == first["checkin_id"]
    assert again["participant"]["last_name"] == "Jelenčić"
    assert checkins(db) == 1


@pytest.mark.parametrize("change", ["another badge", "another session", "another day",
                                    "another edition", "a damaged badge"])  # fmt: skip
def test_a_client_id_reused_for_another_scan_is_a_409_revealing_nothing(
    client, db, demo, world, openapi, change
):
    client_id = str(uuid.uuid4())
    first = scan(
        client, demo.slug, world, token=world["badges"]["Majda"], client_id=client_id,
        day="2019-06-19",
    )  # fmt: skip
    assert first.get_json()["verdict"] == "ok"
    slug, body = demo.slug, {"token": world["badges"]["Majda"], "day": "2019-06-19"}
    if change == "another badge":
        body["token"] = world["badges"]["Иван"]
    elif change == "another session":
        body["session_id"] = world["explora"]
    elif change == "another day":
        body["day"] = "2019-06-20"
    elif change == "another edition":
        slug, body = world["autumn"], {"token": world["badges"]["伟"], "day": "2024-12-04"}
    else:
        body["token"] = "K1:1:2S:AAAAAAAAAAAAAAAAAAAAAAAA"
    reused = scan(client, slug, world, client_id=client_id, **body)
    assert reused.status_code == 409, reused.get_json()
    answer = reused.get_json()
    response_matches(openapi, PATH, "post", 409, answer)
    assert answer["code"] == "client_id_reused"
    text = reused.get_data(as_text=True)
    assert set(answer) == {"code", "message"}
    for secret in ("Majda", "Jelen", "participant", "checkin", "2019-06-19", "entrance"):
        assert secret not in text
    assert checkins(db) == 1
    # The first scan's replay still answers as it did.
    replay = scan(
        client, demo.slug, world, token=world["badges"]["Majda"], client_id=client_id,
        day="2019-06-19",
    )  # fmt: skip
    assert replay.get_json()["replayed"] and replay.get_json()["verdict"] == "ok"
