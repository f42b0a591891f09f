"""The check-in API as a scanner uses it: bearer token, verdicts, replays, the roster."""

from __future__ import annotations

import uuid
from datetime import timedelta

import pytest
import sqlalchemy as sa

from school.database import utcnow
from school.models import CheckIn, Choice, Edition, Registration, Session
from school.services.backoffice import organisers
from school.services.badges import tokens
from school.services.checkin import roster
from school.services.registration import self_service
from tests.support.factories import make_choice, make_edition, make_registration
from tests.support.openapi import response_matches

PATH = "/api/v1/editions/{slug}/checkins"


@pytest.fixture
def openapi(client):
    return client.get("/api/v1/openapi.json").get_json()


@pytest.fixture
def scanner(app, db, demo):
    with app.app_context():
        staff = organisers.create_organiser(db, "door@example.org", "checkin", "door password 1")
        token = organisers.create_api_token(db, staff, "door phone")
        edition = db.get(Edition, demo.id)
        majda = make_registration(db, edition, first_name="Majda", last_name="Jelenčić")
        explora = db.scalar(sa.select(Session).where(Session.key == "d1-visit-explora"))
        make_choice(db, majda, explora)
        db.commit()
        badge = tokens.token_for(majda)
    return {"auth": {"Authorization": f"Bearer {token}"}, "badge": badge, "explora": explora}


def post(client, demo, scanner, **body):
    body.setdefault("client_id", str(uuid.uuid4()))
    return client.post(f"/api/v1/editions/{demo.slug}/checkins", json=body, headers=scanner["auth"])


def test_ok_then_already_then_replay(client, demo, scanner, openapi):
    client_id = str(uuid.uuid4())
    first = post(
        client,
        demo,
        scanner,
        token=scanner["badge"],
        client_id=client_id,
        scanned_at="2019-06-19T08:50:00+02:00",
    )
    second = post(
        client, demo, scanner, token=scanner["badge"], scanned_at="2019-06-19T08:55:00+02:00"
    )
    replay = post(client, demo, scanner, token=scanner["badge"], client_id=client_id)
    for response in (first, second, replay):
        assert response.status_code == 200
        response_matches(openapi, PATH, "post", 200, response.get_json())
    first, second, replay = first.get_json(), second.get_json(), replay.get_json()
    assert first["verdict"] == "ok" and first["participant"]["last_name"] == "Jelenčić"
    assert first["checkpoint"]["id"] == "entrance:2019-06-19" and first["arrivals"] == 1
    assert [s["session_id"] for s in first["participant"]["today"]] == [scanner["explora"].id]
    assert second["verdict"] == "already"
    assert second["first_checkin_at"] == "2019-06-19T08:50:00+02:00"
    assert second["first_checkin"]["by"] == "door@example.org"
    assert replay["replayed"] and replay["verdict"] == "ok"
    assert replay["checkin_id"] == first["checkin_id"]


def test_a_scan_runs_a_fixed_small_number_of_statements(client, demo, scanner, count_queries, db):
    # The badge with its seats, the standing check-in and the arrivals count in one
    # statement, then the insert. The token's check, the edition and its sessions are kept
    # by the process (school/data_versions.py): the first scan reads the token again, as
    # the previous request recorded its use, and the sessions, which no scan read before.
    expected = {"ok": 4, "already": 2, "ok at a session": 2, "already at a session": 2}
    invalid = post(client, demo, scanner, token="not a badge", day="2019-06-19")
    assert invalid.get_json()["verdict"] == "invalid"
    counts = {}
    for name, body in [
        ("ok", {"day": "2019-06-19"}),
        ("already", {"day": "2019-06-19"}),
        ("ok at a session", {"session_id": scanner["explora"].id}),
        ("already at a session", {"session_id": scanner["explora"].id}),
    ]:
        with count_queries() as statements:
            answer = post(client, demo, scanner, token=scanner["badge"], **body).get_json()
        assert answer["verdict"] == name.split()[0]
        counts[name] = len(statements)
    if db.get_bind().dialect.name == "postgresql":
        assert counts == expected
    else:
        # SQLite cannot say which tables another connection changed: after each scan's
        # commit the token, the edition and its sessions are read again (three more), and
        # the transaction restarts as the writer (BEGIN IMMEDIATE) and reads the first two
        # once more: five at most.
        assert all(expected[name] <= n <= expected[name] + 5 for name, n in counts.items())


