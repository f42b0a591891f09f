"""Check-in rules that many places read, read alike (issue 16): who stands checked in
(``CheckIn.is_standing``) for the roster, the scanner, attendance, the dashboard, the
exports and the organisers' table; where a person turned away is expected, online and
offline; a scan from the future, clamped by the service whoever calls it."""

from __future__ import annotations

import uuid
from datetime import UTC, date, datetime, timedelta

import pytest
import sqlalchemy as sa

from school.models import CheckIn, Edition, Session
from school.services.backoffice import exports, stats
from school.services.badges import tokens
from school.services.checkin import attendance, certificates, scanning
from school.services.checkin import roster as rosters
from school.services.checkin import standing as standings
from school.services.registration import listing
from tests.support.factories import make_choice, make_registration

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
        first = standings.first_checkin(db, s["superseded"].id, ENTRANCE)
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


# -- where a person turned away is expected, offline too: the roster's overlaps


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
