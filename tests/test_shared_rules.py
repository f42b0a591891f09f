"""Rules that many places read, read alike: each is written once (issue 16), and these
tests hold the places that read it to the same answer where two copies once could have
disagreed."""

from __future__ import annotations

import json
import re
import uuid
from datetime import UTC, date, datetime, timedelta
from pathlib import Path

import pytest
import sqlalchemy as sa

from school.database import utcnow
from school.labels import (
    ADMISSION_LABELS,
    AUDIENCE_LABELS,
    CATEGORY_LABELS,
    CHOICE_STATUS_LABELS,
    KIND_LABELS,
    ROLE_LABELS,
)
from school.models import Base, CheckIn, Edition, OutboxMessage, Room, Session
from school.models.vocabulary import (
    Admission,
    Audience,
    Category,
    ChoiceStatus,
    RegistrationStatus,
    Role,
    SessionKind,
    Verdict,
)
from school.services.backoffice import exports, organisers, stats
from school.services.badges import tokens
from school.services.checkin import attendance, certificates, scanning
from school.services.checkin import roster as rosters
from school.services.email_addresses import EMAIL_MAX, normalized_email
from school.services.errors import DomainError
from school.services.mail import mailing, outbox, transports
from school.services.programme import checks, export, importer, people
from school.services.programme.rules import room_clashes
from school.services.registration import access, data, listing, offer, rules
from school.services.registration.rules import InvalidRegistration
from tests.support.factories import make_choice, make_edition, make_registration

D1 = date(2019, 6, 19)
MORNING = datetime(2019, 6, 19, 7, 0, tzinfo=UTC)  # 9:00 in Paris
ENTRANCE = "entrance:2019-06-19"


def session_named(db, key: str) -> Session:
    return db.scalar(sa.select(Session).where(Session.key == key))


def scan(db, edition, registration, *, at=MORNING, now=None, session=None):
    result = scanning.scan(
        db,
        edition,
        token=tokens.token_for(registration),
        client_id=str(uuid.uuid4()),
        session_id=session.id if session else None,
        scanned_at=at,
        now=now or at,
    )
    db.commit()
    return result


# -- a standing check-in: CheckIn.is_standing


@pytest.fixture
def scans(app, demo, db):
    """At the entrance and in the Explora visit: one person let in, one whose check-in
    was undone, one whose scan was superseded by an earlier one synced late, one never
    scanned."""
    with app.test_request_context():
        edition = db.get(Edition, demo.id)
        explora = session_named(db, "d1-visit-explora")
        came, undone, superseded, absent = (
            make_registration(db, edition, first_name=name, days=[D1])
            for name in ("Majda", "Ève", "Jan", "Iñigo")
        )
        for person in (came, undone, superseded, absent):
            make_choice(db, person, explora)
        db.commit()
        for session in (None, explora):
            scan(db, edition, came, session=session)
            record = scan(db, edition, undone, session=session).record
            scanning.undo(db, edition, record.id, now=MORNING + timedelta(minutes=1))
            db.commit()
            later = scan(
                db, edition, superseded, at=MORNING + timedelta(minutes=30), session=session
            )
            # Scanned offline at 8:50, synced after the 9:30 scan: it is the check-in.
            early = scan(
                db,
                edition,
                superseded,
                at=MORNING - timedelta(minutes=10),
                now=MORNING + timedelta(minutes=31),
                session=session,
            )
            assert early.verdict == "ok" and early.checkpoint.key == later.checkpoint.key
            assert db.get(CheckIn, later.record.id).verdict == "already"
        yield {
            "edition": edition,
            "explora": explora,
            "came": came,
            "superseded": superseded,
            "all": {came.id, undone.id, superseded.id, absent.id},
        }


