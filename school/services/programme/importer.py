"""Import of programme files (export: ``programme.export``).

Import creates or updates an edition from a file. Items are matched on their ``id``
in the file, so database ids, calendar UIDs and links stay valid; re-importing the
same file changes nothing; a change of time, place, title or status raises the
session's calendar SEQUENCE. Export writes the same format back, losslessly.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

import sqlalchemy as sa
from sqlalchemy.orm import Session as DbSession
from sqlalchemy.orm import selectinload

from school.database import begin_write, utcnow
from school.models import Edition, EditionDay, Person, Room, Session, SessionPerson
from school.paths import DEMO_FILE
from school.services.mail import change_notices, notifications
from school.services.programme import parallel
from school.services.programme.parsing import ProgrammeFileError, parse_programme
from school.services.programme.rules import (
    apply_session_values,
    booked,
    over_capacity,
    session_values,
    venue_of,
)
from school.services.programme.spec import Problem, ProgrammeSpec, SessionSpec
from school.services.registration import seats


def import_file(db: DbSession, path: str | Path) -> Edition:
    path = Path(path)
    try:
        text = path.read_text(encoding="utf-8")
    except (OSError, UnicodeDecodeError) as exc:
        raise ProgrammeFileError(path.name, [Problem("file", "-", str(exc))]) from exc
    return import_text(db, text, filename=path.name)


def import_text(db: DbSession, text: str, filename: str = "<programme>") -> Edition:
    """Create or update the edition described by ``text``. Flushes; the caller commits."""
    spec = parse_programme(text, filename)
    begin_write(db)
    return _Importer(db, spec, filename).run()


def import_demo(db: DbSession) -> Edition:
    """The demo edition, as ``demo load`` imports it: published, marked as the demo
    (a banner says so, and it stays open to registration whatever its dates)."""
    edition = import_file(db, DEMO_FILE)
    edition.status = "published"
    edition.is_demo = True
    db.flush()
    return edition


class _Importer:
    def __init__(self, db: DbSession, spec: ProgrammeSpec, filename: str):
        self.db, self.spec, self.filename = db, spec, filename
        self.changed = False
        self.now = utcnow()
        self.more_seats: list[int] = []
        # Sessions whose time, room, title or status changed: the people concerned are told.
        self.changed_sessions: list[tuple[Session, dict]] = []
        self.renamed_rooms: set[int] = set()
        self.place_changed = False

    def assign(self, obj: Any, **values: Any) -> bool:
        changed = False
        for name, value in values.items():
            if getattr(obj, name) != value:
                setattr(obj, name, value)
                changed = True
        self.changed |= changed
        return changed

    def run(self) -> Edition:
        e = self.spec.edition
        edition = self.db.scalar(
            sa.select(Edition)
            .where(Edition.slug == e.slug)
            .options(selectinload(Edition.days), selectinload(Edition.rooms))
        )
        if edition is None:
            edition = Edition(slug=e.slug)
            self.db.add(edition)
            self.changed = True
        else:
            seats.lock_edition(self.db, edition.id)
        place = venue_of(edition) if edition.id else None
        self.assign(
            edition,
            title_fr=e.title["fr"],
            title_en=e.title["en"],
            tagline_fr=e.tagline["fr"],
            tagline_en=e.tagline["en"],
            description_fr=e.description["fr"],
            description_en=e.description["en"],
            city=e.city,
            city_en=e.city_en,
            content_fallback=e.content_fallback,
            venue=e.venue,
            address=e.address,
            timezone=e.timezone,
            starts_on=e.starts_on,
            ends_on=e.ends_on,
            contact_email=e.contact_email,
            registration_opens_at=e.registration_opens_at,
            registration_closes_at=e.registration_closes_at,
            capacity=e.capacity,
        )
        # The file may publish (or take back to draft) an edition; an archived one stays so.
        if e.published is not None and edition.status != "archived":
            self.assign(edition, status="published" if e.published else "draft")
        elif edition.status is None:
            edition.status = "draft"
        self.db.flush()
        self.place_changed = place is not None and venue_of(edition) != place
        self.days(edition)
        rooms = self.rooms(edition)
        people = self.people(edition)
        self.sessions(edition, rooms, people)
        self.db.flush()
        self.refuse_groups_astray(edition)
        if self.changed:
            edition.changed_at = self.now
        self.db.flush()
        for session, before in self.changed_sessions:
            change_notices.record(self.db, session, before, now=self.now)
        # Seats added by the file (a raised capacity) go to the waiting lines at once.
        promoted = seats.promote_waitlist(self.db, self.more_seats, now=self.now)
        notifications.promotions(self.db, promoted, now=self.now)
        return edition

    def days(self, edition: Edition) -> None:
        existing = {day.date: day for day in edition.days}
        for spec in self.spec.days:
            day = existing.pop(spec.date, None)
            if day is None:
                day = EditionDay(date=spec.date)
                edition.days.append(day)
                self.changed = True
            self.assign(
                day,
                theme_fr=spec.theme["fr"],
                theme_en=spec.theme["en"],
                description_fr=spec.description["fr"],
                description_en=spec.description["en"],
            )
        for day in existing.values():
            edition.days.remove(day)
            self.changed = True

    def rooms(self, edition: Edition) -> dict[str, Room]:
        existing = {room.key: room for room in edition.rooms}
        rooms = {}
        for spec in self.spec.rooms:
            room = existing.pop(spec.key, None)
            if room is None:
                room = Room(key=spec.key)
                edition.rooms.append(room)
                self.changed = True
            # A renamed room changes the place shown in its sessions' calendar events.
            if self.assign(room, name_fr=spec.name["fr"], name_en=spec.name["en"]) and room.id:
                self.renamed_rooms.add(room.id)
            self.assign(room, capacity=spec.capacity)
            rooms[spec.key] = room
        for room in existing.values():
            edition.rooms.remove(room)
            self.changed = True
        self.db.flush()
        return rooms

    def people(self, edition: Edition) -> dict[str, Person]:
        existing = {
            p.key: p
            for p in self.db.scalars(sa.select(Person).where(Person.edition_id == edition.id))
        }
        people = {}
        for spec in self.spec.people:
            person = existing.pop(spec.key, None)
            if person is None:
                person = Person(edition_id=edition.id, key=spec.key)
                self.db.add(person)
                self.changed = True
            if self.assign(
                person,
                first_name=spec.first_name,
                last_name=spec.last_name,
                function_fr=spec.function["fr"],
                function_en=spec.function["en"],
                organisation=spec.organisation,
                bio_fr=spec.bio["fr"],
                bio_en=spec.bio["en"],
                email=spec.email,
            ):
                person.updated_at = self.now
            people[spec.key] = person
        for person in existing.values():
            self.db.delete(person)
            self.changed = True
        self.db.flush()
        return people

    def sessions(self, edition: Edition, rooms: dict[str, Room], people: dict[str, Person]):
        existing = {
            s.key: s
            for s in self.db.scalars(
                sa.select(Session)
                .where(Session.edition_id == edition.id)
                .options(selectinload(Session.people))
            )
        }
        specs = {spec.key: spec for spec in self.spec.sessions}
        self.refuse_removing_booked(existing.keys() - specs.keys(), existing)
        self.refuse_capacity_below_seats(existing, specs)
        self.refuse_switching_meals(existing, specs)
        for spec in self.spec.sessions:
            session = existing.pop(spec.key, None)
            if session is None:
                session = Session(edition_id=edition.id, key=spec.key, created_at=self.now)
                self.db.add(session)
                self.changed = True
            self.update_session(session, spec, rooms)
            self.update_speakers(session, spec, people)
        for session in existing.values():
            self.db.delete(session)
            self.changed = True

    def refuse_groups_astray(self, edition: Edition) -> None:
        """The file may move a whole group of parallel sessions, not one away from it."""
        sessions = self.db.scalars(sa.select(Session.id).where(Session.edition_id == edition.id))
        astray = parallel.groups_astray(self.db, edition, sessions)
        if astray:
            keys = dict(self.db.execute(sa.select(Session.id, Session.key).where(
                Session.id.in_([sid for _, ids in astray.values() for sid in ids])
            )).all())  # fmt: skip
            raise ProgrammeFileError(
                self.filename,
                [
                    Problem(f"sessions ({keys[sid]})", "start", message)
                    for message, ids in astray.values()
                    for sid in ids
                ],
            )

    def refuse_removing_booked(self, removed: set[str], existing: dict[str, Session]) -> None:
        if not removed:
            return
        ids = [existing[key].id for key in removed]
        held = booked(self.db, ids)
        booked_keys = sorted(key for key in removed if existing[key].id in held)
        if booked_keys:
            raise ProgrammeFileError(
                self.filename,
                [
                    Problem(
                        f"sessions ({key})",
                        "id",
                        "this session has registrations and is missing from the file;"
                        " keep it with status: cancelled instead",
                    )
                    for key in booked_keys
                ],
            )

    def refuse_capacity_below_seats(
        self, existing: dict[str, Session], specs: dict[str, SessionSpec]
    ) -> None:
        """The organisers' page can move the excess to the waiting line; a file cannot."""
        over = over_capacity(
            self.db, {s.id: specs[key].capacity for key, s in existing.items() if key in specs}
        )
        if over:
            keys = {s.id: key for key, s in existing.items()}
            meals = {s.id for s in existing.values() if s.is_meal}
            raise ProgrammeFileError(
                self.filename,
                [
                    Problem(
                        f"sessions ({keys[sid]})",
                        "capacity",
                        f"{capacity} is below the {taken} people taking this meal; raise it"
                        if sid in meals
                        else f"{capacity} is below the {taken} confirmed seats; raise it, or"
                        " lower it from the organisers' page, which can move the latest"
                        " confirmed to the waiting list",
                    )
                    for sid, (capacity, taken) in sorted(over.items(), key=lambda i: keys[i[0]])
                ],
            )

    def refuse_switching_meals(
        self, existing: dict[str, Session], specs: dict[str, SessionSpec]
    ) -> None:
        """Seats would become meals or meals seats, and be counted as neither."""
        switched = {
            s.id: key
            for key, s in existing.items()
            if key in specs and bool(specs[key].meal) != bool(s.is_meal)
        }
        held = booked(self.db, switched)
        if held:
            raise ProgrammeFileError(
                self.filename,
                [
                    Problem(
                        f"sessions ({switched[sid]})",
                        "meal",
                        "people have chosen this session or take this meal: it cannot"
                        " become or stop being a meal; cancel it and add another",
                    )
                    for sid in sorted(held, key=switched.get)
                ],
            )

    def update_session(self, session: Session, spec: SessionSpec, rooms: dict[str, Room]):
        if (
            session.id is not None
            and session.capacity is not None
            and (spec.capacity is None or spec.capacity > session.capacity)
        ):
            self.more_seats.append(session.id)
        before = {name: getattr(session, name) for name in change_notices.FIELDS}
        changed = apply_session_values(
            session,
            session_values(spec, rooms[spec.room] if spec.room else None),
            now=self.now,
            calendar_change=session.room_id in self.renamed_rooms or self.place_changed,
        )
        self.changed |= bool(changed)
        if session.id is not None and changed & set(change_notices.FIELDS):
            self.changed_sessions.append((session, before))

    def update_speakers(self, session: Session, spec: SessionSpec, people: dict[str, Person]):
        # A speaker who confirmed stays confirmed even if an older file still says
        # "tentative": the confirmation came from them, after the file was written.
        confirmed = {
            link.person_id
            for link in session.people
            if not link.is_tentative and link.person.confirmed_at is not None
        }
        wanted = [
            (people[s.person], s.role, s.tentative and people[s.person].id not in confirmed, n)
            for n, s in enumerate(spec.speakers)
        ]
        current = [
            (link.person, link.role, link.is_tentative, link.position) for link in session.people
        ]
        if [(p.key, r, t, n) for p, r, t, n in wanted] == [
            (p.key, r, t, n) for p, r, t, n in current
        ]:
            return
        session.people.clear()
        self.db.flush()
        for person, role, tentative, position in wanted:
            session.people.append(
                SessionPerson(person=person, role=role, is_tentative=tentative, position=position)
            )
        session.updated_at = self.now
        self.changed = True