def test_session_checkpoint_and_unknown_session(client, demo, scanner):
    ok = post(client, demo, scanner, token=scanner["badge"], session_id=scanner["explora"].id)
    assert ok.get_json()["verdict"] == "ok"
    assert ok.get_json()["checkpoint"]["id"] == f"session:{scanner['explora'].id}"
    missing = post(client, demo, scanner, token=scanner["badge"], session_id=999999)
    assert missing.status_code == 422  # issue 17: refused, naming the field
    assert list(missing.get_json()["errors"]) == ["session_id"]


def test_a_forged_badge_is_invalid_not_an_error(client, demo, scanner):
    data = post(client, demo, scanner, token="<script>alert(1)</script>", day="2019-06-19")
    data = data.get_json()
    assert data["verdict"] == "invalid" and data["participant"] is None


@pytest.mark.parametrize(
    ("body", "field"),
    [
        ({"token": 12}, "token"),
        ({"client_id": "x"}, "client_id"),
        ({"session_id": "12"}, "session_id"),
        ({"scanned_at": "yesterday"}, "scanned_at"),
        ({"scanned_at": "2019-06-19T08:50:00"}, "scanned_at"),
        ({"day": "19/06"}, "day"),
    ],
)
def test_malformed_scans_are_422(client, demo, scanner, openapi, body, field):
    response = post(client, demo, scanner, **({"token": scanner["badge"]} | body))
    assert response.status_code == 422
    response_matches(openapi, PATH, "post", 422, response.get_json())
    assert field in response.get_json()["errors"]


def test_undo(client, demo, scanner):
    first = post(client, demo, scanner, token=scanner["badge"], day="2019-06-19").get_json()
    undo = client.post(
        f"/api/v1/editions/{demo.slug}/checkins/{first['checkin_id']}/undo",
        headers=scanner["auth"],
    )
    assert undo.status_code == 200 and undo.get_json()["arrivals"] == 0
    again = client.post(
        f"/api/v1/editions/{demo.slug}/checkins/{first['checkin_id']}/undo",
        headers=scanner["auth"],
    )
    assert again.status_code == 409


def test_roster_matches_the_document(client, demo, scanner, openapi):
    response = client.get(f"/api/v1/editions/{demo.slug}/roster", headers=scanner["auth"])
    assert response.status_code == 200
    data = response.get_json()
    response_matches(openapi, "/api/v1/editions/{slug}/roster", "get", 200, data)
    assert [p["token"] for p in data["participants"]] == [scanner["badge"]]
    assert response.headers["Cache-Control"] == "private, no-store"


def _roster(client, demo, scanner, **params):
    return client.get(
        f"/api/v1/editions/{demo.slug}/roster", headers=scanner["auth"], query_string=params
    )


def _registered_an_hour_ago(app, db, demo) -> list[Registration]:
    """People of ``NAMES`` registered, everyone dated an hour ago: only what happens now
    is news to a scanner that holds the roster."""
    with app.app_context():
        edition = db.get(Edition, demo.id)
        people = [make_registration(db, edition, last_name=name) for name in NAMES]
        db.commit()
        hour_ago = utcnow() - timedelta(hours=1)
        db.execute(sa.update(Registration).values(created_at=hour_ago, updated_at=hour_ago))
        db.execute(sa.update(Choice).values(created_at=hour_ago, updated_at=hour_ago))
        db.commit()
    return people


