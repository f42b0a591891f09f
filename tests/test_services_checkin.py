"""Every verdict of a scan, replays, the offline merge rule and the roster."""

from __future__ import annotations

import uuid
from datetime import UTC, date, datetime, timedelta

import pytest
import sqlalchemy as sa

from school.models import CheckIn, Edition, Session
from school.services.badges import tokens
from school.services.checkin import roster as rosters
from school.services.checkin import scanning
from school.services.checkin.checkpoints import admission
from school.services.programme import export, importer
from tests.support.factories import make_choice, make_registration

D1, D2 = date(2019, 6, 19), date(2019, 6, 20)
MORNING = datetime(2019, 6, 19, 7, 0, tzinfo=UTC)  # 9:00 in Paris


@pytest.fixture
def ctx(app):
    with app.app_context():
        yield


@pytest.fixture
def people(ctx, demo, db):
    edition = db.get(Edition, demo.id)
    explora = db.scalar(sa.select(Session).where(Session.key == "d1-visit-explora"))
    tour = db.scalar(sa.select(Session).where(Session.key == "d1-visit-spaces"))
    member = make_registration(
        db, edition, first_name="Majda", category="member", member_verified=True, days=[D1]
    )
    partner = make_registration(db, edition, first_name="Ève", category="partner", days=[D1, D2])
    waiting = make_registration(db, edition, first_name="Zainoudine", days=[D1])
    make_choice(db, member, explora, "confirmed")
    make_choice(db, partner, tour, "confirmed")
    make_choice(db, waiting, explora, "waitlisted")
    db.commit()
    return {
        "edition": edition,
        "member": member,
        "partner": partner,
        "waiting": waiting,
        "explora": explora,
        "tour": tour,
    }


def session_named(db, key):
    return db.scalar(sa.select(Session).where(Session.key == key))


def scan(db, edition, registration_or_token, *, session=None, day=None, at=MORNING, client_id=None):
    token = (
        registration_or_token
        if isinstance(registration_or_token, str)
        else tokens.token_for(registration_or_token)
    )
    result = scanning.scan(
        db,
        edition,
        token=token,
        client_id=client_id or str(uuid.uuid4()),
        session_id=session.id if session else None,
        day=day,
        scanned_at=at,
        now=at,
    )
    db.commit()
    return result


def test_first_scan_at_the_entrance_is_ok_with_the_day_ahead(people, db):
    result = scan(db, people["edition"], people["member"])
    assert result.verdict == "ok"
    assert result.checkpoint.key == "entrance:2019-06-19"
    assert [s.key for s in result.today] == ["d1-visit-explora"]
    assert result.attends_today


def test_second_scan_is_already_with_the_first_time(people, db):
    first = scan(db, people["edition"], people["member"])
    again = scan(db, people["edition"], people["member"], at=MORNING + timedelta(minutes=3))
    assert again.verdict == "already"
    assert again.first.id == first.record.id and again.first.scanned_at == MORNING
    assert scanning.arrivals(db, people["edition"], "entrance:2019-06-19") == 1


def test_a_session_admits_its_seats_and_tells_others_where_to_go(people, db):
    edition, explora = people["edition"], people["explora"]
    at = datetime(2019, 6, 19, 15, 0, tzinfo=UTC)
    assert scan(db, edition, people["member"], session=explora, at=at).verdict == "ok"
    elsewhere = scan(db, edition, people["partner"], session=explora, at=at)
    assert elsewhere.verdict == "not_registered_for_session"
    assert [s.key for s in elsewhere.expected] == ["d1-visit-spaces"]
    waiting = scan(db, edition, people["waiting"], session=explora, at=at)
    assert waiting.verdict == "not_registered_for_session"
    assert waiting.waitlist_position == 1


def test_open_and_members_only_sessions(people, db):
    edition = people["edition"]
    assembly = session_named(db, "d1-general-assembly")
    plenary = session_named(db, "d2-stakes")
    assert admission(assembly) == "members" and admission(plenary) == "everyone"
    assert scan(db, edition, people["member"], session=assembly).verdict == "ok"
    assert scan(db, edition, people["partner"], session=assembly).verdict == (
        "not_registered_for_session"
    )
    assert scan(db, edition, people["partner"], session=plenary).verdict == "ok"
    # "Network member" ticked without the member code nor an organiser's word: not a door.
    claimed = make_registration(
        db, edition, first_name="Ivan", category="member", member_verified=False, days=[D1]
    )
    db.commit()
    assert scan(db, edition, claimed, session=assembly).verdict == "not_registered_for_session"
    # Not attending day 2: the plenary of day 2 is not theirs.
    assert scan(db, edition, people["member"], session=plenary).verdict == (
        "not_registered_for_session"
    )


