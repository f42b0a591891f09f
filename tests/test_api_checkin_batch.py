"""Scans sent together (a scanner's queue after an outage, a busy door): each decided as
if sent alone, in the order sent; one refused scan holds back none of the others; a
malformed batch records nothing; batches at once never wait on each other forever."""

from __future__ import annotations

import uuid
from concurrent.futures import ThreadPoolExecutor

import pytest
import sqlalchemy as sa

from school.models import CheckIn, Edition, Registration, Session
from school.services.backoffice import organisers
from school.services.badges import tokens
from tests.support.factories import make_choice, make_registration
from tests.support.http_client import HttpClient
from tests.support.openapi import response_matches

PATH = "/api/v1/editions/{slug}/checkins/batch"
NAMES = [("Ольга", "Петрова"), ("晓明", "王"), ("ليلى", "حداد"), ("Zoë", "Ñúñez-Łukasiewicz")]


@pytest.fixture
def openapi(client):
    return client.get("/api/v1/openapi.json").get_json()


@pytest.fixture
def door(app, db, demo):
    with app.app_context():
        staff = organisers.create_organiser(db, "door@example.org", "checkin", "door password 1")
        token = organisers.create_api_token(db, staff, "door phone")
        edition = db.get(Edition, demo.id)
        people = [
            make_registration(db, edition, first_name=first, last_name=last)
            for first, last in NAMES
        ]
        db.commit()
        badges = [tokens.token_for(person) for person in people]
    return {"auth": {"Authorization": f"Bearer {token}"}, "badges": badges}


def scan(badge: str, at: str, client_id: str | None = None) -> dict:
    return {
        "token": badge,
        "client_id": client_id or str(uuid.uuid4()),
        "day": "2019-06-19",
        "scanned_at": f"2019-06-19T{at}:00+02:00",
        "device": "door phone",
    }


def send(client, demo, door, scans, **headers):
    return client.post(
        f"/api/v1/editions/{demo.slug}/checkins/batch",
        json={"scans": scans},
        headers=door["auth"] | headers,
    )


def standing(db) -> int:
    db.rollback()
    return db.scalar(sa.select(sa.func.count()).select_from(CheckIn).where(CheckIn.is_standing))


def test_each_scan_of_a_batch_is_decided_as_if_sent_alone(client, demo, door, db, openapi):
    olga, xiaoming, layla, _zoe = door["badges"]
    alone = scan(layla, "08:40")
    assert (
        client.post(
            f"/api/v1/editions/{demo.slug}/checkins", json=alone, headers=door["auth"]
        ).get_json()["verdict"]
        == "ok"
    )
    scans = [
        scan(olga, "08:50"),
        scan(xiaoming, "08:51"),
        scan(olga, "08:55"),  # the same person again: already in
        scan("NOT-A-BADGE", "08:56"),
        alone,  # sent alone first, and again in the queue: its first answer, once
    ]
    response = send(client, demo, door, scans)
    assert response.status_code == 200
    response_matches(openapi, PATH, "post", 200, response.get_json())
    results = response.get_json()["results"]
    assert [r["client_id"] for r in results] == [s["client_id"] for s in scans]
    assert all(r["refusal"] is None for r in results)
    verdicts = [r["result"]["verdict"] for r in results]
    assert verdicts == ["ok", "ok", "already", "invalid", "ok"]
    first, second, again, _forged, replayed = (r["result"] for r in results)
    assert first["participant"]["first_name"] == "Ольга" and first["arrivals"] == 2
    assert second["participant"]["last_name"] == "王" and second["arrivals"] == 3
    assert again["first_checkin_at"] == "2019-06-19T08:50:00+02:00"
    assert replayed["replayed"] and replayed["participant"]["first_name"] == "ليلى"
    assert standing(db) == 3
    # The whole queue sent again (the answer was lost): nothing new is recorded.
    again = send(client, demo, door, scans).get_json()["results"]
    assert [r["result"]["verdict"] for r in again] == verdicts
    assert all(r["result"]["replayed"] for r in again) and standing(db) == 3


