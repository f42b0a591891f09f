"""Rules of the programme's sessions that many places read, read alike (issue 16): two
sessions at the same time (``Session.overlaps``, half-open intervals), what is offered for
choice, and a renamed room raising its sessions' SEQUENCE from the file or the page."""

from __future__ import annotations

from datetime import UTC, datetime

import pytest
import sqlalchemy as sa

from school.models import Edition, Room, Session
from school.services.checkin import checkpoints
from school.services.checkin import roster as rosters
from school.services.programme import export, importer, people
from school.services.programme.rules import room_clashes
from school.services.registration import offer, rules
from school.services.registration.rules import InvalidRegistration
from tests.support.factories import make_edition, make_registration

MORNING = datetime(2019, 6, 19, 7, 0, tzinfo=UTC)  # 9:00 in Paris


# -- two sessions at the same time: Session.overlaps, half-open intervals


def _at(hour: int, minute: int = 0) -> datetime:
    return datetime(2024, 12, 4, hour - 1, minute, tzinfo=UTC)  # local time in Brussels


# (start, end) of a session against one from 10:00 to 11:00 in the same room.
AGAINST_TEN_TO_ELEVEN = {
    "ends-as-it-starts": ((9, 0), (10, 0), False),
    "starts-as-it-ends": ((11, 0), (12, 0), False),
    "last-minute": ((10, 59), (12, 0), True),
    "first-minute": ((9, 0), (10, 1), True),
    "inside": ((10, 15), (10, 30), True),
    "around": ((9, 0), (12, 0), True),
}


def test_sessions_touching_end_to_start_do_not_overlap_anywhere(app, db):
    with app.test_request_context():
        edition = make_edition(db)
        room = Room(edition_id=edition.id, key="salle", name_fr="Salle")
        db.add(room)
        db.flush()

        def session(key, start, end):
            made = Session(
                edition_id=edition.id, key=key, kind="workshop", title_fr=key,
                starts_at=_at(*start), ends_at=_at(*end), room_id=room.id, capacity=10,
            )  # fmt: skip
            db.add(made)
            return made

        base = session("base", (10, 0), (11, 0))
        others = {
            key: session(key, start, end) for key, (start, end, _) in AGAINST_TEN_TO_ELEVEN.items()
        }
        db.flush()
        expected = {others[key].id for key, (*_, yes) in AGAINST_TEN_TO_ELEVEN.items() if yes}

        # On loaded sessions, both ways round, and as a query's condition.
        assert {o.id for o in others.values() if base.overlaps(o)} == expected
        assert {o.id for o in others.values() if o.overlaps(base)} == expected
        found = db.scalars(
            sa.select(Session.id).where(Session.overlaps(base), Session.id != base.id)
        ).all()
        assert set(found) == expected
        # A room booked twice, and what a scanner offline knows.
        clashes = {
            a.id if b is base else b.id
            for a, b in room_clashes([base, *others.values()])
            if base in (a, b)
        }
        assert clashes == expected
        roster = rosters.roster(db, edition)
        assert {s["id"]: s["overlaps"] for s in roster["sessions"]}[base.id] == sorted(expected)
        # Seats: someone in the 10:00 session may hold the 9:00 and the 11:00 ones.
        person = make_registration(db, edition)
        rules.take_places(db, person, [base], [], MORNING)
        rules.take_places(
            db, person, [others["ends-as-it-starts"], others["starts-as-it-ends"]], [], MORNING
        )
        assert len([c for c in person.choices if c.is_confirmed]) == 3
        with pytest.raises(InvalidRegistration) as refused:
            rules.take_places(db, person, [others["inside"]], [], MORNING)
        assert list(refused.value.errors) == ["sessions"]


# -- offered for choice: Session.is_offered_for_choice (and Session.is_by_choice)


