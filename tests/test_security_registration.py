"""Registering as an attacker would: taking over a cancelled registration's private
link, probing which addresses are registered, flooding an inbox with link e-mails."""

from __future__ import annotations

from concurrent.futures import ThreadPoolExecutor
from datetime import timedelta
from urllib.parse import urlsplit

import pytest
import sqlalchemy as sa

from school.database import utcnow
from school.models import OutboxMessage, Registration, Session
from school.services.registration import cancelling
from tests.support.factories import api_registration as body
from tests.support.http_client import HttpClient

API = "/api/v1/editions/{slug}/registrations"


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

        cancelling.cancel(
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


# -- no probing of which addresses are registered (issue 17, point 5)

KNOWN, UNKNOWN = "zainoudine@example.org", "nobody-yet@example.org"


def at_the_same_time(db) -> list[int]:
    """Two sessions needing registration moved to the same hour: choosing both is refused
    only when seats are taken (the rule that needs a registration)."""
    explora = db.scalar(sa.select(Session).where(Session.key == "d1-visit-explora"))
    cafe = db.scalar(sa.select(Session).where(Session.key == "d3-work-cafe"))
    cafe.starts_at, cafe.ends_at = explora.starts_at, explora.ends_at
    db.commit()
    return [explora.id, cafe.id]


INVALID = {
    "no consent": lambda db: {"consent": False},
    "unknown country": lambda db: {"country": "ZZ"},
    "a day outside the School": lambda db: {"days": ["2019-07-14"]},
    "a session that does not exist": lambda db: {"sessions": [999_999]},
    "two sessions at the same time": lambda db: {
        "days": ["2019-06-19", "2019-06-21"],
        "sessions": at_the_same_time(db),
    },
}


@pytest.mark.parametrize("mistake", INVALID)
def test_a_known_and_an_unknown_address_get_the_same_answer(client, demo, db, mistake):
    assert post(client, demo, body(email=KNOWN)).status_code == 201
    sent = link_emails(db, KNOWN)
    wrong = INVALID[mistake](db)
    known = post(client, demo, body(email=KNOWN, **wrong))
    unknown = post(client, demo, body(email=UNKNOWN, **wrong))
    assert known.status_code == unknown.status_code == 422
    assert known.get_json() == unknown.get_json()
    assert link_emails(db, KNOWN) == sent  # an invalid body sends nothing
    db.rollback()
    assert db.scalar(sa.select(sa.func.count()).select_from(Registration)) == 1


def test_a_valid_body_with_a_known_address_is_a_409_and_the_link_goes_by_mail(client, demo, db):
    created = post(client, demo, body(email=KNOWN))
    link = urlsplit(created.get_json()["manage_url"]).path
    again = post(client, demo, body(email=KNOWN.upper(), first_name="Mallory"))
    assert again.status_code == 409
    assert again.get_json()["code"] == "already_registered"
    text = again.get_data(as_text=True)
    assert link not in text and "Younoussa" not in text and "Mallory" not in text
    assert link_emails(db, KNOWN) == 1
    message = db.scalar(sa.select(OutboxMessage).where(OutboxMessage.purpose == "link"))
    assert link in message.text_body


def form_post(client, demo, email: str, **fields):
    data = {
        "first_name": "Zainoudine",
        "last_name": "Younoussa",
        "email": email,
        "country": "YT",
        "category": "member",
        "language": "en",
        "days": ["2019-06-19", "2019-06-21"],
        "privacy_consent": "y",
    }
    data.update(fields)
    data = {k: v for k, v in data.items() if v is not None}
    return client.post(f"/{demo.slug}/register?lang=en", data=data)


@pytest.mark.parametrize(
    "mistake",
    [
        {"privacy_consent": None},
        {"days": ["2019-06-19"], "sessions": "same-time"},
    ],
    ids=["no consent", "two sessions at the same time"],
)
def test_the_form_answers_a_known_and_an_unknown_address_alike(app, client, demo, db, mistake):
    app.config["WTF_CSRF_ENABLED"] = False
    assert post(client, demo, body(email=KNOWN)).status_code == 201
    sent = link_emails(db, KNOWN)
    if mistake.get("sessions") == "same-time":
        mistake = {**mistake, "sessions": [str(i) for i in at_the_same_time(db)]}
    known = form_post(client, demo, KNOWN, **mistake)
    unknown = form_post(client, demo, UNKNOWN, **mistake)
    assert known.status_code == unknown.status_code == 200
    pages = [r.get_data(as_text=True) for r in (known, unknown)]
    assert pages[0].replace(KNOWN, UNKNOWN) == pages[1]
    assert "inbox" not in pages[0].lower()
    assert link_emails(db, KNOWN) == sent


# -- no flooding an inbox with link e-mails (issue 17, point 6)


def lost_link(client, demo, email: str):
    return client.post(f"/{demo.slug}/register/lost-link?lang=en", data={"email": email})


def age_link_emails(db, minutes: int) -> None:
    db.rollback()
    for message in db.scalars(sa.select(OutboxMessage).where(OutboxMessage.purpose == "link")):
        message.created_at -= timedelta(minutes=minutes)
    db.commit()


def test_one_link_email_per_address_in_a_while(app, client, demo, db):
    app.config["WTF_CSRF_ENABLED"] = False
    assert post(client, demo, body(email=KNOWN)).status_code == 201
    answers = {post(client, demo, body(email=KNOWN)).status_code for _ in range(50)}
    assert answers == {409}  # the same answer every time: nothing says a mail was held back
    assert link_emails(db, KNOWN) == 1
    for _ in range(10):
        assert lost_link(client, demo, KNOWN).status_code == 200
    assert link_emails(db, KNOWN) == 1
    # Once the interval (5 minutes) has passed, one more, and again one only.
    age_link_emails(db, 4)
    lost_link(client, demo, KNOWN)
    assert link_emails(db, KNOWN) == 1
    age_link_emails(db, 2)
    for _ in range(5):
        lost_link(client, demo, KNOWN)
        post(client, demo, body(email=KNOWN))
    assert link_emails(db, KNOWN) == 2
    # Another address is not held back by this one's.
    assert post(client, demo, body(email=UNKNOWN)).status_code == 201
    lost_link(client, demo, UNKNOWN)
    assert link_emails(db, UNKNOWN) == 1


def test_the_interval_is_configurable(app, client, demo, db):
    app.config["WTF_CSRF_ENABLED"] = False
    app.config["LINK_EMAIL_INTERVAL_MINUTES"] = 60
    post(client, demo, body(email=KNOWN))
    post(client, demo, body(email=KNOWN))
    age_link_emails(db, 30)
    lost_link(client, demo, KNOWN)
    assert link_emails(db, KNOWN) == 1
    app.config["LINK_EMAIL_INTERVAL_MINUTES"] = 0
    lost_link(client, demo, KNOWN)
    lost_link(client, demo, KNOWN)
    assert link_emails(db, KNOWN) == 3


def test_requests_at_once_send_one_link_email(live_server, demo, db):
    path = API.format(slug=demo.slug)
    assert HttpClient(live_server.url).post_json(path, body(email=KNOWN))[0] == 201
    form = f"/{demo.slug}/register/lost-link?lang=en"

    def attempt(n: int) -> int:
        client = HttpClient(live_server.url)
        if n % 2:
            return client.submit_form(form, {"email": KNOWN})[0]
        return client.post_json(path, body(email=KNOWN))[0]

    with ThreadPoolExecutor(max_workers=8) as pool:
        statuses = list(pool.map(attempt, range(16)))
    assert sorted(set(statuses)) == [200, 409]
    assert link_emails(db, KNOWN) == 1


def test_links_sent_during_a_request_are_the_sites_not_the_requests_host(app, client, demo, db):
    """The link e-mailed again for a known address is written during the request: built on
    the ``Host`` the request claims, whoever asks could have it point to their own site
    and collect the owner's private link when they click it."""
    app.config["BASE_URL"] = "https://school.example.org"
    created = post(client, demo, body(email=KNOWN))
    assert created.get_json()["manage_url"].startswith("https://school.example.org/my/")
    again = client.post(
        API.format(slug=demo.slug),
        json=body(email=KNOWN),
        headers={"Host": "attacker.example", "X-Forwarded-Host": "attacker.example"},
    )
    assert again.status_code == 409
    db.rollback()
    message = db.scalar(sa.select(OutboxMessage).where(OutboxMessage.purpose == "link"))
    assert "attacker.example" not in message.text_body + (message.html_body or "")
    assert "https://school.example.org/my/" in message.text_body
