"""Cancelling a registration in the back office says first what will happen, and can be
undone; the registration's page tells its days, meals, needs, rankings and history in
words, and "Move to" offers only the sessions at the same time."""

from __future__ import annotations

import re

import pytest
import sqlalchemy as sa

from school.models import OutboxMessage, Registration, Session
from tests.support.backoffice import Organiser, flashes, fresh, make_admin
from tests.support.factories import make_choice, make_registration


@pytest.fixture
def organiser(app, client, db, demo):
    make_admin(app, db)
    return Organiser(client).login()


def by_key(db, key: str) -> Session:
    return db.scalar(sa.select(Session).where(Session.key == key))


@pytest.fixture
def full_visit(db, demo):
    """Explora has one seat: Ève holds it, Zoé waits for it."""
    explora = by_key(db, "d1-visit-explora")
    explora.capacity = 1
    eve = make_registration(db, demo, first_name="Ève", email="eve@example.org", language="en",
                            dietary="Sans gluten", accessibility="Fauteuil roulant")  # fmt: skip
    make_choice(db, eve, explora)
    zoe = make_registration(db, demo, first_name="Zoé", email="zoe@example.org")
    make_choice(db, zoe, explora, status="waitlisted")
    db.commit()
    return eve, zoe, explora


def test_cancel_says_what_will_happen_and_reinstating_gives_a_place_in_line(
    organiser, demo, db, full_visit
):
    eve, zoe, _explora = full_visit
    page = f"/organiser/{demo.slug}/registrations/{eve.id}"
    html = organiser.page(page)
    # The button leads to a question, not to the deed.
    assert f'href="{page}/cancel"' in html
    question = organiser.page(f"{page}/cancel")
    text = re.sub(r"\s+", " ", re.sub(r"<[^>]+>", " ", question))
    assert "Tour of the permanent exhibitions (Explora)" in text
    assert "the seat goes to the person waiting for it, who is told by e-mail" in text
    assert "An e-mail tells eve@example.org that the registration is cancelled" in text
    assert fresh(db).get(Registration, eve.id).status == "confirmed"

    response = organiser.submit(f"{page}/cancel", {}, page=f"{page}/cancel", prefix="action-")
    assert response.status_code == 302
    db = fresh(db)
    assert db.get(Registration, eve.id).status == "cancelled"
    assert [c.status for c in db.get(Registration, zoe.id).choices] == ["confirmed"]
    html = organiser.page(page)
    # What Ève had stays on her page.
    assert "Before the cancellation, this participant held:" in html
    assert "Tour of the permanent exhibitions (Explora)" in html

    response = organiser.submit(f"{page}/reinstate", {}, page=page, prefix="action-")
    shown = flashes(organiser.page(response.headers["Location"]))
    assert any("reinstated" in f and "waiting line" in f for f in shown), shown
    db = fresh(db)
    eve = db.get(Registration, eve.id)
    assert eve.status == "confirmed" and [c.status for c in eve.choices] == ["waitlisted"]
    purposes = db.scalars(
        sa.select(OutboxMessage.purpose)
        .where(OutboxMessage.registration_id == eve.id)
        .order_by(OutboxMessage.id)
    ).all()
    assert purposes == ["cancellation", "confirmation"]

    html = organiser.page(page)
    history = re.search(r'<section aria-labelledby="history-title">.*?</section>', html, re.S)
    words = re.sub(r"\s+", " ", re.sub(r"<[^>]+>", " ", history.group(0)))
    assert "Cancelled by an organiser" in words and "Reinstated by an organiser" in words
    assert "Seat given back: Tour of the permanent exhibitions (Explora)" in words
    assert "Tour of the permanent exhibitions (Explora) (waiting list)" in words
    assert "registration." not in words and "{" not in words and "'" not in words


def test_a_cancelled_registration_is_reinstated_with_its_seat_when_still_free(organiser, demo, db):
    tour = by_key(db, "d1-visit-spaces")
    ana = make_registration(db, demo, first_name="Ana", email="ana@example.org")
    make_choice(db, ana, tour)
    db.commit()
    page = f"/organiser/{demo.slug}/registrations/{ana.id}"
    organiser.submit(f"{page}/cancel", {}, page=f"{page}/cancel", prefix="action-")
    organiser.submit(f"{page}/reinstate", {}, page=page, prefix="action-")
    ana = fresh(db).get(Registration, ana.id)
    assert [(c.session_id, c.status) for c in ana.choices] == [(tour.id, "confirmed")]


def test_the_page_shows_days_meals_needs_and_moves_only_to_parallel_sessions(
    organiser, demo, db, full_visit
):
    eve, _zoe, explora = full_visit
    html = organiser.page(f"/organiser/{demo.slug}/registrations/{eve.id}")
    section = re.search(r'<section aria-labelledby="attendance-title">.*?</section>', html, re.S)
    words = re.sub(r"\s+", " ", re.sub(r"<[^>]+>", " ", section.group(0)))
    assert "Sans gluten" in words and "Fauteuil roulant" in words
    assert "Wednesday 19 June, Thursday 20 June, Friday 21 June" in words
    select = re.search(rf'name="move{explora.id}-to_session"[^>]*>(.*?)</select>', html, re.S)
    offered = [int(v) for v in re.findall(r'value="(\d+)"', select.group(1))]
    assert offered, "a visit at the same time is offered"
    explora = fresh(db).get(Session, explora.id)
    for session_id in offered:
        assert db.get(Session, session_id).overlaps(explora), session_id
    everything = db.scalars(sa.select(Session.id).where(Session.edition_id == demo.id)).all()
    assert len(offered) < len(everything) - 5
