"""Statements on the bare driver (``school.bare_statements``), which a scan sent alone runs
on PostgreSQL: the values go in and come out as SQLAlchemy converts them, the errors are
SQLAlchemy's, and the pooled connection goes back as it was lent, or is forgotten."""

from __future__ import annotations

import re
import uuid
from datetime import UTC, date, datetime, timedelta, timezone

import psycopg
import pytest
import sqlalchemy as sa

from school.bare_statements import autocommit, bare
from school.database import is_unreachable
from school.models import CheckIn, Edition, Registration, Session
from school.services.checkin.badge_rows import RECORDED, _bare_statements_for
from tests.support.factories import make_registration

PARIS_SUMMER = timezone(timedelta(hours=2))


@pytest.fixture
def postgres(engine):
    if engine.dialect.name != "postgresql":
        pytest.skip("the bare driver runs a scan sent alone on PostgreSQL only")
    # One connection: what a test leaves in it is what the next checkout gets.
    single = sa.create_engine(engine.url, pool_size=1, max_overflow=0)
    yield single
    single.dispose()


@pytest.fixture
def person(app, demo, db):
    with app.app_context():
        person = make_registration(db, db.get(Edition, demo.id), first_name="Олена")
        db.commit()
        return {"id": person.id, "edition_id": demo.id}


def _row(person, **values):
    now = datetime.now(UTC)
    return {
        "edition_id": person["edition_id"],
        "registration_id": person["id"],
        "session_id": None,
        "day": date(2019, 6, 19),
        "checkpoint": "entrance:2019-06-19",
        "scanned_at": now,
        "recorded_at": now,
        "client_id": str(uuid.uuid4()),
        "device": None,
        "organiser_id": None,
        "verdict": "ok",
    } | values


def _insert(dialect):
    table = CheckIn.__table__
    return bare(table.insert().returning(table.c.id), dialect, values=RECORDED)


def test_values_go_in_and_come_out_as_sqlalchemy_converts_them(postgres, person, db):
    scanned = datetime(2019, 6, 19, 9, 5, 30, tzinfo=PARIS_SUMMER)
    device = "Двері №2 · 门口 · باب"
    with autocommit(postgres) as cursor:
        row = _row(person, scanned_at=scanned, device=device)
        checkin_id = cursor.scalar(_insert(postgres.dialect), row)
        read = bare(
            sa.select(CheckIn.scanned_at, CheckIn.device, CheckIn.day).where(
                CheckIn.id == sa.bindparam("id")
            ),
            postgres.dialect,
        )
        [(at, got, day)] = cursor.all(read, {"id": checkin_id})
        assert (at, got, day) == (scanned, device, date(2019, 6, 19))
        assert at.tzinfo == UTC and at.hour == 7  # stored as UTC, given back with its zone

    # Committed on its own: another session sees it, as the ORM would have written it.
    stored = db.get(CheckIn, checkin_id)
    assert (stored.scanned_at, stored.device, stored.is_standing) == (scanned, device, True)


def test_errors_are_sqlalchemys_and_the_connection_goes_back_as_lent(postgres, person, db):
    with autocommit(postgres) as cursor, pytest.raises(sa.exc.IntegrityError):
        cursor.scalar(  # nobody has this id
            _insert(postgres.dialect), _row(person, registration_id=2**31 - 1)
        )
    # The pool's one connection is back in transactions: what a session does not commit
    # is not kept.
    with postgres.connect() as connection:
        assert connection.connection.driver_connection.autocommit is False
        connection.execute(sa.insert(CheckIn).values(**_row(person, client_id="kept-not")))
        connection.rollback()
    assert db.scalar(sa.select(sa.func.count(CheckIn.id))) == 0


def test_a_connection_lost_mid_statement_is_forgotten_by_the_pool(postgres, engine):
    backend_pid = bare(sa.select(sa.func.pg_backend_pid()), postgres.dialect)
    with autocommit(postgres) as cursor:
        pid = cursor.scalar(backend_pid, {})
        with engine.connect() as other:  # the server ends it, as a restart would
            other.execute(sa.select(sa.func.pg_terminate_backend(pid)))
        with pytest.raises(sa.exc.DBAPIError) as lost:
            cursor.scalar(backend_pid, {})
    assert is_unreachable(lost.value) and lost.value.connection_invalidated
    with autocommit(postgres) as cursor:  # a new connection, not the dead one
        assert cursor.scalar(backend_pid, {}) not in (None, pid)