def test_a_refused_scan_holds_back_none_of_the_others(client, demo, door, db, openapi):
    olga, xiaoming, layla, zoe = door["badges"]
    reused = str(uuid.uuid4())
    assert send(client, demo, door, [scan(olga, "08:50", reused)]).status_code == 200
    # The same id for another badge: refused, saying nothing of the scan it belongs to.
    scans = [scan(xiaoming, "08:51"), scan(layla, "08:52", reused), scan(zoe, "08:53")]
    response = send(client, demo, door, scans, **{"Accept-Language": "fr"})
    assert response.status_code == 200
    response_matches(openapi, PATH, "post", 200, response.get_json())
    results = response.get_json()["results"]
    assert [r["result"] and r["result"]["verdict"] for r in results] == ["ok", None, "ok"]
    assert results[1]["refusal"]["code"] == "client_id_reused"
    assert "Ольга" not in str(results[1]) and "déjà" in results[1]["refusal"]["message"]
    assert standing(db) == 3


GOOD = "good"  # stands for a well-formed scan of a real badge


@pytest.mark.parametrize(
    "scans, field",
    [
        ([], "scans"),
        ("not a list", "scans"),
        ([GOOD] * 101, "scans"),
        ([GOOD, {"token": "X", "client_id": "short"}], "scans[1].client_id"),
        ([GOOD, None], "scans[1].token"),
    ],
)
def test_a_malformed_batch_records_nothing(client, demo, door, db, openapi, scans, field):
    if isinstance(scans, list):
        scans = [scan(door["badges"][0], "08:50") if s == GOOD else s for s in scans]
    response = client.post(
        f"/api/v1/editions/{demo.slug}/checkins/batch",
        json={"scans": scans},
        headers=door["auth"] | {"Accept-Language": "fr"},
    )
    assert response.status_code == 422
    body = response.get_json()
    response_matches(openapi, PATH, "post", 422, body)
    assert body["errors"][field][0].startswith("Doit")  # in the scanner's language
    assert standing(db) == 0


def test_only_door_staff_send_batches(client, demo, door):
    body = {"scans": [scan(door["badges"][0], "08:50")]}
    assert client.post(f"/api/v1/editions/{demo.slug}/checkins/batch", json=body).status_code == 401


@pytest.mark.load
def test_batches_at_once_over_the_same_badges_all_get_through(live_server, demo, door, db):
    badges = door["badges"]
    path = f"/api/v1/editions/{demo.slug}/checkins/batch"

    def batch(n: int):
        # Every other phone holds the same badges in the reverse order.
        order = badges if n % 2 else list(reversed(badges))
        scans = [scan(badge, f"09:{n:02d}") for badge in order]
        client = HttpClient(live_server.url)
        status, _headers, _body = client.request(
            "POST", path, json_body={"scans": scans}, headers=door["auth"]
        )
        return status

    with ThreadPoolExecutor(max_workers=8) as pool:
        answers = list(pool.map(batch, range(24)))
    assert answers == [200] * 24
    assert standing(db) == len(badges)
    db.rollback()
    assert db.scalar(sa.select(sa.func.count()).select_from(CheckIn)) == 24 * len(badges)