def test_every_reader_of_check_ins_agrees_on_who_is_checked_in(scans, db, app):
    s = scans
    edition, explora = s["edition"], s["explora"]
    checked_in = {s["came"].id, s["superseded"].id}
    session_key = f"session:{explora.id}"
    with app.test_request_context():
        # Python and SQL read the same definition.
        records = db.scalars(sa.select(CheckIn).where(CheckIn.edition_id == edition.id)).all()
        standing = db.scalars(
            sa.select(CheckIn.id).where(CheckIn.edition_id == edition.id, CheckIn.is_standing)
        ).all()
        assert {r.id for r in records if r.is_standing} == set(standing)
        assert len(standing) == 4  # two people at two checkpoints

        # The scanners' roster.
        roster = rosters.roster(db, edition)
        ours = [p for p in roster["participants"] if p["id"] in s["all"]]
        assert {p["id"] for p in ours if p["checked_in"].get(ENTRANCE)} == checked_in
        assert {p["id"] for p in ours if p["checked_in"].get(session_key)} == checked_in
        early = {p["id"]: p["checked_in"] for p in ours}[s["superseded"].id]
        assert datetime.fromisoformat(early[ENTRANCE]) == MORNING - timedelta(minutes=10)

        # The scanner's count, and its answer to a scan.
        assert scanning.arrivals(db, edition, ENTRANCE) == 2
        assert scanning.arrivals(db, edition, session_key) == 2
        first = scanning.first_checkin(db, s["superseded"].id, ENTRANCE)
        assert first.scanned_at == MORNING - timedelta(minutes=10)

        # Attendance, its sheet and the certificates.
        overview = attendance.overview(db, edition)
        assert overview.get(ENTRANCE).arrivals.keys() & s["all"] == checked_in
        assert overview.get(session_key).arrivals.keys() & s["all"] == checked_in
        sheet = attendance.sheet(db, edition, overview.get(session_key).checkpoint)
        lines = [line for line in sheet.lines if line.registration.id in s["all"]]
        assert {line.registration.id for line in lines if line.checked_in_at} == checked_in
        given = {c.registration.id for c in certificates.certificates(db, edition)}
        assert given & s["all"] == checked_in

        # The dashboard's figures and the exports.
        assert stats.totals(db, edition).checked_in == 2
        progress = stats.checkin_progress(db, edition)
        assert dict(progress.days)[D1].arrived == 2
        assert {sess.id: a.arrived for sess, a in progress.sessions}[explora.id] == 2
        scans_table = exports.checkins(db, edition)[0]
        assert len(scans_table.rows) == 4

        # The organisers' table of registrations, its filter and a session's list.
        yes = listing.search(db, edition, listing.RegistrationQuery(checked_in="yes"))
        assert {row.registration.id for row in yes.rows} == checked_in
        page = listing.search(db, edition, listing.RegistrationQuery())
        flagged = {row.registration.id for row in page.rows if row.checked_in}
        assert flagged & s["all"] == checked_in
        no = listing.search(db, edition, listing.RegistrationQuery(checked_in="no"))
        assert {row.registration.id for row in no.rows} & checked_in == set()
        seats = listing.session_rosters(db, [explora.id])[explora.id]
        assert {c.registration_id for c, flag in seats if flag} == checked_in


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


