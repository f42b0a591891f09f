"""Organisers build the programme from their pages, with the importer's rules: sessions
are created, moved, cancelled; seats and waiting lines follow; calendars see it."""

from __future__ import annotations

import re
from datetime import timedelta

import pytest
import sqlalchemy as sa

from school.models import AuditEntry, Choice, OutboxMessage, Person, Registration, Room, Session
from school.services.programme import export, importer, yaml_io
from school.services.programme.parsing import ProgrammeFileError
from tests.support.backoffice import Organiser, flashes, form_of, fresh, make_admin
from tests.support.factories import make_choice, make_registration


@pytest.fixture
def organiser(app, client, db, demo):
    make_admin(app, db)
    return Organiser(client).login()


def session_by_key(db, key: str) -> Session:
    return fresh(db).scalar(sa.select(Session).where(Session.key == key))


def test_create_a_session_with_the_importers_checks(organiser, demo, db):
    url = f"/organiser/{demo.slug}/sessions/new"
    bad = {
        "title_fr": "",
        "kind": "workshop",
        "day": "2019-06-20",
        "start": "11:00",
        "end": "10:00",
        "capacity": "douze",
        "audience": "everyone",
        "status": "scheduled",
    }
    html = organiser.submit(url, bad).get_data(as_text=True)
    assert "10:00 is not after start 11:00" in html
    assert "must be a whole number ≥ 0, or empty: &#39;douze&#39;" in html
    assert 'id="title_fr-errors"' in html
    assert db.scalar(sa.select(sa.func.count()).where(Session.title_fr == "")) == 0

    organiser.lang = "fr"
    html = organiser.submit(url, bad).get_data(as_text=True)
    assert "10:00 n&#39;est pas après le début 11:00" in html

    good = {**bad, "title_fr": "Atelier orientation", "end": "12:30", "capacity": "12",
            "room": "meeting-room-1", "requires_registration": "y",
            "speakers-0-person": "alain-jouneau", "speakers-0-role": "moderator"}  # fmt: skip
    response = organiser.submit(url, good)
    assert response.status_code == 302
    created = session_by_key(db, "2019-06-20-atelier-orientation")
    assert created.capacity == 12 and created.room.key == "meeting-room-1"
    assert created.starts_at.astimezone(demo.tz).strftime("%H:%M") == "11:00"
    assert [(link.person.key, link.role) for link in created.people] == [
        ("alain-jouneau", "moderator")
    ]
    target = f"session:{created.id}"
    assert db.scalar(sa.select(AuditEntry.action).where(AuditEntry.target == target)) == (
        "session.created"
    )


@pytest.mark.parametrize(
    ("lang", "day"), [("fr", "jeudi 20 juin 2019"), ("en", "Thursday 20 June 2019")]
)
def test_the_session_forms_days_are_named_in_words(organiser, demo, db, lang, day):
    """The day of a session was chosen among "2019-06-19", "2019-06-20"…, however the
    rest of the form spoke."""
    organiser.lang = lang
    html = organiser.page(f"/organiser/{demo.slug}/sessions/new")
    assert f'<option value="2019-06-20">{day}</option>' in html
    assert ">2019-06-20<" not in html


def test_moving_a_session_raises_its_sequence_and_tells_the_participants(organiser, demo, db):
    explora = session_by_key(db, "d1-visit-explora")
    someone = make_registration(db, demo, email="eve@example.org", language="en")
    make_choice(db, someone, explora)
    other = make_registration(db, demo, email="no-seat@example.org")
    db.commit()
    sequence = explora.sequence
    url = f"/organiser/{demo.slug}/sessions/{explora.id}"
    response = organiser.submit(url, form_of(db, demo, explora, start="16:30", end="18:00",
                                              room="auditorium", notify="y"))  # fmt: skip
    assert response.status_code == 302
    html = organiser.page(response.headers["Location"])
    assert any("once you send the change notices" in f for f in flashes(html))
    moved = session_by_key(db, "d1-visit-explora")
    assert moved.sequence == sequence + 1
    assert moved.starts_at.astimezone(demo.tz).strftime("%H:%M") == "16:30"
    assert db.scalar(sa.select(sa.func.count()).select_from(OutboxMessage)) == 0  # not yet
    programme = organiser.page(f"/organiser/{demo.slug}/programme")
    assert "Changes not yet announced" in programme
    response = organiser.submit(
        f"/organiser/{demo.slug}/changes/notify", {}, page=f"/organiser/{demo.slug}/programme"
    )
    told = flashes(organiser.page(response.headers["Location"]))
    assert "1 person is told of the changes by e-mail." in told
    mails = fresh(db).scalars(
        sa.select(OutboxMessage).where(OutboxMessage.purpose == "change_notice")
    )
    mail = mails.one()
    assert mail.to_address == "eve@example.org"
    # Linked to Eve: her data download lists it, the privacy purge blanks it.
    eve = fresh(db).scalar(sa.select(Registration).where(Registration.email == "eve@example.org"))
    assert mail.registration_id == eve.id and mail.edition_id == demo.id
    assert mail.subject.startswith("Programme changes")
    assert "Tour of the permanent exhibitions" in mail.text_body
    assert (
        "16:30" in mail.text_body and "Auditorium" in mail.text_body and "Before:" in mail.text_body
    )
    assert other.email not in mail.to_address
    entry = db.scalar(sa.select(AuditEntry).where(AuditEntry.action == "session.moved"))
    assert entry.details["changed"] == ["ends_at", "room_id", "starts_at"]
    # Saving the same form again changes nothing: no new SEQUENCE, no e-mail.
    organiser.submit(url, form_of(db, demo, moved, notify="y"))
    assert session_by_key(db, "d1-visit-explora").sequence == sequence + 1
    assert db.scalar(sa.select(sa.func.count()).select_from(OutboxMessage)) == 1