def test_a_scanner_that_holds_the_roster_gets_only_who_changed(
    app, client, demo, scanner, db, openapi, count_queries
):
    people = _registered_an_hour_ago(app, db, demo)
    whole = _roster(client, demo, scanner).get_json()
    assert whole["complete"] is True and len(whole["participants"]) == len(NAMES) + 1
    held = whole["generated_at"]
    # Asked again at once, nothing is news, and the roster is kept: the check-ins only.
    with count_queries() as statements:
        again = _roster(client, demo, scanner, since=held).get_json()
    assert again["complete"] is False and again["participants"] == []
    assert [s["id"] for s in again["sessions"]] == [s["id"] for s in whole["sessions"]]
    if db.get_bind().dialect.name == "postgresql":
        # (SQLite cannot tell what the previous request's write changed: built again.)
        assert len(statements) <= 3
    # One badge scanned, one person registered at the door: those two.
    scanned = post(client, demo, scanner, token=scanner["badge"], day="2019-06-19").get_json()
    assert scanned["verdict"] == "ok"
    with app.app_context():
        walk_in = make_registration(db, db.get(Edition, demo.id), last_name="王小明")
        db.commit()
    news = _roster(client, demo, scanner, since=held)
    response_matches(openapi, "/api/v1/editions/{slug}/roster", "get", 200, news.get_json())
    changed = {p["id"]: p for p in news.get_json()["participants"]}
    assert set(changed) == {scanned["participant"]["id"], walk_in.id}
    assert changed[walk_in.id]["last_name"] == "王小明"
    assert "entrance:2019-06-19" in changed[scanned["participant"]["id"]]["checked_in"]
    assert not {p.id for p in people} & set(changed)


@pytest.mark.parametrize("built_alone", [roster.BUILT_ALONE, 1])
def test_people_scanned_since_are_sent_as_the_whole_roster_has_them(
    app, client, demo, scanner, db, count_queries, monkeypatch, built_alone
):
    """A scan changes nobody's badge or seats: those scanned in the last minutes are sent
    again for their check-ins, cut from the people the process keeps (PostgreSQL tells
    it nobody changed), exactly as the whole roster has them; and after a registration
    changed, whether they are built alone or with everyone (more than ``BUILT_ALONE``)."""
    monkeypatch.setattr(roster, "BUILT_ALONE", built_alone)
    _registered_an_hour_ago(app, db, demo)
    whole = _roster(client, demo, scanner).get_json()
    held = whole["generated_at"]
    door = [p for p in whole["participants"] if p["last_name"] in NAMES[:2]]
    for person in door:
        answer = post(client, demo, scanner, token=person["token"], day="2019-06-19").get_json()
        assert answer["verdict"] == "ok"
    with count_queries() as statements:
        news = _roster(client, demo, scanner, since=held).get_json()
    after = {p["id"]: p for p in _roster(client, demo, scanner).get_json()["participants"]}
    assert sorted(p["id"] for p in news["participants"]) == sorted(p["id"] for p in door)
    for person in news["participants"]:
        assert person == after[person["id"]]
        assert list(person["checked_in"]) == ["entrance:2019-06-19"]
    if db.get_bind().dialect.name == "postgresql":
        assert len(statements) <= 3  # who changed and the check-ins: nobody read again
    with app.app_context():
        moved = db.scalar(sa.select(Registration).where(Registration.last_name == NAMES[3]))
        moved.dietary, moved.updated_at = "végétarien", utcnow()
        db.commit()
    news = _roster(client, demo, scanner, since=held).get_json()
    after = {p["id"]: p for p in _roster(client, demo, scanner).get_json()["participants"]}
    assert sorted(p["id"] for p in news["participants"]) == sorted(
        [moved.id, *(p["id"] for p in door)]
    )
    assert all(person == after[person["id"]] for person in news["participants"])
    assert after[moved.id]["dietary"] == "végétarien"