def test_a_connection_ended_since_it_was_returned_is_replaced_at_its_first_statement(
    postgres, engine
):
    # A door's scan right after the database restarted: the pool lends the connection
    # returned moments ago unchecked, and the scan's read is sent again on a new one.
    backend_pid = bare(sa.select(sa.func.pg_backend_pid()), postgres.dialect)
    with autocommit(postgres) as cursor:
        pid = cursor.scalar(backend_pid, {})
    with engine.connect() as other:
        other.execute(sa.select(sa.func.pg_terminate_backend(pid)))
        gone = sa.select(sa.func.count()).where(sa.column("pid") == pid)
        gone = gone.select_from(sa.table("pg_stat_activity", sa.column("pid")))
        while other.execute(gone).scalar():
            other.rollback()
    with autocommit(postgres) as cursor:
        assert cursor.scalar(backend_pid, {}) not in (None, pid)
        assert cursor.scalar(backend_pid, {}) not in (None, pid)  # and stays on it


def test_a_write_to_a_table_whose_values_are_kept_is_refused(engine):
    # Processes keep the programme and the people: only SQLAlchemy's commits announce
    # their changes (school/data_versions.py).
    for statement in (
        sa.update(Session).values(title_en=sa.bindparam("title")),
        sa.insert(Registration).values(first_name=sa.bindparam("name")),
    ):
        with pytest.raises(ValueError, match="values are kept from it"):
            bare(statement, engine.dialect)
    assert bare(sa.insert(CheckIn), engine.dialect, values=("client_id",)).text


def test_a_scans_read_is_planned_once_on_the_indexes_of_standing_check_ins(postgres, person):
    """PostgreSQL plans a prepared statement once for all its executions only if that plan
    serves as well as one made for the values at hand. The scan's read must reach the
    standing check-in and the arrivals through their partial indexes without knowing its
    values: when it could not, the database planned it anew at every scan."""
    read = _bare_statements_for(postgres.dialect).badge
    names: list[str] = []

    def numbered(match: re.Match) -> str:
        names.append(match.group(1))
        return f"${len(names)}"

    prepared = re.sub(r"%\((\w+)\)s", numbered, read.text)
    values = read.parameters(
        {
            "registration_id": person["id"],
            "checkpoint": "entrance:2019-06-19",
            "edition_id": person["edition_id"],
            "day": date(2019, 6, 19),
            "session_id": None,
        }
    )
    raw = postgres.raw_connection()
    try:
        connection = raw.driver_connection
        # The question is whether the partial indexes can serve a plan made without the
        # values, not which usable index the planner prefers on whatever rows earlier tests
        # left (that choice changed between CI runs). So, in a transaction rolled back below,
        # the table holds a known door, analysed (two days of 1,500 people, each checked in
        # once, after a few superseded scans), and the indexes that would serve as well are
        # dropped: were the statement unable to prove the partial indexes' condition, the
        # plan would fall back on a scan.
        connection.execute("TRUNCATE checkins")
        connection.execute("SET LOCAL session_replication_role = replica")  # no registrations
        connection.execute(
            "INSERT INTO checkins (edition_id, registration_id, day, checkpoint, scanned_at,"
            " recorded_at, client_id, verdict, undone_at)"
            " SELECT %s, person, day, 'entrance:' || day, now(), now(),"
            " md5(random()::text || scan), CASE WHEN scan = 0 THEN 'ok' ELSE 'already' END,"
            " NULL"
            " FROM generate_series(1, 1500) AS person,"
            " unnest(ARRAY[DATE '2019-06-19', DATE '2019-06-20']) AS day,"
            " generate_series(0, person %% 3) AS scan",
            [person["edition_id"]],
        )
        connection.execute("ANALYZE checkins")
        competitors = connection.execute(
            "SELECT indexname FROM pg_indexes WHERE tablename = 'checkins'"
            " AND indexname NOT IN ('uq_checkins_one_ok_per_checkpoint', 'ix_checkins_arrivals')"
            " AND indexname NOT IN (SELECT conname FROM pg_constraint)"
        ).fetchall()
        assert competitors  # the registration's index, the door's counts by verdict
        for (name,) in competitors:
            connection.execute(f'DROP INDEX "{name}"')
        connection.execute("SET LOCAL plan_cache_mode = force_generic_plan")
        connection.execute("SET LOCAL enable_seqscan = off")  # a few rows: a scan would do
        connection.execute(f"PREPARE scan_read AS {prepared}")
        arguments = ", ".join(["%s"] * len(names))
        plan = "\n".join(
            row[0]
            for row in psycopg.ClientCursor(connection).execute(
                f"EXPLAIN EXECUTE scan_read({arguments})",
                [getattr(values[name], "value", values[name]) for name in names],
            )
        )
    finally:
        connection.rollback()  # the check-ins and the indexes come back
        raw.invalidate()  # and the prepared statement goes with the connection
    assert re.search(r"\$\d", plan), plan  # the plan made once, for any values
    assert "uq_checkins_one_ok_per_checkpoint" in plan, plan  # who stands checked in
    # How many arrived: from this index alone once the table is vacuumed (its visibility
    # map), which a transaction rolled back cannot show.
    assert "ix_checkins_arrivals" in plan, plan
    assert "Seq Scan on checkins" not in plan, plan