def test_what_is_offered_for_choice_reads_the_same_in_python_sql_and_every_list(app, db, demo):
    edition = db.get(Edition, demo.id)
    sessions = {s.key: s for s in edition.sessions}
    sessions["d1-visit-explora"].status = "cancelled"  # registration required, cancelled
    sessions["d1-workshops"].requires_registration = True  # without a cap
    sessions["d2-lunch"].capacity = 0  # a meal with a cap: a meal still, never a seat
    sessions["d2-round-table-1"].capacity = 0  # a cap of nothing is a cap
    sessions["d3-cdm-france"].capacity = 12  # by invitation, with seats
    db.commit()

    def where(condition) -> set[int]:
        found = sa.select(Session.id).where(Session.edition_id == edition.id, condition)
        return set(db.scalars(found))

    offered = {s.id for s in sessions.values() if s.is_offered_for_choice}
    by_choice = {s.id for s in sessions.values() if s.is_by_choice}
    assert where(Session.is_offered_for_choice) == offered
    assert where(Session.is_by_choice) == by_choice
    assert {sessions[k].id for k in ("d1-visit-explora", "d1-workshops", "d2-round-table-1")} <= (
        by_choice
    )
    assert not any(s.is_by_choice for s in sessions.values() if s.is_meal)
    assert sessions["d1-visit-explora"].id not in offered
    invited = {s.id for s in sessions.values() if s.audience == "invited" and not s.is_cancelled}
    with app.test_request_context():
        public = {s.id for s in offer.choosable_sessions(db, edition)}
        given = {s.id for s in offer.choosable_sessions(db, edition, by_organiser=True)}
    assert public == offered - invited
    assert given == offered | invited
    # The scanner admits those on a seat only.
    seat = {s.id for s in sessions.values() if checkpoints.admission(s) == "seat"}
    assert seat == offered | invited
    # And those taking the meal only, at a meal.
    meal = {s.id for s in sessions.values() if checkpoints.admission(s) == "meal"}
    assert meal == {s.id for s in sessions.values() if s.is_meal and not s.is_cancelled}


# -- a room renamed raises its sessions' SEQUENCE: programme.rules.raise_sequence


def test_a_room_renamed_raises_its_sessions_sequence_once_from_the_file_or_the_page(app, db, demo):
    def sequences() -> dict[str, int]:
        db.expire_all()
        return {
            key: sequence for key, sequence in db.execute(sa.select(Session.key, Session.sequence))
        }

    before = sequences()
    auditorium = set(
        db.scalars(
            sa.select(Session.key)
            .join(Room, Room.id == Session.room_id)
            .where(Room.key == "auditorium")
        )
    )
    assert "d1-welcome" in auditorium and len(auditorium) > 3
    # From the programme file: the auditorium renamed and the welcome moved by 5 minutes,
    # in one import: one change for calendars, raised once.
    text = export.export_text(db, demo.slug)
    changed = text.replace(
        "  name:\n    fr: Auditorium\n", "  name:\n    fr: Grand auditorium\n", 1
    )
    welcome = "- id: d1-welcome\n  date: 2019-06-19\n  start: 09:15\n"
    changed = changed.replace(welcome, welcome.replace("09:15", "09:20"))
    assert changed.count("Grand auditorium") == 1 and "start: 09:20" in changed
    importer.import_text(db, changed, "renamed.yaml")
    db.commit()
    after_file = sequences()
    assert {k for k in before if after_file[k] != before[k]} == auditorium
    assert {after_file[k] - before[k] for k in auditorium} == {1}
    # From the organisers' page: renamed again, raised again.
    room = db.scalar(sa.select(Room).where(Room.key == "auditorium"))
    with app.test_request_context():
        entry = people.room_entry(room) | {"name": {"fr": "Amphithéâtre", "en": "Auditorium"}}
        people.save_room(db, room.edition, entry, room=room, actor="cli", now=MORNING)
    db.commit()
    after_page = sequences()
    assert {k for k in before if after_page[k] != after_file[k]} == auditorium
    assert {after_page[k] - after_file[k] for k in auditorium} == {1}