def test_the_places_in_line_sent_since_are_those_of_the_whole_roster(
    app, client, demo, scanner, db
):
    """Sent ``since``, only the people changed are read: their places in a waiting line
    are counted by the database, and must be what the whole roster says."""
    hour_ago = utcnow() - timedelta(hours=1)
    with app.app_context():
        edition = db.get(Edition, demo.id)
        visit = db.scalar(sa.select(Session).where(Session.key == "d1-visit-explora"))
        visit.capacity = 1
        holder = make_registration(db, edition, last_name="Ærø")
        make_choice(db, holder, visit)
        for minutes, name in enumerate(["Шевченко", "欧阳"]):
            waiting = make_registration(db, edition, last_name=name)
            make_choice(db, waiting, visit, status="waitlisted").queued_at = hour_ago + timedelta(
                minutes=minutes
            )
        db.flush()
        db.execute(sa.update(Registration).values(updated_at=hour_ago))
        db.execute(sa.update(Choice).values(updated_at=hour_ago))
        db.commit()
    held = _roster(client, demo, scanner).get_json()["generated_at"]
    with app.app_context():
        # The second in line changes what they eat: sent alone, without who is ahead.
        second = db.scalar(sa.select(Registration).where(Registration.last_name == "欧阳"))
        second.dietary, second.updated_at = "halal", utcnow()
        db.commit()
    alone = _roster(client, demo, scanner, since=held).get_json()
    with app.app_context():
        late = make_registration(db, db.get(Edition, demo.id), last_name="عبد الله")
        make_choice(db, late, db.get(Session, visit.id), status="waitlisted")
        db.commit()
    news = _roster(client, demo, scanner, since=held).get_json()
    whole = _roster(client, demo, scanner).get_json()
    key = str(visit.id)
    waiting = {p["last_name"]: p["waiting"] for p in whole["participants"] if p["waiting"]}
    assert waiting == {"Шевченко": {key: 1}, "欧阳": {key: 2}, "عبد الله": {key: 3}}
    assert [(p["last_name"], p["waiting"]) for p in alone["participants"]] == [("欧阳", {key: 2})]
    # The new one, and those whose line moved with it, each as the whole roster has them.
    sent = {p["last_name"]: p for p in news["participants"]}
    assert news["complete"] is False and set(waiting) <= set(sent)
    for person in whole["participants"]:
        assert sent.get(person["last_name"], person) == person


def test_those_behind_someone_who_leaves_a_line_are_sent_their_new_places(
    app, client, demo, scanner, db
):
    """A place given up leaves no row behind: those who waited after it are sent all the
    same, with the places the whole roster now gives them."""
    hour_ago = utcnow() - timedelta(hours=1)
    names = ["Ærø", "Шевченко", "欧阳", "عبد الله"]
    with app.app_context():
        edition = db.get(Edition, demo.id)
        visit = db.scalar(sa.select(Session).where(Session.key == "d1-visit-explora"))
        visit.capacity = 1
        for minutes, name in enumerate(names):
            person = make_registration(db, edition, last_name=name)
            status = "confirmed" if minutes == 0 else "waitlisted"
            make_choice(db, person, visit, status=status).queued_at = hour_ago + timedelta(
                minutes=minutes
            )
        db.flush()
        db.execute(sa.update(Registration).values(updated_at=hour_ago))
        db.execute(sa.update(Choice).values(updated_at=hour_ago))
        db.commit()
    key = str(visit.id)
    held = _roster(client, demo, scanner).get_json()
    assert {p["last_name"]: p["waiting"] for p in held["participants"] if p["waiting"]} == {
        name: {key: place} for place, name in enumerate(names[1:], 1)
    }
    with app.test_request_context():
        first = db.scalar(sa.select(Registration).where(Registration.last_name == names[1]))
        self_service.leave(db, first, visit.id, now=utcnow())
        db.commit()
    news = _roster(client, demo, scanner, since=held["generated_at"]).get_json()
    whole = _roster(client, demo, scanner).get_json()
    waiting = {p["last_name"]: p["waiting"] for p in whole["participants"] if p["waiting"]}
    assert waiting == {"欧阳": {key: 1}, "عبد الله": {key: 2}}
    sent = {p["last_name"]: p for p in news["participants"]}
    assert set(waiting) | {names[1]} <= set(sent)
    for person in whole["participants"]:
        assert sent.get(person["last_name"], person) == person