def test_offline_the_scanner_expects_people_where_the_server_does(phone, app, db, demo):
    """Turned away from the Explora visit (17:00-18:30), a person is told where they
    have a seat then: the tour (17:00) and the General Assembly (18:00), not the break
    that ends at 17:00. Offline, the page reads the roster's ``overlaps``: same answer."""
    edition = db.get(Edition, demo.id)
    explora, tour, pause, assembly = (
        session_named(db, key)
        for key in ("d1-visit-explora", "d1-visit-spaces", "d1-break", "d1-general-assembly")
    )
    person = make_registration(db, edition, category="member", days=[D1])
    for session in (tour, pause, assembly):
        make_choice(db, person, session)
    db.commit()
    with app.app_context():
        roster = rosters.roster(db, edition)
        token = tokens.token_for(person)
        server = scan(db, edition, person, session=explora)
        answer = [server.verdict, [s.id for s in server.expected]]
    assert answer == ["not_registered_for_session", [tour.id, assembly.id]]
    checkpoint = {"key": f"session:{explora.id}", "session_id": explora.id, "day": D1.isoformat()}
    phone.goto("/")
    local = phone.evaluate(
        """async ([roster, checkpoint, token]) => {
            const { decide, indexRoster } = await import("/static/js/scanner/decide.js");
            const result = decide(indexRoster(roster), checkpoint, token, []);
            return [result.verdict, result.expected.map((s) => s.session_id)];
        }""",
        [roster, checkpoint, token],
    )
    assert local == answer


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
    seat = {s.id for s in sessions.values() if scanning.admission(s) == "seat"}
    assert seat == offered | invited
    # And those taking the meal only, at a meal.
    meal = {s.id for s in sessions.values() if scanning.admission(s) == "meal"}
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


# -- the outbox's due messages: mail.outbox.is_due (and is_given_up)

OUTBOX_CASES = {
    "due": {},
    "later": {"send_after": timedelta(hours=1)},
    "sent": {"sent_at": timedelta(0)},
    "given up": {"attempts": outbox.MAX_ATTEMPTS, "failed_at": timedelta(0), "failure": "gave_up"},
    "claimed": {"claimed_until": timedelta(minutes=1)},
    "claim ran out": {"claimed_until": -timedelta(minutes=1)},
}


def test_the_sender_sends_what_has_due_calls_due(smtp, db):
    """The background sender's "anything left?" and the sender's claim read one rule: a
    message is due unsent, its time come, not given up and nobody's claim running; one
    given up is what a mailing's progress counts as failed."""
    transport = transports.SmtpTransport(smtp.url)
    sent = []
    for name, shifts in OUTBOX_CASES.items():
        now = utcnow()
        values = {"send_after": now} | {
            key: now + value if isinstance(value, timedelta) else value
            for key, value in shifts.items()
        }
        db.execute(sa.delete(OutboxMessage))
        db.add(
            OutboxMessage(to_address="p@example.org", subject=name, text_body="Hello",
                          purpose="test", batch=name, created_at=now, **values)
        )  # fmt: skip
        db.commit()
        due = outbox.has_due(db, now)
        done = outbox.send_pending(db, transport, "s@x.org", now=now)
        assert (done.sent, done.failed) == ((1, 0) if due else (0, 0)), name
        if due:
            sent.append(name)
        progress = mailing.progress(db, [name])[name]
        assert progress.failed == (1 if name == "given up" else 0), name
    assert sent == ["due", "claim ran out"]
    assert [m["Subject"] for m in smtp.inbox.wait_for(2)] == sent


# -- a scan from the future: checkin.scanning.scan clamps it, whoever calls it


def test_a_scan_from_the_future_is_taken_as_made_now_by_the_service_itself(app, db, demo):
    edition = db.get(Edition, demo.id)
    person = make_registration(db, edition)
    early = make_registration(db, edition)
    db.commit()
    with app.app_context():
        # A phone whose clock is a day ahead: recorded at the server's time (and its
        # slack), at today's entrance, not tomorrow's.
        ahead = scan(db, edition, person, at=MORNING + timedelta(days=1), now=MORNING)
        assert ahead.verdict == "ok" and ahead.checkpoint.key == ENTRANCE
        assert ahead.record.scanned_at == MORNING + scanning.CLOCK_AHEAD
        # A clock a little fast is believed.
        close = scan(db, edition, early, at=MORNING + timedelta(minutes=3), now=MORNING)
        assert close.record.scanned_at == MORNING + timedelta(minutes=3)


# -- an e-mail address: services.email_addresses.normalized_email