def test_a_room_booked_twice_is_a_warning(organiser, demo, db):
    explora = session_by_key(db, "d1-visit-explora")
    spaces = session_by_key(db, "d1-visit-spaces")
    url = f"/organiser/{demo.slug}/sessions/{explora.id}"
    response = organiser.submit(url, form_of(db, demo, explora, room=spaces.room.key))
    assert response.status_code == 302
    html = organiser.page(response.headers["Location"])
    assert any("is also booked for “Tour of the venue" in f for f in flashes(html))
    assert "Rooms booked twice at the same time" in html


def test_capacity_below_confirmed_seats_is_refused_then_moves_the_latest_explicitly(
    organiser, demo, db
):
    explora = session_by_key(db, "d1-visit-explora")
    people = [make_registration(db, demo, email=f"p{n}@example.org") for n in range(4)]
    choices = [make_choice(db, person, explora) for person in people]
    base = explora.created_at
    for minutes, choice in enumerate(choices):  # confirmed one after the other
        choice.updated_at = choice.queued_at = base + timedelta(minutes=minutes)
    waiting = make_registration(db, demo, email="waiting@example.org")
    make_choice(db, waiting, explora, status="waitlisted").queued_at = base + timedelta(hours=1)
    db.commit()
    url = f"/organiser/{demo.slug}/sessions/{explora.id}"

    html = organiser.submit(url, form_of(db, demo, explora, capacity="2")).get_data(as_text=True)
    assert "4 seats are confirmed: the capacity cannot go down to 2." in html
    assert "(2 people would move)" in html
    assert session_by_key(db, "d1-visit-explora").capacity == 20

    response = organiser.submit(url, form_of(db, demo, explora, capacity="2", move_excess="y"))
    assert response.status_code == 302
    html = organiser.page(response.headers["Location"])
    assert any("p3@example.org" in f and "p2@example.org" in f for f in flashes(html))
    db.rollback()
    line = db.scalars(
        sa.select(Choice)
        .where(Choice.session_id == explora.id, Choice.status == "waitlisted")
        .order_by(Choice.queued_at, Choice.id)
    ).all()
    # The two latest confirmed lost their seat, and keep the place they asked at:
    # ahead of the person who was already waiting.
    assert [c.registration.email for c in line] == [
        "p2@example.org",
        "p3@example.org",
        "waiting@example.org",
    ]
    told = db.scalars(
        sa.select(OutboxMessage.to_address).where(OutboxMessage.purpose == "moved_to_waitlist")
    ).all()
    assert sorted(told) == ["p2@example.org", "p3@example.org"]
    entry = db.scalar(sa.select(AuditEntry).where(AuditEntry.action == "session.updated"))
    assert {m["email"] for m in entry.details["moved_to_waitlist"]} == set(told)

    # Seats come back: the first in line gets one, and an e-mail.
    response = organiser.submit(url, form_of(db, demo, session_by_key(db, "d1-visit-explora"),
                                              capacity="3"))  # fmt: skip
    html = organiser.page(response.headers["Location"])
    assert "1 person from the waiting list got a seat." in flashes(html)
    db.rollback()
    promoted = db.scalar(
        sa.select(OutboxMessage.to_address).where(OutboxMessage.purpose == "promotion")
    )
    assert promoted == "p2@example.org"


