"""Real parallel clients against a live server: nobody gets a seat that is not there,
and nobody loses a seat they had."""

from __future__ import annotations

from concurrent.futures import ThreadPoolExecutor
from urllib.parse import urlsplit

import pytest
import sqlalchemy as sa

from school.models import Choice, Registration, Session
from school.services.registration.waiting_lines import waitlist_positions
from tests.support.http_client import HttpClient

pytestmark = pytest.mark.load


def _body(n: int, session_id: int, **overrides):
    data = {
        "first_name": "Majda",
        "last_name": f"Jelenčić {n}",
        "email": f"p{n}@example.org",
        "country": "HR",
        "category": "partner",
        "days": ["2019-06-19"],
        "sessions": [session_id],
        "consent": True,
    }
    data.update(overrides)
    return data


def _explora_with(db, capacity: int) -> int:
    explora = db.scalar(sa.select(Session).where(Session.key == "d1-visit-explora"))
    explora.capacity = capacity
    db.commit()
    return explora.id


def _seats(db, session_id):
    db.rollback()
    rows = db.execute(
        sa.select(Choice.status, sa.func.count())
        .where(Choice.session_id == session_id)
        .group_by(Choice.status)
    ).all()
    return dict(rows)


def test_fifty_people_for_ten_seats(live_server, demo, db):
    explora = _explora_with(db, 10)
    path = f"/api/v1/editions/{demo.slug}/registrations"

    def attempt(n: int):
        # Four people send their registration twice at once (a double click).
        return HttpClient(live_server.url).post_json(path, _body(n % 46, explora))

    with ThreadPoolExecutor(max_workers=25) as pool:
        results = list(pool.map(attempt, range(50)))
    statuses = sorted(status for status, _ in results)
    assert statuses.count(201) == 46 and statuses.count(409) == 4, statuses
    # The second click, whether it came at once or after the first was saved, is told the
    # address is registered (its private link goes by mail), never shown an error.
    refused = [body for status, body in results if status == 409]
    assert {body["code"] for body in refused} == {"already_registered"}, refused
    assert _seats(db, explora) == {"confirmed": 10, "waitlisted": 36}
    assert db.scalar(sa.select(sa.func.count()).select_from(Registration)) == 46
    # The waiting line is one consistent order: the positions the API answered are 1..36.
    answered = sorted(
        body["choices"][0]["waitlist_position"]
        for status, body in results
        if status == 201 and body["choices"][0]["status"] == "waitlisted"
    )
    assert answered == list(range(1, 37))
    line = db.scalars(
        sa.select(Choice)
        .where(Choice.session_id == explora, Choice.status == "waitlisted")
        .order_by(Choice.queued_at, Choice.id)
    ).all()
    positions = waitlist_positions(db, [explora])
    assert [positions[c.id] for c in line] == list(range(1, 37))


def test_cancellations_and_registrations_at_once_never_overbook(live_server, demo, db):
    explora = _explora_with(db, 10)
    path = f"/api/v1/editions/{demo.slug}/registrations"
    client = HttpClient(live_server.url)
    holders = [client.post_json(path, _body(n, explora))[1] for n in range(14)]
    assert _seats(db, explora) == {"confirmed": 10, "waitlisted": 4}
    confirmed = [h for h in holders if h["choices"][0]["status"] == "confirmed"]

    def cancel(holder):
        person = HttpClient(live_server.url)
        manage = urlsplit(holder["manage_url"]).path
        status, _headers, _text = person.submit_form(f"{manage}/cancel", {})
        return status

    def register(n):
        return HttpClient(live_server.url).post_json(path, _body(100 + n, explora))[0]

    with ThreadPoolExecutor(max_workers=20) as pool:
        cancels = [pool.submit(cancel, holder) for holder in confirmed]
        registers = [pool.submit(register, n) for n in range(10)]
        assert [f.result() for f in cancels] == [302] * 10
        assert [f.result() for f in registers] == [201] * 10
    seats = _seats(db, explora)
    # 10 seats freed and 14 people wanting them: every seat is taken, and no more.
    assert seats == {"confirmed": 10, "waitlisted": 4}
    cancelled = db.scalar(
        sa.select(sa.func.count())
        .select_from(Registration)
        .where(Registration.status == "cancelled")
    )
    assert cancelled == 10