@pytest.mark.load
def test_scans_sent_alone_and_batches_at_once_check_each_person_in_once(
    live_server, demo, door, db
):
    # A scan sent alone takes no lock: the unique index of standing check-ins decides
    # between it and the batches (which lock their badges) and the other lone scans.
    badges = door["badges"]
    base = f"/api/v1/editions/{demo.slug}/checkins"

    def send_some(n: int) -> list[int]:
        client = HttpClient(live_server.url)
        if n % 3 == 0:
            scans = [scan(badge, f"09:{n:02d}") for badge in reversed(badges)]
            body = {"scans": scans}
            status, _headers, _body = client.request(
                "POST", base + "/batch", json_body=body, headers=door["auth"]
            )
            return [status]
        statuses = []
        for badge in badges:
            status, _headers, _body = client.request(
                "POST", base, json_body=scan(badge, f"09:{n:02d}"), headers=door["auth"]
            )
            statuses.append(status)
        return statuses

    with ThreadPoolExecutor(max_workers=8) as pool:
        answers = [status for statuses in pool.map(send_some, range(24)) for status in statuses]
    assert set(answers) == {200}
    db.rollback()
    # Each person stands checked in once, by the earliest of their scans (09:00).
    rows = db.execute(
        sa.select(CheckIn.registration_id, CheckIn.scanned_at).where(CheckIn.is_standing)
    ).all()
    assert len(rows) == len(badges) == len({person for person, _at in rows})
    earliest = db.scalar(sa.select(sa.func.min(CheckIn.scanned_at)))
    assert {at for _person, at in rows} == {earliest}
    assert db.scalar(sa.select(sa.func.count()).select_from(CheckIn)) == 24 * len(badges)


def test_a_place_the_edition_does_not_have_refuses_only_the_scans_made_there(
    client, demo, door, db, openapi
):
    olga, xiaoming, *_ = door["badges"]
    nowhere = scan(xiaoming, "08:45") | {"session_id": 999_999}
    scans = [
        scan(olga, "08:50"),
        nowhere,
        scan(olga, "08:40"),  # made earlier, on a phone that was offline: it is the check-in
        scan(olga, "09:00"),
    ]
    response = send(client, demo, door, scans, **{"Accept-Language": "fr"})
    response_matches(openapi, PATH, "post", 200, response.get_json())
    results = response.get_json()["results"]
    assert [r["result"] and r["result"]["verdict"] for r in results] == [
        "ok", None, "ok", "already"
    ]  # fmt: skip
    assert results[1]["refusal"]["code"] == "invalid"  # in French, as sent alone
    wrong = results[1]["refusal"]["errors"]["session_id"]
    assert wrong == ["Cette session ne fait pas partie de cette édition."]
    assert [r["result"]["arrivals"] for r in results if r["result"]] == [1, 1, 1]
    assert results[3]["result"]["first_checkin_at"] == "2019-06-19T08:40:00+02:00"
    # As the door sees it next: one arrival, checked in at 8:40.
    alone = client.post(
        f"/api/v1/editions/{demo.slug}/checkins", json=scan(olga, "09:30"), headers=door["auth"]
    ).get_json()
    assert alone["verdict"] == "already" and alone["first_checkin_at"].endswith("08:40:00+02:00")
    assert standing(db) == 1


def test_a_batch_answers_what_its_scans_sent_one_by_one_would_have(client, demo, door, db, openapi):
    """The same queue sent scan by scan and, after the door is cleared, as one batch:
    the same verdicts, arrivals, first check-ins and places in line, and the same people
    left checked in at the same times."""
    olga, xiaoming, layla, zoe = door["badges"]
    workshop = db.scalar(
        sa.select(Session.id).where(
            Session.edition_id == demo.id, Session.key == "d1-visit-explora"
        )
    )
    queue = [
        scan(xiaoming, "09:10"),
        scan(olga, "08:50"),
        scan(olga, "08:55"),  # already in
        scan("NOT-A-BADGE", "08:56"),
        scan(layla, "09:00"),
        scan(layla, "08:45"),  # made earlier on a phone that was offline: the check-in
        scan(xiaoming, "08:30"),  # earlier than the one standing before the batch
        scan(zoe, "09:05") | {"session_id": workshop},  # no seat there
        scan(zoe, "09:06"),
    ]

    def answers(results):
        kept = ("verdict", "arrivals", "first_checkin_at", "waitlist_position", "participant")
        return [{key: r.get(key) for key in kept} for r in results]

    def standing_at() -> list[tuple]:
        db.rollback()
        rows = db.execute(
            sa.select(CheckIn.registration_id, CheckIn.checkpoint, CheckIn.scanned_at)
            .where(CheckIn.is_standing)
            .order_by(CheckIn.registration_id, CheckIn.checkpoint)
        )
        return [tuple(row) for row in rows]

    def clear():
        db.rollback()
        db.execute(sa.delete(CheckIn))
        db.commit()

    first = client.post(
        PATH.format(slug=demo.slug).removesuffix("/batch"), json=queue[0], headers=door["auth"]
    )
    assert first.get_json()["verdict"] == "ok"
    alone = [
        client.post(
            PATH.format(slug=demo.slug).removesuffix("/batch"), json=one, headers=door["auth"]
        ).get_json()
        for one in queue[1:]
    ]
    people_alone = standing_at()
    clear()
    assert send(client, demo, door, queue[:1]).get_json()["results"][0]["result"]["verdict"] == "ok"
    response = send(
        client, demo, door, [dict(one, client_id=str(uuid.uuid4())) for one in queue[1:]]
    )
    assert response.status_code == 200
    response_matches(openapi, PATH, "post", 200, response.get_json())
    together = [r["result"] for r in response.get_json()["results"]]
    assert answers(together) == answers(alone)
    assert [r["verdict"] for r in together] == [
        "ok", "already", "invalid", "ok", "ok", "ok", "not_registered_for_session", "ok"
    ]  # fmt: skip
    assert standing_at() == people_alone
    assert len(people_alone) == 4  # Olga at 8:50, Layla at 8:45, Xiaoming at 8:30, Zoë


