"""Every calendar feed as strict clients read it: libical's parser and restriction
check, one UID and one SEQUENCE per session whatever the feed, and ETags that change
only when the bytes do."""

from __future__ import annotations

from datetime import timedelta

import sqlalchemy as sa

from school.database import utcnow
from school.models import Person, Registration
from school.services.registration import cancelling
from tests.support import libical
from tests.support.calendars import calendar_of, change_session, session
from tests.support.factories import make_choice, make_registration

SPEAKER = "koulsoum-logerot"  # speaks at round table 2, "sous réserve"


def _speaker(db) -> Person:
    db.commit()
    return db.scalar(sa.select(Person).where(Person.key == SPEAKER))


def _feeds(client, demo, db, registration) -> dict[str, bytes]:
    explora = session(db, "d1-visit-explora")
    urls = {
        "programme": f"/{demo.slug}/programme.ics",
        "session": f"/{demo.slug}/sessions/{explora.id}.ics",
        "agenda": f"/my/{registration.manage_token}/agenda.ics",
        "speaker": f"/speaker/{_speaker(db).speaker_token}/agenda.ics",
    }
    bodies = {}
    for name, url in urls.items():
        response = client.get(url)
        assert response.status_code == 200, url
        bodies[name] = response.data
    return bodies


def _sequences(body: bytes) -> dict[str, int]:
    return {str(e["UID"]): int(e["SEQUENCE"]) for e in calendar_of(body).walk("VEVENT")}


def _registration(db, demo):
    """Someone with a seat, a place in a waiting line and a day of open sessions."""
    registration = make_registration(db, demo, language="en")
    make_choice(db, registration, session(db, "d1-visit-explora"))
    make_choice(db, registration, session(db, "d3-work-cafe"), status="waitlisted")
    db.commit()
    return registration


def test_libical_reads_every_feed_with_no_error_and_its_restrictions_pass(client, demo, db):
    registration = _registration(db, demo)
    change_session(db, demo.slug, "d2-closing", status="cancelled")
    for name, body in _feeds(client, demo, db, registration).items():
        ok, report = libical.check(body)
        assert ok, (name, report)
    # A cancelled registration's feed too.
    with client.application.app_context():
        cancelling.cancel(db, db.get(Registration, registration.id), now=utcnow())
        db.commit()
    ok, report = libical.check(client.get(f"/my/{registration.manage_token}/agenda.ics").data)
    assert ok, report


def test_a_session_has_one_uid_and_one_sequence_in_every_feed(client, demo, db):
    registration = _registration(db, demo)
    # Changes that raise SEQUENCE: a session moved, a speaker confirmed.
    moved_from = session(db, "d1-visit-explora").sequence
    change_session(db, demo.slug, "d1-visit-explora", room="foyer")
    assert session(db, "d1-visit-explora").sequence > moved_from

    feeds = {
        name: _sequences(body) for name, body in _feeds(client, demo, db, registration).items()
    }
    programme = feeds["programme"]
    for name, sequences in feeds.items():
        shared = sequences.keys() & programme.keys()
        assert shared, name
        for uid in shared:
            assert sequences[uid] == programme[uid], (name, uid)
    # Each session of the programme is there under its own UID and SEQUENCE.
    for key in ("d1-visit-explora", "d2-round-table-2", "d2-closing"):
        current = session(db, key)
        assert programme[current.uid] == current.sequence
    assert session(db, "d1-visit-explora").uid in feeds["agenda"]
    assert session(db, "d2-round-table-2").uid in feeds["speaker"]


def test_a_change_elsewhere_leaves_a_sessions_etag_alone(client, demo, db):
    registration = _registration(db, demo)
    urls = {
        "session": f"/{demo.slug}/sessions/{session(db, 'd1-visit-explora').id}.ics",
        "speaker": f"/speaker/{_speaker(db).speaker_token}/agenda.ics",
        "agenda": f"/my/{registration.manage_token}/agenda.ics",
        "programme": f"/{demo.slug}/programme.ics",
    }
    before = {name: client.get(url) for name, url in urls.items()}
    # Members only and without a choice: the agenda of a proved member holds it.
    change_session(db, demo.slug, "d1-visit-spaces", title={"fr": "Visite", "en": "Tour"})
    for name, first in before.items():
        url = urls[name]
        again = client.get(url, headers={"If-None-Match": first.headers["ETag"]})
        if name == "programme":  # its bytes changed
            assert again.status_code == 200 and again.data != first.data
            assert again.headers["ETag"] != first.headers["ETag"]
        else:
            assert again.status_code == 304, name
            assert again.headers["ETag"] == first.headers["ETag"], name


def test_a_seat_granted_moves_the_entry_back_to_the_sessions_uid(app, client, demo, db):
    """The waiting-list entry is the participant's own object (its own UID); once the
    seat is theirs the feed carries the session itself, as every other feed does."""
    registration = _registration(db, demo)
    work_cafe = session(db, "d3-work-cafe")
    first = _sequences(client.get(f"/my/{registration.manage_token}/agenda.ics").data)
    assert work_cafe.uid not in first
    waiting = [uid for uid in first if uid.startswith(work_cafe.uid)]
    assert len(waiting) == 1

    choice = next(
        c for c in db.get(Registration, registration.id).choices if c.session_id == work_cafe.id
    )
    choice.status, choice.updated_at = "confirmed", utcnow() + timedelta(seconds=1)
    db.commit()
    second = _sequences(client.get(f"/my/{registration.manage_token}/agenda.ics").data)
    assert second[work_cafe.uid] == session(db, "d3-work-cafe").sequence
    assert waiting[0] not in second