def test_cancel_a_session_keeps_it_struck_out_and_deleting_a_booked_one_is_refused(
    organiser, demo, db
):
    explora = session_by_key(db, "d1-visit-explora")
    make_choice(db, make_registration(db, demo, email="eve@example.org"), explora)
    db.commit()
    page = f"/organiser/{demo.slug}/sessions/{explora.id}"
    response = organiser.submit(f"{page}/delete", {}, page=page, prefix="action-")
    html = organiser.page(response.headers["Location"])
    assert "This session has registrations: cancel it instead" in html
    response = organiser.submit(f"{page}/cancel", {"action-notify": "y"}, page=page,
                                prefix="action-")  # fmt: skip
    assert response.status_code == 302
    cancelled = session_by_key(db, "d1-visit-explora")
    assert cancelled.status == "cancelled" and cancelled.sequence == 1
    organiser.submit(
        f"/organiser/{demo.slug}/changes/notify", {}, page=f"/organiser/{demo.slug}/programme"
    )
    mail = fresh(db).scalar(sa.select(OutboxMessage))
    assert mail.subject.startswith("Changements du programme")  # her language: fr
    assert "ANNULÉE" in mail.text_body
    public = organiser.page(f"/{demo.slug}/programme")
    assert "is-cancelled" in public


def test_rooms_and_speakers(organiser, demo, db):
    response = organiser.submit(
        f"/organiser/{demo.slug}/rooms/new", {"name_fr": "Salle Ada", "capacity": "40"}
    )
    assert response.status_code == 302
    room = fresh(db).scalar(sa.select(Room).where(Room.key == "salle-ada"))
    assert room.capacity == 40
    # Renaming a room changes where its sessions are shown: their SEQUENCE goes up.
    explora = session_by_key(db, "d1-visit-explora")
    explora.room_id = room.id
    db.commit()
    organiser.submit(f"/organiser/{demo.slug}/rooms/{room.id}", {"name_fr": "Salle Ada Lovelace"})
    assert session_by_key(db, "d1-visit-explora").sequence == 1
    # A second room of the same name could not be told apart in the session form's list.
    rooms = fresh(db).scalar(sa.select(sa.func.count(Room.id)))
    again = organiser.submit(
        f"/organiser/{demo.slug}/rooms/new", {"name_fr": " salle ada LOVELACE", "capacity": "9"}
    )
    assert "is already the name of another room" in again.get_data(as_text=True)
    assert fresh(db).scalar(sa.select(sa.func.count(Room.id))) == rooms
    # Saving a room under its own name is no clash.
    kept = organiser.submit(
        f"/organiser/{demo.slug}/rooms/{room.id}",
        {"name_fr": "Salle Ada Lovelace", "capacity": "41"},
    )
    assert kept.status_code == 302
    html = organiser.submit(
        f"/organiser/{demo.slug}/rooms/{room.id}/delete", {},
        page=f"/organiser/{demo.slug}/rooms/{room.id}", prefix="action-",
    )  # fmt: skip
    assert "take place in this room: move them first" in organiser.page(html.headers["Location"])

    response = organiser.submit(
        f"/organiser/{demo.slug}/speakers/new",
        {"first_name": "Zainoudine", "last_name": "Younoussa", "email": "not-an-address"},
    )
    assert "not an e-mail address" in response.get_data(as_text=True)
    response = organiser.submit(
        f"/organiser/{demo.slug}/speakers/new",
        {"first_name": "Zainoudine", "last_name": "Younoussa", "function_fr": "Directeur"},
    )
    assert response.status_code == 302
    person = fresh(db).scalar(sa.select(Person).where(Person.last_name == "Younoussa"))
    assert person.key == "zainoudine-younoussa" and person.function_fr == "Directeur"
    assert "Younoussa, Zainoudine" in organiser.page(f"/organiser/{demo.slug}/speakers")


def test_organisers_send_speakers_the_link_to_their_page(organiser, demo, db):
    people = fresh(db).scalars(sa.select(Person).where(Person.sessions.any())).all()
    with_address = people[:2]
    for n, person in enumerate(with_address):
        person.email = f"speaker{n}@example.org"
    db.commit()
    speakers = f"/organiser/{demo.slug}/speakers"
    response = organiser.submit(f"{speakers}/invite", {}, page=speakers)
    told = flashes(organiser.page(response.headers["Location"]))
    assert "The link to their page was e-mailed to 2 speakers." in told
    assert any(t.startswith("No e-mail address for:") for t in told)
    mails = (
        fresh(db)
        .scalars(sa.select(OutboxMessage).where(OutboxMessage.purpose == "speaker_invite"))
        .all()
    )
    assert sorted(m.to_address for m in mails) == ["speaker0@example.org", "speaker1@example.org"]
    assert all(m.edition_id == demo.id for m in mails)
    first = with_address[0]
    assert f"/speaker/{fresh(db).get(Person, first.id).speaker_token}" in mails[0].text_body + (
        mails[1].text_body
    )

    # A second press writes to nobody again; one speaker's page sends theirs again.
    response = organiser.submit(f"{speakers}/invite", {}, page=speakers)
    told = flashes(organiser.page(response.headers["Location"]))
    assert "No link was e-mailed." in told
    assert "2 speakers already had it and were not written to again." in told
    page = f"{speakers}/{first.id}"
    assert "Link sent on" in organiser.page(page)
    response = organiser.submit(f"{page}/invite", {}, page=page)
    assert response.headers["Location"].endswith(page)
    told = flashes(organiser.page(response.headers["Location"]))
    assert "The link to their page was e-mailed to 1 speaker." in told
    count = sa.select(sa.func.count()).where(OutboxMessage.purpose == "speaker_invite")
    assert fresh(db).scalar(count) == 3
    entry = (
        fresh(db)
        .scalars(sa.select(AuditEntry).where(AuditEntry.action == "speakers.invited"))
        .all()
    )
    assert len(entry) == 2 and entry[0].actor.startswith("organiser:")


