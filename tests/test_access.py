"""One person's link never opens another's data: a manage, badge or speaker token only
opens its own pages; an id of another edition (or another speaker's session) is not
found through this edition's pages and API; huge ids in URLs and bodies are a 404 or a
422, never a 500 (PostgreSQL's integers overflow where Python's do not)."""

from __future__ import annotations

import uuid

import pytest
import sqlalchemy as sa

from school.models import CheckIn, Registration, SessionPerson
from tests.security_world import ADMIN, login

HUGE = (2**31, 2**63, 10**30)


def _rules(app, prefix):
    for rule in app.url_map.iter_rules():
        if rule.rule.startswith(prefix):
            yield rule


def test_each_kind_of_token_opens_only_its_own_pages(app, client, world):
    speaker_token = world.speakers[0][1]
    for rule in _rules(app, "/my/"):
        assert client.get(world.url(rule.rule, token=world.alice.manage)).status_code == 200, rule
        for wrong in (world.alice.badge, speaker_token, world.alice.manage[:-1] + "x", "x" * 65):
            assert client.get(world.url(rule.rule, token=wrong)).status_code == 404, (rule, wrong)
    for rule in _rules(app, "/speaker/"):
        if "GET" not in rule.methods:
            continue
        assert client.get(world.url(rule.rule, token=speaker_token)).status_code == 200, rule
        for wrong in (world.alice.manage, world.alice.badge):
            assert client.get(world.url(rule.rule, token=wrong)).status_code == 404, (rule, wrong)


def test_a_participants_pages_show_nothing_of_another(app, client, world):
    for rule in _rules(app, "/my/"):
        if rule.endpoint.endswith(("badge_svg", "certificate_pdf")):
            continue  # a QR code; a certificate only after the School
        response = client.get(world.url(rule.rule, token=world.alice.manage))
        body = response.get_data()
        if response.mimetype == "application/pdf":
            continue  # compressed text: the badge PDF is read in test_hostile_input
        assert b"Marley" not in body and b"bob@" not in body, rule
        if rule.endpoint in ("participant.manage", "participant.data", "participant.badge"):
            assert b"Liddell" in body, rule


def test_a_speaker_confirms_only_their_own_sessions(app, client, db, world):
    (_, token, _), (other_id, _, _) = world.speakers[:2]
    theirs = db.scalars(
        sa.select(SessionPerson.session_id).where(
            SessionPerson.person_id == other_id, SessionPerson.is_tentative.is_(True)
        )
    ).all()
    app.config["WTF_CSRF_ENABLED"] = False
    for session_id in theirs:
        client.post(f"/speaker/{token}/confirm", data={"session_id": str(session_id)})
    db.rollback()
    still = db.scalars(
        sa.select(SessionPerson.is_tentative).where(SessionPerson.person_id == other_id)
    ).all()
    assert theirs and all(still)


def test_ids_of_another_edition_are_not_found_through_this_one(app, client, db, world):
    login(client, *ADMIN)
    app.config["WTF_CSRF_ENABLED"] = False
    for rule in _rules(app, "/organiser/<slug>/"):
        if not any(name.endswith("_id") for name in rule.arguments):
            continue
        # The demo's rows, asked for through the other edition.
        url = world.url(rule.rule, slug=world.other_slug)
        for method in sorted(rule.methods - {"HEAD", "OPTIONS"}):
            assert client.open(url, method=method).status_code == 404, (rule.rule, method)
    stranger = world.params["stranger_id"]
    for path in ("", "/cancel", "/resend"):
        url = f"/organiser/{world.slug}/registrations/{stranger}{path}"
        assert client.open(url, method="POST" if path else "GET").status_code == 404, url
    db.rollback()
    alice, other = db.get(Registration, world.alice.id), db.get(Registration, stranger)
    assert not alice.is_cancelled and not other.is_cancelled


def test_a_check_in_is_undone_only_through_its_own_edition(client, db, world):
    checkin_id = world.params["checkin_id"]
    response = client.post(
        f"/api/v1/editions/{world.other_slug}/checkins/{checkin_id}/undo", headers=world.auth
    )
    assert response.status_code == 404
    db.rollback()
    assert db.get(CheckIn, checkin_id).undone_at is None


@pytest.mark.parametrize("huge", HUGE)
def test_huge_ids_in_urls_are_not_found(app, client, world, huge):
    login(client, *ADMIN)
    app.config["WTF_CSRF_ENABLED"] = False
    checked = 0
    for rule in app.url_map.iter_rules():
        ids = {name: huge for name in rule.arguments if name.endswith("_id")}
        for method in ids and sorted(rule.methods - {"HEAD", "OPTIONS"}):
            response = client.open(world.url(rule.rule, **ids), method=method, headers=world.auth)
            assert response.status_code == 404, (rule.rule, method, response.status_code)
            checked += 1
    assert checked > 20


@pytest.mark.parametrize("huge", HUGE)
def test_huge_ids_in_api_bodies_are_refused_cleanly(client, world, huge):
    scan = client.post(
        f"/api/v1/editions/{world.slug}/checkins",
        json={"token": world.bob.badge, "client_id": str(uuid.uuid4()), "session_id": huge},
        headers=world.auth,
    )
    assert scan.status_code in (404, 422), scan.get_json()
    registration = client.post(
        f"/api/v1/editions/{world.slug}/registrations",
        json={
            "first_name": "Huge",
            "last_name": "Ids",
            "email": f"huge{huge % 97}@example.org",
            "country": "PT",
            "category": "member",
            "days": ["2019-06-19"],
            "sessions": [huge],
            "meals": [huge],
            "consent": True,
        },
    )
    assert registration.status_code == 422, registration.get_json()
