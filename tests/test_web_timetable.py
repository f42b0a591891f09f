"""The timetable editor's endpoints: the grid of a day, and gestures that go through
the session form's service — a room booked twice refused, nothing half-done."""

from __future__ import annotations

import pytest
import sqlalchemy as sa

from school.models import AuditEntry, Session
from tests.support.backoffice import Organiser, csrf_token, fresh, make_admin
from tests.support.factories import make_choice, make_registration


@pytest.fixture
def organiser(app, client, db, demo):
    make_admin(app, db)
    return Organiser(client).login()


def _post(organiser, demo, path: str, body: dict):
    page = organiser.page(f"/organiser/{demo.slug}/timetable")
    return organiser.client.post(
        f"/organiser/{demo.slug}/timetable{path}",
        json=body,
        headers={"X-CSRFToken": csrf_token(page), "Accept": "application/json"},
        query_string={"lang": "en"},
    )


def _session(db, key: str) -> Session:
    return fresh(db).scalar(sa.select(Session).where(Session.key == key))


def _local(session, edition_tz):
    return (
        f"{session.starts_at.astimezone(edition_tz):%H:%M}",
        f"{session.ends_at.astimezone(edition_tz):%H:%M}",
        session.room.key if session.room else None,
    )


def test_the_grid_shows_each_session_in_its_room_and_rows(organiser, demo, db):
    html = organiser.page(f"/organiser/{demo.slug}/timetable", day="2019-06-19")
    explora = _session(db, "d1-visit-explora")
    start, end, _room = _local(explora, demo.tz)
    assert f'id="s{explora.id}"' in html
    assert f'data-start="{start}" data-end="{end}"' in html
    assert 'data-start="08:00" data-room="auditorium"' in html  # an empty cell, 15-min rows
    assert 'data-start="08:15" data-room="auditorium"' in html


def test_a_move_goes_through_the_forms_service_and_people_are_told(organiser, demo, db):
    explora = _session(db, "d1-visit-explora")
    someone = make_registration(db, demo, email="eve@example.org")
    make_choice(db, someone, explora)
    db.commit()
    sequence = explora.sequence
    response = _post(
        organiser,
        demo,
        f"/sessions/{explora.id}/place",
        {"date": "2019-06-19", "start": "16:30", "end": "18:00", "room": "auditorium"},
    )
    assert response.status_code == 200, response.json
    assert "The people concerned will be told." in response.json["message"]
    moved = _session(db, "d1-visit-explora")
    assert _local(moved, demo.tz) == ("16:30", "18:00", "auditorium")
    assert moved.sequence == sequence + 1
    action = fresh(db).scalar(
        sa.select(AuditEntry.action).where(AuditEntry.target == f"session:{moved.id}")
        .order_by(AuditEntry.id.desc())
    )  # fmt: skip
    assert action == "session.moved"


def test_a_room_booked_twice_is_refused_and_nothing_changes(organiser, demo, db):
    sessions = (
        fresh(db)
        .scalars(sa.select(Session).where(Session.room_id.is_not(None)).order_by(Session.starts_at))
        .all()
    )
    first = sessions[0]
    other = next(s for s in sessions if s.room_id != first.room_id and not s.is_cancelled)
    start, end, room = _local(first, demo.tz)
    before = _local(other, demo.tz)
    response = _post(organiser, demo, f"/sessions/{other.id}/place",
                     {"date": first.starts_at.astimezone(demo.tz).date().isoformat(),
                      "start": start, "end": end, "room": room})  # fmt: skip
    assert response.status_code == 409
    assert response.json["code"] == "clash" and "also booked" in response.json["message"]
    assert _local(_session(db, other.key), demo.tz) == before


def test_invalid_gestures_are_refused_with_the_fields_named(organiser, demo, db):
    explora = _session(db, "d1-visit-explora")
    response = _post(
        organiser,
        demo,
        f"/sessions/{explora.id}/place",
        {"date": "2019-06-19", "start": "18:00", "end": "17:00", "room": ""},
    )
    assert response.status_code == 422
    assert response.json["code"] == "invalid" and "end" in response.json["errors"]
    response = _post(organiser, demo, f"/sessions/{explora.id}/duplicate", {"rooms": []})
    assert response.status_code == 422 and response.json["code"] == "invalid"
    response = _post(organiser, demo, "/sessions/999999/place", {})
    assert response.status_code == 404


def test_duplicating_a_slot_copies_every_session_of_it(organiser, demo, db):
    explora = _session(db, "d1-visit-explora")
    slot = fresh(db).scalars(
        sa.select(Session).where(
            Session.starts_at == explora.starts_at, Session.ends_at == explora.ends_at,
            Session.status != "cancelled",
        )
    ).all()  # fmt: skip
    count = fresh(db).scalar(sa.select(sa.func.count()).select_from(Session))
    response = _post(organiser, demo, f"/sessions/{explora.id}/duplicate",
                     {"slot": True, "date": "2019-06-21", "start": "16:00"})  # fmt: skip
    assert response.status_code == 200, response.json
    assert fresh(db).scalar(sa.select(sa.func.count()).select_from(Session)) == count + len(slot)


def test_the_editor_needs_a_login_and_the_pages_token(client, app, db, demo):
    explora = _session(db, "d1-visit-explora")
    response = client.get(f"/organiser/{demo.slug}/timetable")
    assert response.status_code == 302 and "/organiser/login" in response.headers["Location"]
    make_admin(app, db)
    Organiser(client).login()
    response = client.post(
        f"/organiser/{demo.slug}/timetable/sessions/{explora.id}/place",
        json={"date": "2019-06-19", "start": "08:00", "end": "09:00", "room": ""},
        headers={"Accept": "application/json"},
    )
    assert response.status_code in (400, 403)
    assert _local(_session(db, "d1-visit-explora"), demo.tz) != ("08:00", "09:00", None)


def test_without_the_script_the_add_form_posts_and_comes_back_to_the_day(organiser, demo, db):
    url = f"/organiser/{demo.slug}/timetable/sessions"
    data = {"date": "2019-06-21", "title_fr": "Atelier sans script", "kind": "workshop",
            "start": "19:30", "end": "21:00", "room": "meeting-room-2",
            "capacity": "12"}  # fmt: skip
    response = organiser.submit(url, data, page=f"/organiser/{demo.slug}/timetable")
    assert response.status_code == 302
    assert "day=2019-06-21" in response.headers["Location"]
    made = fresh(db).scalar(sa.select(Session).where(Session.title_fr == "Atelier sans script"))
    assert made.capacity == 12 and _local(made, demo.tz) == ("19:30", "21:00", "meeting-room-2")

    # The same room and time again: refused, said on the page, nothing added.
    again = organiser.submit(url, {**data, "title_fr": "Doublon"},
                             page=f"/organiser/{demo.slug}/timetable")  # fmt: skip
    assert again.status_code == 302
    html = organiser.page(again.headers["Location"])
    assert "also booked" in html
    assert fresh(db).scalar(sa.select(Session).where(Session.title_fr == "Doublon")) is None

    # A new session's form takes the cell it was opened from.
    html = organiser.page(f"/organiser/{demo.slug}/sessions/new", day="2019-06-21",
                          start="16:15", room="auditorium")  # fmt: skip
    assert 'value="16:15"' in html and '<option selected value="auditorium">' in html