@pytest.mark.parametrize("lang", ["en", "fr"])
def test_a_speaker_in_no_session_yet_is_named_when_not_invited(app, client, demo, db, lang):
    make_admin(app, db)
    organiser = Organiser(client, lang=lang).login()
    db.add(
        Person(
            edition_id=demo.id, key="ana-silva", first_name="Ana", last_name="Silva",
            email="ana@example.org",
        )
    )  # fmt: skip
    db.commit()
    speakers = f"/organiser/{demo.slug}/speakers"
    response = organiser.submit(f"{speakers}/invite", {}, page=speakers)
    told = " ".join(flashes(organiser.page(response.headers["Location"])))
    expected = {
        "en": "Not written to, as they have no session yet: Ana Silva.",
        "fr": "Pas de lien envoyé à qui n’a encore aucune session : Ana Silva.",
    }
    assert expected[lang] in told


def test_each_speakers_private_link_is_shown_and_works_without_an_address(
    organiser, client, demo, db
):
    people = fresh(db).scalars(sa.select(Person).where(Person.edition_id == demo.id)).all()
    assert people and all(not p.email for p in people)  # the demo's speakers have none
    html = organiser.page(f"/organiser/{demo.slug}/speakers")
    links = re.findall(r'value="(http[^"]+/speaker/[^"]+)"', html)
    assert len(links) == len(people)
    assert html.count('data-copy="speaker-link-') == len(people)
    person = people[0]
    assert f'aria-label="Private link of {person.full_name}"' in html
    own = f"/speaker/{person.speaker_token}"
    assert any(link.endswith(own) for link in links)
    assert own in organiser.page(f"/organiser/{demo.slug}/speakers/{person.id}")
    client.get("/organiser/logout")
    response = client.get(own, query_string={"lang": "en"})
    assert response.status_code == 200 and person.last_name in response.get_data(as_text=True)


def test_the_importer_refuses_a_capacity_below_the_confirmed_seats(app, demo, db):
    explora = session_by_key(db, "d1-visit-explora")
    for n in range(3):
        make_choice(db, make_registration(db, demo, email=f"p{n}@example.org"), explora)
    db.commit()
    data = export.export_data(db, demo.slug)
    entry = next(item for item in data["sessions"] if item["id"] == "d1-visit-explora")
    entry["capacity"] = 2
    lowered = yaml_io.dump(data)
    with pytest.raises(ProgrammeFileError) as caught:
        importer.import_text(db, lowered, "programme.yaml")
    db.rollback()
    assert "2 is below the 3 confirmed seats" in str(caught.value)
    assert session_by_key(db, "d1-visit-explora").capacity == 20


def test_the_import_command_warns_of_a_room_booked_twice(runner, app, db, tmp_path):
    data = yaml_io.load(MINIMAL_CLASH)
    path = tmp_path / "clash.yaml"
    path.write_text(yaml_io.dump(data), encoding="utf-8")
    result = runner.invoke(args=["programme", "import", str(path)])
    assert result.exit_code == 0
    assert "warning: opening and coffee are in the same room at the same time" in result.output


MINIMAL_CLASH = """
edition:
  slug: tiny
  title: {fr: Petite école}
  city: Bruxelles
  venue: Cité des métiers
  address: Avenue de l'Astronomie 14
  timezone: Europe/Brussels
  starts_on: 2024-12-04
  ends_on: 2024-12-04
rooms:
  - id: hall
    name: {fr: Hall}
sessions:
  - {id: opening, date: 2024-12-04, start: "09:00", end: "10:00", kind: plenary,
     title: {fr: Ouverture}, room: hall}
  - {id: coffee, date: 2024-12-04, start: "09:30", end: "10:30", kind: break,
     title: {fr: Pause}, room: hall}
"""
