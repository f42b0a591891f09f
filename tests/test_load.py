"""Load without loss, and a server killed in the middle of it: gunicorn (2 workers, the
production configuration) on PostgreSQL, hundreds of people registering at once from
parallel clients while others cancel and staff scan badges. Afterwards the database
holds every acknowledged registration, whole, no workshop over capacity, no address
twice, waiting lines in order, and every check-in once. The kill (SIGKILL, master and
workers) also runs on SQLite, as a small install would."""

from __future__ import annotations

import json
import os
import signal
import threading
import uuid
from concurrent.futures import ThreadPoolExecutor
from types import SimpleNamespace
from urllib.parse import urlsplit

import pytest
import sqlalchemy as sa

from school.models import CheckIn
from school.services.backoffice import organisers
from school.services.badges.tokens import KeyRing, token_for
from tests.support import burst, production
from tests.support.http_client import HttpClient
from tests.support.servers import free_port

pytestmark = pytest.mark.load

# A small install runs several workers on SQLite too: the kill test runs on both.
postgresql_only = pytest.mark.skipif(
    not production.SUITE_ON_POSTGRES,
    reason="the burst runs in the suite's PostgreSQL run (SCHOOL_DATABASE_URL=postgresql://"
    "...), the production set-up for a network of centres; SQLite runs the kill test",
)

SECRET = "deploy-test-secret"  # production.app_environment's: badges are signed with it
CLIENTS = 24
PEOPLE = 528  # 22 per client


@pytest.fixture
def app_config(app_config):
    app_config["SECRET_KEY"] = SECRET
    return app_config


def _scanner(app, db) -> dict[str, str]:
    with app.app_context():
        staff = organisers.create_organiser(db, "door@example.org", "checkin", "door password 1")
        token = organisers.create_api_token(db, staff, "door phone")
        db.commit()
    return {"Authorization": f"Bearer {token}"}


class Desk:
    """One client of the burst: registers its people one after the other, and between two
    of them cancels or checks in someone it registered before."""

    def __init__(self, base_url, edition, tally, scans, auth):
        self.base_url, self.edition, self.tally = base_url, edition, tally
        self.scans, self.auth = scans, auth
        self.http = HttpClient(base_url)
        self.ring = KeyRing.from_config({"SECRET_KEY": SECRET})

    def run(self, k: int) -> None:
        mine: list[int] = []
        for n in range(k, PEOPLE, CLIENTS):
            body = burst.person(self.edition, n)
            if n % 10 == 7:  # a double click: the same form sent twice at once
                with ThreadPoolExecutor(2) as both:
                    answers = list(both.map(self.register, [body, body]))
                answers.sort(key=lambda a: a[0])
                self.tally.count("again", answers[1][0])
                status, answer = answers[0]
            else:
                status, answer = self.register(body)
            self.tally.count("register", status)
            if status == 201:
                self.tally.created[n] = answer
                mine.append(n)
            if len(mine) >= 2:
                self.follow_up(mine[-2])

    def register(self, body: dict) -> tuple[int, dict]:
        return self.http.post_json(self.edition.registrations, body)

    def follow_up(self, m: int) -> None:
        answer = self.tally.created[m]
        if m % 6 == 1:
            manage = urlsplit(answer["manage_url"]).path
            status = HttpClient(self.base_url).submit_form(f"{manage}/cancel", {})[0]
            self.tally.count("cancel", status)
            with self.tally.lock:
                self.scans["cancelled"].add(m)
        elif m % 3 == 0:
            badge = token_for(
                SimpleNamespace(edition_id=self.edition.id, id=answer["id"]), self.ring
            )
            client_id = str(uuid.uuid4())
            if m % 4 == 0:  # a phone sending the same scan twice at once
                with ThreadPoolExecutor(2) as both:
                    copies = list(both.map(lambda _: self.scan(badge, client_id), range(2)))
                assert sorted(c["replayed"] for c in copies) == [False, True]
                assert copies[0]["checkin_id"] == copies[1]["checkin_id"]
                first = next(c for c in copies if not c["replayed"])
            else:
                first = self.scan(badge, client_id)
            self.tally.count("scan", first["verdict"])
            with self.tally.lock:
                self.scans["ok"][answer["id"]] = first["checkin_id"]
            if m % 2 == 0:  # the phone lost the answer and sends the same scan again
                replay = self.scan(badge, first["client_id"])
                assert replay["replayed"] and replay["checkin_id"] == first["checkin_id"]
                self.tally.count("replay", replay["verdict"])
            if m % 9 == 0:  # another door scans the same badge
                self.tally.count("second scan", self.scan(badge, str(uuid.uuid4()))["verdict"])

    def scan(self, badge: str, client_id: str) -> dict:
        body = {"token": badge, "client_id": client_id, "day": burst.DAY.isoformat()}
        status, _headers, text = self.http.request(
            "POST", self.edition.checkins, json_body=body, headers=self.auth
        )
        assert status == 200, text
        with self.tally.lock:
            self.scans["client_ids"].add(client_id)
        return json.loads(text) | {"client_id": client_id}