def test_a_queue_holding_the_same_scan_twice_records_it_once(client, demo, door, db):
    olga, xiaoming, *_ = door["badges"]
    twice = scan(olga, "08:50")
    scans = [twice, scan(xiaoming, "08:51"), twice]
    results = send(client, demo, door, scans).get_json()["results"]
    assert [r["result"]["verdict"] for r in results] == ["ok", "ok", "ok"]
    assert [r["result"]["replayed"] for r in results] == [False, False, True]
    assert results[2]["result"]["checkin_id"] == results[0]["result"]["checkin_id"]
    assert standing(db) == 2
    db.rollback()
    assert db.scalar(sa.select(sa.func.count()).select_from(CheckIn)) == 2


def test_a_queue_sent_again_goes_through_whatever_its_new_scans_ask(
    app, client, demo, door, db, openapi
):
    """Its answer lost, a scanner sends its queue again with the scans made since: one at
    a place the edition does not have, one of a badge whose registration is gone, one
    of someone turned away from a session where they wait in line. Each of those asks
    the database something on the way: the scan recorded before is replayed all the
    same, and none of them makes the whole queue fail."""
    olga, xiaoming, layla, _zoe = door["badges"]
    with app.app_context():
        visit = db.scalar(
            sa.select(Session).where(
                Session.edition_id == demo.id, Session.key == "d1-visit-explora"
            )
        )
        waiting = db.scalar(sa.select(Registration).where(Registration.last_name == "حداد"))
        make_choice(db, waiting, visit, status="waitlisted")
        db.commit()
        gone = tokens.token_for(Registration(id=987_654, edition_id=demo.id))
    first = scan(olga, "08:50")
    assert send(client, demo, door, [first]).get_json()["results"][0]["result"]["verdict"] == "ok"
    queue = [
        first,
        scan(xiaoming, "08:51") | {"session_id": 999_999},
        scan(gone, "08:52"),
        scan(layla, "08:53") | {"session_id": visit.id},
        scan(xiaoming, "08:54"),
    ]
    response = send(client, demo, door, queue)
    assert response.status_code == 200
    response_matches(openapi, PATH, "post", 200, response.get_json())
    results = response.get_json()["results"]
    assert results[0]["result"]["replayed"] and results[0]["result"]["verdict"] == "ok"
    assert results[1]["refusal"]["code"] == "invalid"
    assert results[2]["result"]["verdict"] == "invalid"
    turned_away = results[3]["result"]
    assert turned_away["verdict"] == "not_registered_for_session"
    assert turned_away["waitlist_position"] == 1
    assert results[4]["result"]["verdict"] == "ok"
    assert standing(db) == 2
