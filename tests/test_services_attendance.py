"""Attendance read from check-ins made by the check-in service: arrivals, expected people,
no-shows, the time series, the attendance sheet and what a certificate lists."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from zoneinfo import ZoneInfo

import pytest
import sqlalchemy as sa

from school.models import Choice
from school.services.checkin import attendance, certificates
from school.services.errors import NotFound
from tests.support.attendance_scenario import D1, D2, paris, scan, spring_school_scans
from tests.support.factories import make_choice, make_registration


@pytest.fixture
def school(app, demo, db):
    with app.app_context():
        yield spring_school_scans(db, demo)


def ids(*people) -> set[int]:
    return {p.id for p in people}


def test_entrance_counts_first_scans_only_and_expects_those_attending_the_day(school, db):
    s = school
    seen = attendance.overview(db, s["edition"])
    day1 = seen.get("entrance:2019-06-19")
    assert day1.expected == ids(s["majda"], s["eve"], s["jan"], s["zainoudine"])
    assert day1.present == 4  # the repeat, the undone scan and the cancelled badge do not count
    assert day1.no_shows == set()
    day2 = seen.get("entrance:2019-06-20")
    assert day2.expected == ids(s["eve"], s["inigo"]) and day2.present == 0
    assert day2.no_shows == ids(s["eve"], s["inigo"])
    assert seen.days_with_arrivals == [D1, D2]


def test_sessions_expect_seats_members_or_everyone_attending(school, db):
    s = school
    seen = attendance.overview(db, s["edition"])
    explora = seen.get(f"session:{s['explora'].id}")
    assert explora.admission == "seat"
    assert explora.expected == ids(s["majda"])  # the waiting line is not expected
    assert explora.present == 1 and explora.no_shows == set()
    tour = seen.get(f"session:{s['tour'].id}")
    assert tour.expected == ids(s["eve"]) and tour.present == 0
    assert tour.no_shows == ids(s["eve"])
    assembly = seen.get(f"session:{s['assembly'].id}")
    assert assembly.admission == "members"
    assert assembly.expected == ids(s["majda"], s["jan"])
    assert assembly.no_shows == ids(s["jan"])
    plenary = seen.get(f"session:{s['plenary'].id}")
    assert plenary.expected == ids(s["eve"], s["inigo"]) and plenary.no_shows == ids(s["inigo"])
    assert seen.on(D1)[0].key == "entrance:2019-06-19"
    starts = [c.session.starts_at for c in seen.on(D1)[1:]]
    assert starts == sorted(starts) and len(starts) == 13


def test_arrivals_in_ten_minute_buckets_of_local_time(school, db):
    seen = attendance.overview(db, school["edition"])
    series = seen.get("entrance:2019-06-19").series(school["edition"].tz)
    assert [(b.starts_at.strftime("%H:%M"), b.count, b.total) for b in series] == [
        ("09:00", 1, 1),
        ("09:10", 2, 3),
        ("09:20", 0, 3),
        ("09:30", 0, 3),
        ("09:40", 1, 4),
    ]
    assert series[0].starts_at.utcoffset() == timedelta(hours=2)  # Paris summer time
    assert series[-1].ends_at.strftime("%H:%M") == "09:50"
    assert seen.get("entrance:2019-06-21").series(school["edition"].tz) == []


def test_a_timezone_with_a_quarter_hour_offset_gets_buckets_of_its_own_clock(school, db):
    seen = attendance.overview(db, school["edition"])
    series = seen.get("entrance:2019-06-19").series(ZoneInfo("Asia/Kathmandu"))
    # 07:02 UTC is 12:47 in Kathmandu (UTC+5:45): the bucket of 12:40, not 12:45.
    assert series[0].starts_at.strftime("%H:%M") == "12:40"


def test_overview_runs_the_same_few_queries_for_any_number_of_people(school, db, count_queries):
    edition = school["edition"]
    with count_queries() as few:
        attendance.overview(db, edition)
    for _ in range(30):
        person = make_registration(db, edition, days=[D1, D2])
        make_choice(db, person, school["tour"], "confirmed")
    db.commit()
    with count_queries() as many:
        seen = attendance.overview(db, edition)
    assert len(few) == len(many) <= 6
    assert len(seen.get(f"session:{school['tour'].id}").expected) == 31


def test_the_sheet_lists_expected_and_present_people_by_last_name(school, db):
    s = school
    edition = s["edition"]
    checkpoint = attendance.checkpoint_of(db, edition, "d1-general-assembly")
    assert checkpoint.key == f"session:{s['assembly'].id}"
    sheet = attendance.sheet(db, edition, checkpoint)
    assert [line.registration.last_name for line in sheet.lines] == ["Jelenčić", "Łukasiewicz"]
    assert [line.checked_in_at for line in sheet.lines] == [paris(D1, 18, 5), None]
    assert (sheet.expected, sheet.present) == (2, 1)
    assert [line.registration.first_name for line in sheet.no_shows] == ["Jan"]

    entrance = attendance.sheet(db, edition, attendance.checkpoint_of(db, edition, "2019-06-19"))
    names = [line.registration.last_name for line in entrance.lines]
    assert names == ["Abdou", "Jelenčić", "Łukasiewicz", "Ñúñez"]  # Ł among the L, Ñ the N
    assert entrance.present == 4 and entrance.no_shows == []


def test_someone_checked_in_whose_seat_went_since_stays_on_the_sheet(school, db):
    s = school
    edition = s["edition"]
    scan(db, edition, s["eve"], session=s["tour"], at=paris(D1, 17, 1))
    db.execute(sa.delete(Choice).where(Choice.registration_id == s["eve"].id))
    db.commit()
    db.expire_all()
    sheet = attendance.sheet(db, edition, attendance.checkpoint_of(db, edition, "d1-visit-spaces"))
    [line] = sheet.lines
    assert line.registration.first_name == "Ève" and not line.is_expected
    assert line.checked_in_at == paris(D1, 17, 1)
    seen = attendance.overview(db, edition).get(f"session:{s['tour'].id}")
    assert seen.unexpected == ids(s["eve"]) and seen.expected == set()


def test_checkpoints_are_named_by_session_key_id_or_day(school, db):
    edition = school["edition"]
    by_id = attendance.checkpoint_of(db, edition, f"session:{school['tour'].id}")
    assert by_id.session.key == "d1-visit-spaces" and by_id.day == D1
    assert attendance.checkpoint_of(db, edition, "entrance:2019-06-20").key == "entrance:2019-06-20"
    for wrong in ("2019-06-22", "no-such-session", "session:999999"):
        with pytest.raises(NotFound):
            attendance.checkpoint_of(db, edition, wrong)


def test_a_certificate_lists_sessions_days_and_hours_without_breaks(school, db):
    s = school
    found = certificates.certificate(db, s["majda"])
    assert [session.key for session in found.sessions] == [
        "d1-visit-explora",
        "d1-general-assembly",
    ]  # the coffee break is not on it
    assert found.days == [D1]
    # 17:00–18:30 and 18:00–19:30 overlap: 2 h 30 in all, not 3 h.
    assert found.hours == timedelta(hours=2, minutes=30)
    entrance_only = certificates.certificate(db, s["jan"])
    assert entrance_only.sessions == [] and entrance_only.days == [D1]
    assert entrance_only.hours == timedelta(0)
    assert certificates.certificate(db, s["inigo"]) is None  # the only scan was undone


def test_certificates_of_an_edition_by_last_name(school, db, count_queries):
    with count_queries() as statements:
        found = certificates.certificates(db, school["edition"])
    assert len(statements) == 2
    names = [c.registration.last_name for c in found]
    assert names == ["Abdou", "Jelenčić", "Łukasiewicz", "Ñúñez"]
    eve = found[-1]
    assert [s.key for s in eve.sessions] == ["d2-stakes"] and eve.days == [D1, D2]


def test_certificates_open_when_the_last_day_starts_in_local_time(school):
    edition = school["edition"]
    opens = certificates.certificate_opens_at(edition)
    assert opens == datetime(2019, 6, 20, 22, 0, tzinfo=UTC)  # midnight in Paris
    assert not certificates.certificate_is_open(edition, opens - timedelta(seconds=1))
    assert certificates.certificate_is_open(edition, opens)
