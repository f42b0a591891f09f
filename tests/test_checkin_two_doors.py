"""Two doors scanning the same person at the same moment. A scan sent alone takes no lock
(``checkin.scanning``): the unique index of standing check-ins decides between them, and
the scan it refuses is decided again as things then stand."""

from __future__ import annotations

import threading
import time
import uuid
from datetime import UTC, date, datetime, timedelta

import pytest
import sqlalchemy as sa

from school.models import CheckIn, Edition
from school.services.badges import tokens
from school.services.checkin import scanning
from tests.support.factories import make_registration

D1 = date(2019, 6, 19)
MORNING = datetime(2019, 6, 19, 7, 0, tzinfo=UTC)  # 9:00 in Paris


@pytest.fixture
def badge(app, demo, db, engine):
    if engine.dialect.name != "postgresql":
        pytest.skip("SQLite lets one writer in at a time: no two scans are decided at once")
    with app.app_context():
        person = make_registration(db, db.get(Edition, demo.id), first_name="Олена", days=[D1])
        db.commit()
        return {"id": person.id, "token": tokens.token_for(person)}


def scan_in(app, session, demo, badge, at, door):
    with app.app_context():
        return scanning.scan(
            session,
            session.get(Edition, demo.id),
            token=badge["token"],
            client_id=str(uuid.uuid4()),
            day=D1,
            scanned_at=at,
            now=MORNING + timedelta(hours=1),
            device=door,
        )


def waiting_for_a_lock(engine) -> int:  # a new connection each time: the view as it is now
    with engine.connect() as connection:
        return connection.scalar(
            sa.text(
                "SELECT count(*) FROM pg_stat_activity"
                " WHERE datname = current_database() AND wait_event_type = 'Lock'"
            )
        )


def at_two_doors(app, demo, badge, engine, *, first_commits: bool):
    """The first door's scan is written, not committed; the second door's scan of the same
    person comes in meanwhile and must wait for it. Returns both answers."""
    first = sa.orm.Session(engine)
    told: dict[str, object] = {}

    def second() -> None:
        with sa.orm.Session(engine) as session:
            result = scan_in(app, session, demo, badge, MORNING + timedelta(minutes=5), "door B")
            told.update(verdict=result.verdict, first=result.first, arrivals=result.arrivals)
            session.commit()

    behind = threading.Thread(target=second)
    try:
        mine = scan_in(app, first, demo, badge, MORNING, "door A")
        behind.start()
        deadline = time.monotonic() + 10
        while not waiting_for_a_lock(engine) and time.monotonic() < deadline:
            time.sleep(0.01)
        assert waiting_for_a_lock(engine) == 1  # the second one waits for the first
        first.commit() if first_commits else first.rollback()
    finally:
        first.close()  # whatever failed, the second one is let go and ends
        if behind.ident is not None:
            behind.join(10)
    return mine, told


def standing(db) -> list[tuple[str, str]]:
    db.rollback()
    return db.execute(sa.select(CheckIn.device, CheckIn.verdict).order_by(CheckIn.scanned_at)).all()


def test_the_second_door_is_told_the_person_is_in_already(app, demo, db, engine, badge):
    mine, told = at_two_doors(app, demo, badge, engine, first_commits=True)
    assert mine.verdict == "ok"
    assert told["verdict"] == "already" and told["arrivals"] == 1
    assert told["first"].scanned_at == MORNING and told["first"].device == "door A"
    assert standing(db) == [("door A", "ok"), ("door B", "already")]


def test_when_the_first_door_s_scan_is_lost_the_second_one_is_the_check_in(
    app, demo, db, engine, badge
):
    # The first phone's request failed before its commit: nothing of it stays.
    mine, told = at_two_doors(app, demo, badge, engine, first_commits=False)
    assert mine.verdict == "ok"
    assert told["verdict"] == "ok" and told["first"] is None and told["arrivals"] == 1
    assert standing(db) == [("door B", "ok")]
