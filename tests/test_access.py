"""One person's link never opens another's data: a manage, badge or speaker token only
opens its own pages; an id of another edition (or another speaker's session) is not
found through this edition's pages and API; huge ids in URLs and bodies are a 404 or a
422, never a 500 (PostgreSQL's integers overflow where Python's do not)."""

from __future__ import annotations

import uuid

import pytest
import sqlalchemy as sa

from school.database import utcnow
from school.models import CheckIn, Choice, Edition, Registration, Session, SessionPerson
from school.services.programme import editions
from tests.support.backoffice import form_of
from tests.support.security_world import ADMIN, login
from tests.support.visitor import Visitor, answers

HUGE = (2**31, 2**63, 10**30)


def _rules(app, prefix):
    for rule in app.url_map.iter_rules():
        if rule.rule.startswith(prefix):
            yield rule


def test_each_kind_of_token_opens_only_its_own_pages(app, client, world):
    speaker_token = world.speakers[0][1]
    for rule in _rules(app, "/my/"):
        if "GET" not in rule.methods:
            continue  # one-tap changes: forms posted from the page (CSRF-checked)
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
        if "GET" not in rule.methods:
            continue
        if rule.endpoint.endswith(("badge_svg", "certificate_pdf")):
            continue  # a QR code; a certificate only after the School
        response = client.get(world.url(rule.rule, token=world.alice.manage))
        body = response.get_data()
        if response.mimetype == "application/pdf":
            continue  # compressed text: the badge PDF is read in test_hostile_input
        assert b"Marley" not in body and b"bob@" not in body, rule
        if rule.endpoint in ("participant.manage", "participant.data", "participant.badge"):
            assert b"Liddell" in body, rule


def _tentative(db, person_id) -> set[int]:
    db.rollback()
    return set(
        db.scalars(
            sa.select(SessionPerson.session_id).where(
                SessionPerson.person_id == person_id, SessionPerson.is_tentative.is_(True)
            )
        )
    )


def test_a_speaker_confirms_only_their_own_sessions(app, client, db, world):
    (own_id, token, _), (other_id, _, _) = world.speakers[:2]
    theirs, own = _tentative(db, other_id), _tentative(db, own_id)
    app.config["WTF_CSRF_ENABLED"] = False
    for session_id in theirs - own:
        client.post(f"/speaker/{token}/confirm", data={"session_id": str(session_id)})
    assert theirs - own and _tentative(db, other_id) == theirs
    # The same post for one of their own sessions does confirm it.
    mine = min(own)
    client.post(f"/speaker/{token}/confirm", data={"session_id": str(mine)})
    assert _tentative(db, own_id) == own - {mine} and _tentative(db, other_id) == theirs


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


def test_sessions_and_badges_of_another_edition_are_refused(app, client, db, demo, world):
    with app.app_context():
        source = db.get(Edition, demo.id)
        twin = editions.clone_edition(
            db, source, slug="twin-2020", title={"fr": "Jumelle", "en": "Twin"},
            starts_on="2020-06-17", actor="test", now=utcnow(),
        )  # fmt: skip
        db.commit()
        foreign = db.scalar(
            sa.select(Session.id).where(
                Session.edition_id == twin.id, Session.key == "d1-visit-explora"
            )
        )
    registration = client.post(
        f"/api/v1/editions/{world.slug}/registrations",
        json={"first_name": "Eve", "last_name": "Twin", "email": "eve@example.org",
              "country": "PT", "category": "member", "days": ["2019-06-19"],
              "sessions": [foreign], "consent": True},
    )  # fmt: skip
    assert registration.status_code == 422
    app.config["WTF_CSRF_ENABLED"] = False
    edit = client.post(
        f"/my/{world.alice.manage}/edit?lang=en",
        data=answers(email=world.alice.email, sessions=[str(foreign)]),
    )
    assert edit.status_code == 200 and "Please correct" in edit.get_data(as_text=True)
    db.rollback()
    assert not db.scalar(sa.select(sa.func.count()).where(Choice.session_id == foreign))
    # Alice's badge, shown at the twin's door, admits nobody and tells nothing.
    scan = client.post(
        "/api/v1/editions/twin-2020/checkins?lang=en",
        json={"token": world.alice.badge, "client_id": str(uuid.uuid4()), "day": "2020-06-17"},
        headers=world.auth,
    )
    assert scan.status_code == 200 and scan.get_json()["verdict"] != "ok"
    assert "Liddell" not in scan.get_data(as_text=True)


@pytest.mark.parametrize("huge", HUGE)
def test_huge_ids_in_the_registration_form_are_ignored_cleanly(client, db, world, huge):
    # Like any id that names no session: refused or left out, never looked up.
    group = world.params["group_id"]
    page = Visitor(client).submit(
        f"/{world.slug}/register",
        answers(sessions=[str(huge)], meals=[str(huge)]) | {f"rank-{group}-1": str(huge)},
    )
    assert page.status_code in (200, 302)
    db.rollback()
    assert not db.scalar(sa.select(sa.func.count()).select_from(Choice).join(Registration)
                         .where(Registration.email == "majda@example.org"))  # fmt: skip


@pytest.mark.parametrize("huge", HUGE)
def test_huge_numbers_in_organiser_forms_are_refused_cleanly(app, client, db, demo, world, huge):
    login(client, *ADMIN)
    app.config["WTF_CSRF_ENABLED"] = False
    explora = db.scalar(sa.select(Session).where(Session.key == "d1-visit-explora"))
    base = f"/organiser/{world.slug}"
    sent = {
        f"/my/{world.alice.manage}/edit": answers(email=world.alice.email, sessions=[str(huge)]),
        f"{base}/mailings": {"audience": "session", "session_id": str(huge),
                             "subject_fr": "Salut", "body_fr": "Bonjour"},
        f"{base}/groups/{world.params['group_id']}/adjust": {"registration_id": str(huge),
                                                            "session_id": str(huge)},
        f"{base}/sessions/{explora.id}": form_of(db, demo, explora, capacity=str(huge)),
        f"{base}/rooms/new": {"name_fr": "Salle immense", "capacity": str(huge)},
    }  # fmt: skip
    db.rollback()
    for url, data in sent.items():
        response = client.post(url, data=data)
        assert response.status_code in (200, 302, 422), (url, response.status_code)
    assert db.get(Session, explora.id).capacity == explora.capacity
