"""The database goes away under a running server and comes back: meanwhile every page
says "try again shortly" (503, HTML or JSON, never a stack trace) and nothing is
half-stored; afterwards the same server, not restarted, serves again, even when nobody
asked anything while the database was away.

tests/test_faults.py covers a database that was never there."""

from __future__ import annotations

import json
from pathlib import Path
from urllib.parse import urlsplit

import pytest
import sqlalchemy as sa

from school.config import database_uri
from school.models import CheckIn, Edition, Registration
from school.services.backoffice import organisers
from school.services.badges import tokens
from tests.support import production
from tests.support.factories import make_registration
from tests.support.http_client import HttpClient
from tests.support.tcp_proxy import TcpProxy

pytestmark = [
    pytest.mark.postgres,
    pytest.mark.load,
    pytest.mark.skipif(
        not production.SUITE_ON_POSTGRES,
        reason="SQLite is a file beside the app and cannot become unreachable: this runs in "
        "the suite's PostgreSQL run (SCHOOL_DATABASE_URL=postgresql://...)",
    ),
]


@pytest.fixture
def proxy(database_url):
    url = sa.engine.make_url(database_uri(database_url, Path()))
    proxy = TcpProxy(url.host or "127.0.0.1", url.port or 5432).start()
    yield proxy
    proxy.stop()


@pytest.fixture
def app_config(app_config, proxy):
    # The app reaches PostgreSQL only through the proxy.
    url = sa.engine.make_url(database_uri(app_config["DATABASE_URL"], Path()))
    url = url.set(host="127.0.0.1", port=proxy.port)
    app_config["DATABASE_URL"] = url.render_as_string(hide_password=False)
    return app_config


def _person(email: str) -> dict:
    return {
        "first_name": "Ana", "last_name": "Ferreira", "email": email, "country": "PT",
        "category": "member", "days": ["2019-06-19"], "sessions": [], "consent": True,
    }  # fmt: skip


def test_the_database_away_then_back_without_restarting_the_app(live_server, demo, db, proxy):
    http = HttpClient(live_server.url)
    registrations = f"/api/v1/editions/{demo.slug}/registrations?lang=en"
    status, ana = http.post_json(registrations, _person("ana@example.org"))
    assert status == 201
    manage = urlsplit(ana["manage_url"]).path
    assert http.get(f"{manage}?lang=en")[0] == 200
    db.close()

    proxy.stop()
    try:
        # The first requests find their pooled connections dead, the next ones none at all.
        for _ in range(3):
            status, headers, page = http.get(f"{manage}?lang=en")
            assert status == 503, page
            assert "Please try again shortly" in page
            assert "Traceback" not in page and "psycopg" not in page and "Ferreira" not in page
            assert headers["Retry-After"] == "30"

            status, headers, text = http.request(
                "POST", registrations, json_body=_person("bo@example.org")
            )
            assert status == 503 and headers["Content-Type"] == "application/json"
            assert "try again shortly" in json.loads(text)["message"]
            assert "Traceback" not in text and "psycopg" not in text

        status, _headers, page = http.get(f"/{demo.slug}/programme?lang=fr")
        assert status == 503 and "Merci de réessayer" in page
    finally:
        proxy.start()

    # Back, on the same server: Ana's page, and Bo, whose attempt during the outage left
    # nothing behind, registers as someone new.
    status, _headers, page = http.get(f"{manage}?lang=en")
    assert status == 200 and "Ferreira" in page
    assert http.post_json(registrations, _person("bo@example.org"))[0] == 201
    assert http.get(f"/{demo.slug}/programme?lang=fr")[0] == 200

    # A restart nobody saw (no request while it was down): the pooled connections are
    # dead, and the very next visitor still gets the page.
    proxy.stop()
    proxy.start()
    assert http.get(f"{manage}?lang=en")[0] == 200
    assert http.post_json(registrations, _person("cy@example.org"))[0] == 201

    emails = db.scalars(sa.select(Registration.email).order_by(Registration.id)).all()
    assert emails == ["ana@example.org", "bo@example.org", "cy@example.org"]


def test_a_door_scanning_while_the_database_goes_away(live_server, app, demo, db, proxy):
    # A scan sent alone runs on the bare driver (school/bare_statements.py), beside the
    # ORM: a lost server is a 503 there too, the pool forgets the dead connection, and the
    # scanner's resend once the database is back records the scan once.
    with app.app_context():
        staff = organisers.create_organiser(db, "door@example.org", "checkin", "door password 1")
        bearer = {"Authorization": f"Bearer {organisers.create_api_token(db, staff, 'door')}"}
        edition = db.get(Edition, demo.id)
        ana, majda, cy = (make_registration(db, edition) for _ in range(3))
        db.commit()
        badges = {"ana": tokens.token_for(ana), "majda": tokens.token_for(majda)}
        badges["cy"] = tokens.token_for(cy)
    db.close()
    http = HttpClient(live_server.url)

    def scan(who: str, client_id: str) -> tuple[int, dict]:
        body = {"token": badges[who], "client_id": client_id, "day": "2019-06-19"}
        status, _headers, text = http.request(
            "POST",
            f"/api/v1/editions/{demo.slug}/checkins?lang=en",
            json_body=body,
            headers=bearer,
        )
        assert "Traceback" not in text and "psycopg" not in text
        return status, json.loads(text)

    status, answer = scan("ana", "scan-of-ana-0001")
    assert status == 200 and answer["verdict"] == "ok"  # its connection now waits in the pool

    proxy.stop()
    try:
        for _ in range(3):
            status, answer = scan("majda", "scan-of-majda-01")
            assert status == 503 and "try again shortly" in answer["message"]
    finally:
        proxy.start()

    status, answer = scan("majda", "scan-of-majda-01")
    assert status == 200 and answer["verdict"] == "ok" and not answer["replayed"]
    status, again = scan("majda", "scan-of-majda-01")
    assert again["replayed"] and again["checkin_id"] == answer["checkin_id"]

    # A restart nobody saw: the pooled connections are dead, the next scan is answered.
    proxy.stop()
    proxy.start()
    status, answer = scan("cy", "scan-of-cy-00001")
    assert status == 200 and answer["verdict"] == "ok" and answer["arrivals"] == 3

    db.rollback()
    scanned = db.scalars(sa.select(CheckIn.registration_id).order_by(CheckIn.id)).all()
    assert scanned == [ana.id, majda.id, cy.id]