def test_a_roster_since_a_time_that_is_not_one_is_refused(client, demo, scanner):
    for wrong in ("yesterday", "2019-06-19T08:00:00"):  # no offset: which time?
        response = _roster(client, demo, scanner, since=wrong)
        assert response.status_code == 422
        assert "since" in response.get_json()["errors"]


NAMES = ["Ivanova Мария", "Łukasiewicz", "محمد", "Øyen"]


def test_an_entrance_scan_on_a_day_of_no_school_is_refused_and_its_resend_replayed(
    client, demo, scanner, db
):
    """Without its day, an entrance scan is the day it was made: today is none of the
    2019 School's, and the scan would count the person present on it (in the report, on
    their certificate)."""
    refused = post(client, demo, scanner, token=scanner["badge"])
    assert refused.status_code == 422
    assert refused.get_json()["errors"]["day"] == [
        "L’événement a lieu du 19 juin 2019 au 21 juin 2019 : aucun pointage un autre jour."
    ]  # in the API's language, French without Accept-Language
    assert db.scalar(sa.select(sa.func.count(CheckIn.id))) == 0
    client_id = str(uuid.uuid4())
    made = post(
        client, demo, scanner, token=scanner["badge"], client_id=client_id,
        scanned_at="2019-06-20T09:00:00+02:00",
    )  # fmt: skip
    assert made.get_json()["verdict"] == "ok"
    # Sent again without its time (a retry): the first answer, nothing new recorded.
    again = post(client, demo, scanner, token=scanner["badge"], client_id=client_id)
    assert again.status_code == 200 and again.get_json()["verdict"] == "ok"
    other = post(client, demo, scanner, token="not a badge", client_id=client_id)
    assert other.get_json()["code"] == "client_id_reused"
    db.rollback()
    assert db.scalar(sa.select(sa.func.count(CheckIn.id))) == 1


def test_a_badge_of_another_edition_names_that_edition_and_no_one(
    app, client, demo, scanner, openapi, db
):
    """The door says which School the badge is for; a replay says it again. A draft's
    name is not public yet: its badges are only "another edition"."""
    autumn = make_edition(db)
    draft = make_edition(
        db, slug="spring-school-2026", title_en="Spring School 2026", status="draft"
    )
    people = [make_registration(db, edition, last_name="Ñúñez") for edition in (autumn, draft)]
    with app.app_context():
        badges = [tokens.token_for(person) for person in people]
    db.commit()
    client_id = str(uuid.uuid4())
    at = "2019-06-19T09:00:00+02:00"
    answers = [
        post(client, demo, scanner, token=badges[0], client_id=client_id, scanned_at=at),
        post(client, demo, scanner, token=badges[0], client_id=client_id, scanned_at=at),
        post(client, demo, scanner, token=badges[1], scanned_at=at),
    ]
    for response in answers:
        response_matches(openapi, PATH, "post", 200, response.get_json())
    named, replayed, unnamed = (response.get_json() for response in answers)
    assert named["verdict"] == "wrong_edition" and named["participant"] is None
    title = {"fr": "Université d'automne 2024", "en": "Autumn School 2024"}
    assert named["badge_edition"] == {"id": autumn.id, "title": title}
    assert replayed["replayed"] and replayed["badge_edition"] == named["badge_edition"]
    assert unnamed["verdict"] == "wrong_edition" and unnamed["badge_edition"] is None
    assert "Ñúñez" not in str(answers[0].get_data(as_text=True))
    roster_answer = client.get(f"/api/v1/editions/{demo.slug}/roster", headers=scanner["auth"])
    assert roster_answer.get_json()["edition"]["others"] == [{"id": autumn.id, "title": title}]