def test_cancelled_wrong_edition_and_invalid_badges(people, db):
    edition = people["edition"]
    token = tokens.token_for(people["partner"])
    people["partner"].status = "cancelled"
    db.commit()
    assert scan(db, edition, token).verdict == "cancelled"
    other = importer.import_text(
        db, export.export_text(db, edition.slug).replace(edition.slug, "autumn", 1), "a.yaml"
    )
    db.commit()
    stranger = make_registration(db, other)
    db.commit()
    assert scan(db, edition, stranger).verdict == "wrong_edition"
    altered = token[:-1] + ("A" if token[-1] != "A" else "B")
    for bad in (altered, "hello", "K1:1:1:AAAAAAAAAAAAAAAAAAAAAAAA"):
        result = scan(db, edition, bad)
        assert result.verdict == "invalid" and result.registration is None
    recorded = db.scalars(sa.select(CheckIn.verdict).order_by(CheckIn.id)).all()
    assert recorded == ["cancelled", "wrong_edition", "invalid", "invalid", "invalid"]


def test_a_replayed_scan_returns_the_first_answer_and_records_nothing(people, db):
    edition = people["edition"]
    first = scan(db, edition, people["member"], client_id="scan-0001-aaaa")
    scan(db, edition, people["member"], client_id="scan-0002-bbbb")
    replay = scan(db, edition, people["member"], client_id="scan-0001-aaaa")
    assert replay.replayed and replay.verdict == "ok" and replay.record.id == first.record.id
    assert db.scalar(sa.select(sa.func.count()).select_from(CheckIn)) == 2


def test_offline_scans_merge_and_the_earliest_wins(people, db):
    """Two phones scanned the same badge while offline; the later scan syncs first."""
    edition = people["edition"]
    late = scan(db, edition, people["member"], at=MORNING + timedelta(minutes=5))
    early = scan(db, edition, people["member"], at=MORNING)
    assert late.verdict == "ok" and early.verdict == "ok"
    db.expire_all()
    rows = db.execute(
        sa.select(CheckIn.scanned_at, CheckIn.verdict).order_by(CheckIn.scanned_at)
    ).all()
    assert [verdict for _, verdict in rows] == ["ok", "already"]
    assert rows[0][0] == MORNING
    assert scanning.arrivals(db, edition, "entrance:2019-06-19") == 1


def test_undo_takes_the_check_in_back(people, db):
    edition = people["edition"]
    first = scan(db, edition, people["member"])
    scanning.undo(db, edition, first.record.id, now=MORNING)
    db.commit()
    assert scanning.arrivals(db, edition, "entrance:2019-06-19") == 0
    assert scan(db, edition, people["member"]).verdict == "ok"


def test_the_roster_has_what_a_scanner_decides_with(people, db, count_queries):
    edition = people["edition"]
    scan(db, edition, people["member"])
    with count_queries() as statements:
        roster = rosters.roster(db, edition)
    assert len(statements) <= 7  # the programme's part (other editions named) is kept
    by_name = {p["first_name"]: p for p in roster["participants"]}
    majda = by_name["Majda"]
    assert majda["token"] == tokens.token_for(people["member"])
    assert majda["seats"] == [people["explora"].id]
    assert majda["checked_in"].keys() == {"entrance:2019-06-19"}
    # As the registrations hold them, on either database (SQLite keeps dates as text and
    # booleans as numbers): days in order, membership proved or not.
    assert majda["days"] == ["2019-06-19"]
    assert by_name["Ève"]["days"] == ["2019-06-19", "2019-06-20"]
    assert majda["member"] is True
    assert by_name["Ève"]["member"] is False
    assert by_name["Ève"]["seats"] == [people["tour"].id]
    assert by_name["Zainoudine"]["waiting"] == {str(people["explora"].id): 1}
    sessions = {s["id"]: s for s in roster["sessions"]}
    assert sessions[people["explora"].id]["admission"] == "seat"
    assert sessions[session_named(db, "d1-general-assembly").id]["admission"] == "members"
    assert roster["edition"]["id"] == edition.id
