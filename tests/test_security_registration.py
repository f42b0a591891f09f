"""Registering as an attacker would: taking over a cancelled registration's private
link, probing which addresses are registered, flooding an inbox with link e-mails."""

from __future__ import annotations

from urllib.parse import urlsplit

import sqlalchemy as sa

from school.database import utcnow
from school.models import OutboxMessage, Registration, Session
from school.services.registration import registrations

API = "/api/v1/editions/{slug}/registrations"


def body(**overrides):
    data = {
        "first_name": "Zainoudine",
        "last_name": "Younoussa",
        "email": "zainoudine@example.org",
        "organisation": "Cité des métiers de Mamoudzou",
        "country": "YT",
        "category": "member",
        "language": "fr",
        "days": ["2019-06-19", "2019-06-21"],
        "sessions": [],
        "consent": True,
    }
    data.update(overrides)
    return data


def post(client, demo, json):
    return client.post(API.format(slug=demo.slug), json=json)


def link_emails(db, address: str) -> int:
    db.rollback()
    return db.scalar(
        sa.select(sa.func.count())
        .select_from(OutboxMessage)
        .where(OutboxMessage.to_address == address, OutboxMessage.purpose == "link")
    )


def cancel(app, db, registration_id: int) -> None:
    db.rollback()
    with app.app_context():
        from school.extensions import db as app_db

        registrations.cancel(
            app_db.session, app_db.session.get(Registration, registration_id), now=utcnow()
        )
        app_db.session.commit()


# -- a cancelled address registered again (issue 17, point 2)


def test_registering_a_cancelled_address_again_gets_a_new_link(app, client, demo, db):
    explora = db.scalar(sa.select(Session).where(Session.key == "d1-visit-explora"))
    first = post(client, demo, body(sessions=[explora.id], dietary="sans gluten"))
    assert first.status_code == 201
    old = urlsplit(first.get_json()["manage_url"]).path
    old_badge = urlsplit(first.get_json()["badge_url"]).path
    cancel(app, db, first.get_json()["id"])

    # Someone else registers the address: a registration of their own, nothing of the first.
    again = post(client, demo, body(first_name="Mallory", dietary=None))
    assert again.status_code == 201, again.get_json()
    new = urlsplit(again.get_json()["manage_url"]).path
    assert new != old
    assert again.get_json()["id"] != first.get_json()["id"]
    assert urlsplit(again.get_json()["badge_url"]).path != old_badge
    assert old not in again.get_data(as_text=True)
    data = client.get(f"{new}/data.json").get_json()
    assert data["registration"]["first_name"] == "Mallory"
    assert data["registration"]["dietary"] is None
    assert data["choices"] == [] and data["checkins"] == []
    assert [m["purpose"] for m in data["emails"]] == ["confirmation"]
    assert "sans gluten" not in client.get(f"{new}/data.json").get_data(as_text=True)

    # The one who cancelled keeps their own link and history, still cancelled.
    mine = client.get(f"{old}/data.json").get_json()
    assert mine["registration"]["status"] == "cancelled"
    assert mine["registration"]["first_name"] == "Zainoudine"
    assert {m["purpose"] for m in mine["emails"]} >= {"confirmation", "cancellation"}
    db.rollback()
    rows = db.scalars(sa.select(Registration).order_by(Registration.id)).all()
    assert [r.status for r in rows] == ["cancelled", "confirmed"]
    assert rows[0].email == rows[1].email == "zainoudine@example.org"

    # Registered again while active: a 409, and the new link is not shown either.
    third = post(client, demo, body(first_name="Eve"))
    assert third.status_code == 409
    assert new not in third.get_data(as_text=True) and "/my/" not in third.get_data(as_text=True)

    # Cancelled and registered a third time: yet another link; the set-aside ones stay apart.
    cancel(app, db, again.get_json()["id"])
    fourth = post(client, demo, body(first_name="Trent"))
    assert fourth.status_code == 201
    assert urlsplit(fourth.get_json()["manage_url"]).path not in (old, new)
    db.rollback()
    assert db.scalar(sa.select(sa.func.count()).select_from(Registration)) == 3


def test_the_registration_form_after_a_cancellation_opens_a_new_link(app, client, demo, db):
    first = post(client, demo, body())
    old = urlsplit(first.get_json()["manage_url"]).path
    cancel(app, db, first.get_json()["id"])
    app.config["WTF_CSRF_ENABLED"] = False
    response = client.post(
        f"/{demo.slug}/register?lang=en",
        data={
            "first_name": "Mallory",
            "last_name": "Younoussa",
            "email": "zainoudine@example.org",
            "country": "YT",
            "category": "member",
            "language": "en",
            "days": ["2019-06-19"],
            "privacy_consent": "y",
        },
    )
    assert response.status_code == 302, response.get_data(as_text=True)
    assert urlsplit(response.headers["Location"]).path != old
    assert "/my/" in response.headers["Location"]