ADDRESSES = {
    "majda@example.org": True,
    "Majda.Jelencic@Example.ORG": True,
    "inigo.nunez@cité-des-métiers.example.org": True,
    "not-an-address": False,
    "jean@localhost": False,  # no domain a message could be sent to
    "jean..dupont@example.org": False,
    "jean@cdm.local": False,  # a special-use name
    "jean dupont@example.org": False,
    "a@example.org,b@example.org": False,
}


@pytest.mark.parametrize(("address", "valid"), ADDRESSES.items())
def test_participants_speakers_and_organisers_are_held_to_one_rule(app, db, address, valid):
    with app.test_request_context():
        participant = data.check_fields(data.RegistrationData(email=address), edition_dates=[])
        _, problems = checks.check_person(
            {"id": "p", "first_name": "Jan", "last_name": "Novak", "email": address}, set()
        )
        try:
            organisers.create_organiser(db, address, "checkin", None)
            organiser = True
        except DomainError as refused:
            assert refused.code == "email"
            organiser = False
    assert "email" not in participant if valid else "email" in participant
    assert [p.field for p in problems] == ([] if valid else ["email"])
    assert organiser is valid
    assert (normalized_email(address) is not None) is valid


def test_every_column_holding_an_address_takes_the_longest_one():
    columns = [
        column
        for table in Base.metadata.tables.values()
        for column in table.columns
        if column.name in ("email", "email_key", "contact_email", "to_address", "reply_to")
    ]
    assert len(columns) == 9  # initiatives.contact_email too
    assert {column.type.length for column in columns} == {EMAIL_MAX}


# -- the vocabulary: school/models/vocabulary.py, and the lengths of registration.data

SCANNER_LISTS = {
    "VERDICT": Verdict,
    "ADMISSION": Admission,
    "CATEGORY": Category,
    "REGISTRATION_STATUS": RegistrationStatus,
}


def _frozen_objects(source: str) -> dict[str, dict[str, str]]:
    """``export const NAME = Object.freeze({ KEY: "value", … });`` as Python dicts."""
    found = {}
    frozen = re.compile(r"export const (\w+) = Object\.freeze\((\{.*?\})\);", re.S)
    for name, body in frozen.findall(source):
        as_json = re.sub(r",\s*\}", "}", re.sub(r"(\w+):", r'"\1":', body))
        found[name] = json.loads(as_json)
    return found


def test_the_scanners_words_are_the_servers(app):
    source = (Path(app.static_folder) / "js" / "scanner" / "vocabulary.js").read_text()
    assert _frozen_objects(source) == {
        name: {member.name: member.value for member in vocabulary}
        for name, vocabulary in SCANNER_LISTS.items()
    }


def test_the_api_document_and_the_labels_list_the_vocabulary(client):
    schemas = client.get("/api/v1/openapi.json").get_json()["components"]["schemas"]
    assert schemas["CheckinResult"]["properties"]["verdict"]["enum"] == list(Verdict)
    session = schemas["Session"]["properties"]
    assert session["kind"]["enum"] == list(SessionKind)
    assert session["audience"]["enum"] == list(Audience)
    request = schemas["RegistrationRequest"]["properties"]
    # What the public may declare; the others are given (services.registration.access).
    assert request["category"]["enum"] == list(access.PUBLIC_CATEGORIES)
    assert set(access.PUBLIC_CATEGORIES) < set(Category)
    assert request["first_name"]["maxLength"] == data.NAME_MAX
    assert request["dietary"]["maxLength"] == data.NOTE_MAX
    assert request["language"]["enum"] == list(data.LANGUAGES)
    roster = schemas["Roster"]["properties"]["sessions"]["items"]["properties"]
    assert roster["admission"]["enum"] == list(Admission)
    for labels, vocabulary in (
        (KIND_LABELS, SessionKind),
        (ROLE_LABELS, Role),
        (AUDIENCE_LABELS, Audience),
        (CATEGORY_LABELS, Category),
        (CHOICE_STATUS_LABELS, ChoiceStatus),
        (ADMISSION_LABELS, Admission),
    ):
        assert set(labels) == set(vocabulary)