@pytest.mark.postgres
@postgresql_only
def test_a_burst_of_registrations_cancellations_and_scans_loses_nothing(app, db, database_url):
    edition = burst.make_load_edition(db)
    auth = _scanner(app, db)
    tally = burst.Tally()
    scans = {"ok": {}, "client_ids": set(), "cancelled": set()}
    bind = f"127.0.0.1:{free_port()}"
    with production.gunicorn(burst.server_environment(database_url), bind):
        desks = [Desk(f"http://{bind}", edition, tally, scans, auth) for _ in range(CLIENTS)]
        with ThreadPoolExecutor(CLIENTS) as pool:
            list(pool.map(lambda k: desks[k].run(k), range(CLIENTS)))

    # Every request had the one answer it should: no error, no refusal.
    assert set(tally.statuses) == {
        ("register", 201), ("again", 409), ("cancel", 302),
        ("scan", "ok"), ("replay", "ok"), ("second scan", "already"),
    }  # fmt: skip
    assert tally.statuses[("register", 201)] == PEOPLE
    assert tally.statuses[("again", 409)] == sum(1 for n in range(PEOPLE) if n % 10 == 7)
    checked_in = len(scans["ok"])
    assert len(scans["cancelled"]) > 50 and checked_in > 100

    by_person = burst.check_registrations(db, edition, tally)
    assert len(by_person) == PEOPLE
    cancelled = {n for n, r in by_person.items() if r.status == "cancelled"}
    assert cancelled == scans["cancelled"]
    # People cancelled while others waited: their seats went down the lines.
    assert burst.check_seats(db, edition) > 0

    # Every scan recorded once, replays not at all; one standing check-in per person.
    rows = db.scalars(sa.select(CheckIn).where(CheckIn.edition_id == edition.id)).all()
    assert sorted(r.client_id for r in rows) == sorted(scans["client_ids"])
    standing = [r for r in rows if r.verdict == "ok" and r.undone_at is None]
    assert sorted(r.id for r in standing) == sorted(scans["ok"].values())
    assert sorted(r.registration_id for r in standing) == sorted(scans["ok"])


def test_a_server_killed_mid_burst_keeps_every_acknowledged_registration(app, db, database_url):
    edition = burst.make_load_edition(db)
    tally = burst.Tally()
    killed = threading.Event()
    bind = f"127.0.0.1:{free_port()}"
    env = burst.server_environment(database_url)
    people = 400

    def desk(k: int) -> None:
        http = HttpClient(f"http://{bind}")
        for n in range(k, people, 20):
            if killed.is_set():
                return
            status, answer = burst.ask(
                http.post_json, edition.registrations, burst.person(edition, n)
            )
            tally.count("register", status)
            if status == 201:
                tally.created[n] = answer
            elif status is burst.NO_ANSWER:
                with tally.lock:
                    tally.unanswered.add(n)

    with production.gunicorn(env, bind) as (master,), ThreadPoolExecutor(20) as pool:
        desks = [pool.submit(desk, k) for k in range(20)]
        # SIGKILL, as the OOM killer or a power cut would: master and workers at once,
        # with requests in flight.
        while len(tally.created) < 80 and not all(d.done() for d in desks):
            threading.Event().wait(0.01)
        os.killpg(master.pid, signal.SIGKILL)
        killed.set()
        master.wait()
        for d in desks:
            d.result()
    assert tally.unanswered, "the server was killed after the burst"
    assert len(tally.created) < people
    assert set(tally.statuses) <= {("register", 201), ("register", burst.NO_ANSWER)}

    with production.gunicorn(env, bind):
        # Whatever the kill interrupted was rolled back, whole (PostgreSQL has long noticed
        # the dead connections by now); what was acknowledged is there.
        stored = burst.check_registrations(db, edition, tally)
        burst.check_seats(db, edition)
        http = HttpClient(f"http://{bind}")
        # Those left without an answer send again: registered once, whatever happened.
        for n in sorted(tally.unanswered):
            status, _answer = http.post_json(edition.registrations, burst.person(edition, n))
            assert status == (409 if n in stored else 201), n
        status, answer = http.post_json(edition.registrations, burst.person(edition, people))
        assert status == 201
        tally.created[people] = answer
        assert http.get(f"/{edition.slug}/programme")[0] == 200

    after = burst.check_registrations(db, edition, tally)
    assert set(after) == set(stored) | tally.unanswered | {people}
    burst.check_seats(db, edition)
