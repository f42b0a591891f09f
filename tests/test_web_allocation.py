"""Organisers create a group, participants rank on the form, the organiser runs, adjusts
and publishes the allocation: all through the pages, CSRF on."""

from __future__ import annotations

import re
from datetime import timedelta

import pytest
import sqlalchemy as sa

from school.database import utcnow
from school.models import Choice, Ranking, Registration, Session, SessionGroup
from school.services.backoffice import organisers
from tests.support.backoffice import attempt_login
from tests.support.calendars import parse
from tests.support.servers import Inbox


def csrf(html: str) -> str:
    return re.search(r'name="csrf_token" (?:type="hidden" )?value="([^"]+)"', html).group(1)


@pytest.fixture
def admin(app, db, client, demo):
    with app.app_context():
        organisers.create_organiser(db, "chef@example.org", "admin", "correct horse 9")
        db.commit()
    attempt_login(client, "chef@example.org", "correct horse 9")
    return client


def test_the_whole_allocation_cycle_through_the_pages(admin, demo, db, app, smtp):
    tour = db.scalar(sa.select(Session).where(Session.key == "d1-visit-spaces"))
    explora = db.scalar(sa.select(Session).where(Session.key == "d1-visit-explora"))
    tour.capacity, explora.capacity = 1, 1
    db.commit()
    tour_id, explora_id, tour_uid = tour.id, explora.id, tour.uid
    titles = {
        (tour_id, "en"): tour.title_en,
        (explora_id, "en"): explora.title_en,
        (tour_id, "fr"): tour.title_fr,
    }
    page = admin.get(f"/organiser/{demo.slug}/groups?lang=en").get_data(as_text=True)
    closing = (utcnow() + timedelta(days=2)).astimezone(demo.tz).strftime("%Y-%m-%dT%H:%M")
    response = admin.post(
        f"/organiser/{demo.slug}/groups",
        data={
            "csrf_token": csrf(page),
            "key": "d1-visits",
            "title_fr": "Visites du mercredi",
            "title_en": "Wednesday visits",
            "mode": "preference",
            "preferences_close_at": closing,
            "sessions": [tour_id, explora_id],
        },
    )
    assert response.status_code == 302
    group = db.scalar(sa.select(SessionGroup))
    group_id = group.id
    db.commit()  # end this read: the test reads again what the requests write

    # Three participants rank on the public form (a second client each).
    for n, first in enumerate([explora_id, explora_id, tour_id]):
        visitor = app.test_client()
        form = visitor.get(f"/{demo.slug}/register?lang=en").get_data(as_text=True)
        assert "Your preferences: Wednesday visits" in form
        assert f'name="sessions" value="{explora_id}"' not in form  # ranked, not picked
        response = visitor.post(
            f"/{demo.slug}/register",
            data={
                "csrf_token": csrf(form),
                "first_name": "Ève",
                "last_name": f"Núñez {n}",
                "email": f"p{n}@example.org",
                "country": "ES",
                "category": "partner",
                "language": "fr" if n == 2 else "en",
                "days": ["2019-06-19"],
                "privacy_consent": "y",
                f"rank-{group_id}-1": str(first),
                f"rank-{group_id}-2": "any",
            },
        )
        assert response.status_code == 302, response.get_data(as_text=True)
    assert db.scalar(sa.select(sa.func.count()).select_from(Ranking)) == 6
    smtp.inbox.wait_for(3)  # their registration confirmations
    db.commit()

    page = admin.get(f"/organiser/{demo.slug}/groups/{group_id}?lang=en").get_data(as_text=True)
    assert "3 participants ranked these sessions." in page
    admin.post(
        f"/organiser/{demo.slug}/groups/{group_id}/run",
        data={"csrf_token": csrf(page), "seed": "7", "mix": ""},
    )
    page = admin.get(f"/organiser/{demo.slug}/groups/{group_id}?lang=en").get_data(as_text=True)
    assert "Random order seed: 7" in page
    db.expire_all()
    draft = db.get(SessionGroup, group_id).draft
    db.commit()
    assert draft["figures"]["by_rank"] == {"1": 2} and len(draft["figures"]["unassigned"]) == 1
    # Give the tour to nobody, then back: the draft follows, within the rules.
    holder = next(int(r) for r, s in draft["assigned"].items() if s == tour_id)
    moved = admin.post(
        f"/organiser/{demo.slug}/groups/{group_id}/adjust?lang=en",
        data={"csrf_token": csrf(page), "registration_id": str(holder), "session_id": ""},
        follow_redirects=True,
    )
    assert "The draft is changed." in moved.get_data(as_text=True)
    db.expire_all()
    assert db.get(SessionGroup, group_id).draft["assigned"][str(holder)] is None
    db.commit()
    loser = draft["figures"]["unassigned"][0]
    admin.post(
        f"/organiser/{demo.slug}/groups/{group_id}/adjust",
        data={"csrf_token": csrf(page), "registration_id": str(loser), "session_id": str(tour_id)},
    )
    # Before the cut-off people may still change their rankings: the draft is a preview.
    early = admin.post(
        f"/organiser/{demo.slug}/groups/{group_id}/publish?lang=fr",
        data={"csrf_token": csrf(page)},
        follow_redirects=True,
    )
    assert "publiez la répartition après celle-ci" in early.get_data(as_text=True)
    assert db.scalar(sa.select(sa.func.count()).select_from(Choice)) == 0
    db.execute(sa.update(SessionGroup).values(preferences_close_at=utcnow() - timedelta(hours=1)))
    tokens = {r.id: r.manage_token for r in db.scalars(sa.select(Registration))}
    db.commit()
    feed = f"/my/{tokens[loser]}/agenda.ics"
    assert tour_uid not in parse(admin.get(feed).data)
    response = admin.post(
        f"/organiser/{demo.slug}/groups/{group_id}/publish", data={"csrf_token": csrf(page)}
    )
    assert response.status_code == 302
    db.expire_all()
    confirmed = db.scalars(sa.select(Choice).where(Choice.status == "confirmed")).all()
    assert sorted(c.session_id for c in confirmed) == sorted([tour_id, explora_id])
    assert any(c.registration_id == loser for c in confirmed)
    assert db.get(SessionGroup, group_id).mode == "first_come"
    people = {r.id: r for r in db.scalars(sa.select(Registration))}
    winner = next(c.registration_id for c in confirmed if c.session_id == explora_id)
    db.commit()
    assert parse(admin.get(feed).data)[tour_uid]["status"] == "CONFIRMED"
    # A place in line is the participant's own event, under its own UID.
    waiting = parse(admin.get(f"/my/{tokens[holder]}/agenda.ics").data)[f"{tour_uid}-r{holder}"]
    assert waiting["status"] == "TENTATIVE" and "Liste d'attente" in waiting["summary"]

    # Each is told, in their language: the seat they got, or the line they wait in.
    smtp.inbox.wait_for(6)
    mail = {
        r: " ".join(Inbox.text(smtp.inbox.to(people[r].email)[-1]).split())
        for r in (loser, winner, holder)
    }
    assert smtp.inbox.to(people[loser].email)[-1]["Subject"] == "Your place: Wednesday visits"
    assert "You have a seat in: " + titles[tour_id, "en"] in mail[loser]
    assert "You have a seat in: " + titles[explora_id, "en"] in mail[winner]
    assert people[holder].language == "fr"  # ranked the tour first, and gave it up
    assert "Il n'est pas resté de place pour vous" in mail[holder]
    assert f"liste d'attente de « {titles[tour_id, 'fr']} »" in mail[holder]
    assert tokens[holder] in mail[holder]  # where to follow it


def test_check_in_staff_cannot_reach_the_allocation(client, app, db, demo):
    with app.app_context():
        organisers.create_organiser(db, "door@example.org", "checkin", "door password 1")
        db.commit()
    attempt_login(client, "door@example.org", "door password 1")
    assert client.get(f"/organiser/{demo.slug}/groups").status_code == 403
