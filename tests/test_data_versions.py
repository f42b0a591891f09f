"""What a process keeps between requests (an edition, a bearer token's check, a feed's
state) is never used once the database changed it: not in this process, not in another
one, and not while the process cannot hear of changes."""

from __future__ import annotations

import json
import subprocess
import sys
import threading
import time
from concurrent.futures import ThreadPoolExecutor

import pytest
import sqlalchemy as sa

from school import create_app, data_versions, keeping, watched_tables
from school.database import utcnow
from school.extensions import db as flask_db
from school.models import CheckIn, Edition
from school.services.backoffice import organisers
from school.services.badges.tokens import token_for
from school.services.programme import catalogue
from school.services.registration import cancelling
from tests.support import production
from tests.support.factories import make_registration
from tests.support.http_client import HttpClient
from tests.support.servers import free_port


@pytest.mark.parametrize(
    ("statement", "table"),
    [
        ("INSERT INTO checkins (id) VALUES (1)", "checkins"),
        ("INSERT OR IGNORE INTO choices (id) VALUES (1)", "choices"),
        ('UPDATE "editions" SET city = ?', "editions"),
        ("  delete from api_tokens where id = 3", "api_tokens"),
        ("TRUNCATE TABLE registrations", "registrations"),
        ("SELECT * FROM editions FOR UPDATE", None),
        ("WITH t AS (SELECT 1) SELECT * FROM t", None),
        ("WITH t AS (SELECT 1) UPDATE editions SET city = 'x'", "*"),
        ("ALTER TABLE editions ADD COLUMN x INT", "*"),
        ("BEGIN IMMEDIATE", None),
        ("PRAGMA foreign_keys = ON", None),
    ],
)
def test_the_table_a_statement_writes_is_named(statement, table):
    assert watched_tables.touched_table(statement) == table


@pytest.fixture
def app_config(app_config):
    app_config["SECRET_KEY"] = production.app_environment()["SCHOOL_SECRET_KEY"]  # badges
    return app_config


@pytest.fixture
def other_process(app_config):
    """Another app on the same database, with its own connections and its own kept
    values: as a second worker, or the CLI, would be."""
    other = create_app(dict(app_config))
    yield other
    with other.app_context():
        flask_db.session.remove()
        flask_db.engine.dispose()


def _eventually(check, seconds: float = 5.0) -> bool:
    deadline = time.monotonic() + seconds
    while not check():
        if time.monotonic() > deadline:
            return False
        time.sleep(0.001)
    return True


def _city(app, slug: str) -> str:
    with app.app_context():
        return catalogue.read_only_edition(flask_db.session, slug).city


def test_a_kept_edition_costs_no_query_and_a_change_elsewhere_is_seen_at_once(
    app, demo, other_process, count_queries
):
    assert _city(app, demo.slug) == "Paris"

    def kept() -> bool:  # the first reads come before the process listens
        with count_queries() as statements:
            assert _city(app, demo.slug) == "Paris"
        return statements == []

    assert _eventually(kept)
    with other_process.app_context():
        flask_db.session.execute(
            sa.update(Edition).where(Edition.id == demo.id).values(city="Bruxelles")
        )
        flask_db.session.commit()
    # PostgreSQL delivers the news a moment after the commit returns (SQLite: at once).
    assert _eventually(lambda: _city(app, demo.slug) == "Bruxelles")
    with count_queries() as statements:
        assert _city(app, demo.slug) == "Bruxelles"
    assert statements == []


def test_a_change_in_this_process_is_seen_by_its_next_read(app, demo):
    assert _city(app, demo.slug) == "Paris"
    with app.app_context():
        edition = catalogue.get_edition(flask_db.session, demo.slug)
        edition.city = "Lisboa"
        flask_db.session.commit()
    assert _city(app, demo.slug) == "Lisboa"


def test_a_change_to_an_unrelated_table_keeps_the_edition(app, demo, count_queries):
    _city(app, demo.slug)
    with app.app_context():
        make_registration(flask_db.session, catalogue.get_edition(flask_db.session, demo.slug))
        flask_db.session.commit()
    with count_queries() as statements:
        _city(app, demo.slug)
    backend = sa.engine.make_url(app.config["SQLALCHEMY_DATABASE_URI"]).get_backend_name()
    # PostgreSQL says which tables changed; SQLite only that something did.
    assert len(statements) == (0 if backend == "postgresql" else 1)


@pytest.mark.postgres
def test_nothing_is_kept_while_the_news_of_changes_cannot_be_heard(
    app, demo, other_process, count_queries
):
    if not production.SUITE_ON_POSTGRES:
        pytest.skip("PostgreSQL's LISTEN connection (SQLite asks PRAGMA data_version)")
    assert _city(app, demo.slug) == "Paris"
    with other_process.app_context():
        # The listening connection of the first app dies (a database restart, a proxy).
        flask_db.session.execute(
            sa.text(
                "SELECT pg_terminate_backend(pid) FROM pg_stat_activity"
                " WHERE query = 'LISTEN school_data' AND datname = current_database()"
            )
        )
        flask_db.session.execute(
            sa.update(Edition).where(Edition.id == demo.id).values(city="Genève")
        )
        flask_db.session.commit()
    assert _eventually(lambda: _city(app, demo.slug) == "Genève")

    # Listening again (a second later), it keeps again.
    def kept_again() -> bool:
        with count_queries() as statements:
            assert _city(app, demo.slug) == "Genève"
        return statements == []

    assert _eventually(kept_again)


def test_a_token_revoked_by_the_cli_is_refused_by_every_worker_at_once(app, db, demo, database_url):
    """gunicorn's two workers have both checked the token and keep it; another process
    (the CLI) revokes it: the very next requests, to either worker, are refused. A badge
    cancelled meanwhile is refused at the next scan."""
    with app.app_context():
        staff = organisers.create_organiser(db, "door@example.org", "checkin", "door pass 12")
        token = organisers.create_api_token(db, staff, "door phone")
        edition = db.get(Edition, demo.id)
        person = make_registration(db, edition, first_name="Мирослава", last_name="Ковальчук")
        db.commit()
        badge = token_for(person)
    auth = {"Authorization": f"Bearer {token}"}
    bind = f"127.0.0.1:{free_port()}"
    env = production.app_environment(
        DATABASE_URL=database_url, RATELIMIT_ENABLED="false", MAIL_SEND_AFTER_REQUEST="false"
    )
    env["WEB_CONCURRENCY"] = "2"
    roster = f"/api/v1/editions/{demo.slug}/roster"
    checkins = f"/api/v1/editions/{demo.slug}/checkins"

    def statuses(path: str, n: int = 24) -> set[int]:
        def one(_k):
            return HttpClient(f"http://{bind}").request("GET", path, headers=auth)[0]

        with ThreadPoolExecutor(8) as pool:
            return set(pool.map(one, range(n)))

    with production.gunicorn(env, bind):
        assert statuses(roster) == {200}  # both workers now keep the token's check
        with app.app_context():
            cancelling.cancel(db, db.get(type(person), person.id), now=utcnow())
            db.commit()
        body = {"token": badge, "client_id": "after-cancel", "day": "2019-06-19"}
        status, _headers, text = HttpClient(f"http://{bind}").request(
            "POST", checkins, json_body=body, headers=auth
        )
        assert status == 200 and json.loads(text)["verdict"] == "cancelled"
        revoked = subprocess.run(
            [sys.executable, "-m", "flask", "--app", "school", "token", "revoke",
             "door@example.org"],
            env=env, capture_output=True, text=True, check=False,
        )  # fmt: skip
        assert revoked.returncode == 0, revoked.stderr
        assert statuses(roster) == {401}


def test_cache_reset_after_a_change_made_outside_the_app(app, demo, database_url, runner):
    assert _city(app, demo.slug) == "Paris"
    outside = sa.create_engine(flask_db_url(app), poolclass=sa.pool.NullPool)
    with outside.begin() as conn:  # psql, as it were: no NOTIFY, not through the app
        conn.execute(sa.text("UPDATE editions SET city = 'Porto' WHERE id = :id"), {"id": demo.id})
    outside.dispose()
    result = runner.invoke(args=["cache", "reset"])
    assert result.exit_code == 0, result.output
    assert _eventually(lambda: _city(app, demo.slug) == "Porto")


def flask_db_url(app) -> str:
    return app.config["SQLALCHEMY_DATABASE_URI"]


@pytest.mark.postgres
def test_only_writes_to_tables_something_is_kept_from_are_announced(app, demo):
    """A scan writes only the check-ins, which nothing is kept from: its commit costs no
    NOTIFY. A change to the edition is announced, naming its table."""
    if not production.SUITE_ON_POSTGRES:
        pytest.skip("PostgreSQL's NOTIFY (SQLite asks PRAGMA data_version)")
    import psycopg

    url = sa.engine.make_url(app.config["SQLALCHEMY_DATABASE_URI"]).set(drivername="postgresql")
    with psycopg.connect(url.render_as_string(hide_password=False), autocommit=True) as listening:
        listening.execute(f"LISTEN {data_versions.CHANNEL}")
        with app.app_context():
            flask_db.session.execute(sa.update(CheckIn).values(device="door 2"))
            flask_db.session.commit()
            flask_db.session.execute(
                sa.update(Edition).where(Edition.id == demo.id).values(city="Liège")
            )
            flask_db.session.commit()
        heard = [notice.payload for notice in listening.notifies(timeout=1.0)]
    assert heard == ["editions"]


@pytest.mark.postgres
def test_a_write_is_answered_once_its_news_has_come_back(app, demo, monkeypatch):
    """Two app servers: what one saved, the other shows at the next click. PostgreSQL
    tells every listening process of a commit at once, a moment after the commit
    returns: the process that wrote waits to hear its own news back before its request
    answers, so the next request, to another process, is not served what it kept."""
    if not production.SUITE_ON_POSTGRES:
        pytest.skip("PostgreSQL's NOTIFY (SQLite asks PRAGMA data_version)")
    versions = _kept(app).versions  # this process listens
    monkeypatch.setattr(data_versions, "ECHO_WAIT_SECONDS", 30.0)  # never cut short here
    with app.app_context():
        flask_db.session.execute(
            sa.update(Edition).where(Edition.id == demo.id).values(city="Liège")
        )
        backend = flask_db.session.connection().connection.driver_connection.info.backend_pid
        heard = versions.echoes(backend)
        flask_db.session.commit()  # the connection goes back to the pool: the answer
        assert versions.echoes(backend) == heard + 1
        # Nothing waits for a write that announced nothing (a scan: nothing is kept).
        flask_db.session.execute(sa.update(CheckIn).values(device="door 2"))
        flask_db.session.commit()
        assert versions.echoes(backend) == heard + 1


def test_a_value_kept_from_an_undeclared_table_is_refused(app):
    with app.app_context(), pytest.raises(ValueError, match="checkins"):
        keeping.keep(flask_db.session, "test", ("checkins",), 1, lambda: 1)


def _kept(app) -> keeping.Kept:
    """A store of this process, once it may keep (PostgreSQL: once it listens)."""
    with app.app_context():
        kept = keeping.Kept(data_versions.of_engine(flask_db.engine), ("editions",))
    assert _eventually(lambda: kept.versions.stamp(kept.tables) is not None)
    return kept


def test_a_value_asked_for_by_many_at_once_is_loaded_once(app):
    """After a change, every scanner of a process asks for the roster at once: one of
    them builds it while the others wait for it, rather than all building it."""

    kept = _kept(app)
    loads: list[int] = []
    release = threading.Event()

    def load() -> object:
        loads.append(1)
        release.wait(5)
        return object()

    with ThreadPoolExecutor(max_workers=8) as pool:
        asked = [pool.submit(kept.get, "roster", load) for _ in range(8)]
        assert _eventually(lambda: loads)
        time.sleep(0.2)  # the seven others are asking meanwhile
        release.set()
        values = [future.result(timeout=10) for future in asked]
    assert len(loads) == 1
    assert all(value is values[0] for value in values)


def test_when_the_one_loading_fails_those_waiting_load_it_themselves(app):

    kept = _kept(app)
    started, release = threading.Event(), threading.Event()

    def failing() -> object:
        started.set()
        release.wait(5)
        raise RuntimeError("the database went away")

    with ThreadPoolExecutor(max_workers=2) as pool:
        first = pool.submit(kept.get, "roster", failing)
        started.wait(5)
        second = pool.submit(kept.get, "roster", lambda: "built again")
        time.sleep(0.1)
        release.set()
        with pytest.raises(RuntimeError):
            first.result(timeout=10)
        assert second.result(timeout=10) == "built again"
    assert kept.get("roster", lambda: "not asked") == "built again"


def test_two_loads_asking_for_each_others_key_do_not_wait_for_each_other(app, monkeypatch):
    monkeypatch.setattr(keeping, "LOAD_WAIT_SECONDS", 30.0)
    kept = _kept(app)
    both_loading = threading.Barrier(2, timeout=5)

    def load(other: str):
        def inner() -> str:
            both_loading.wait()  # each has begun its own load
            return "with " + kept.get(other, lambda: other)

        return inner

    with ThreadPoolExecutor(max_workers=2) as pool:
        first = pool.submit(kept.get, "programme", load("people"))
        second = pool.submit(kept.get, "people", load("programme"))
        # Neither waits out LOAD_WAIT_SECONDS for the other (what each gets of the
        # other's key depends on who stored it first).
        assert first.result(timeout=10).startswith("with ")
        assert second.result(timeout=10).startswith("with ")


@pytest.mark.postgres
def test_a_commit_that_loses_the_server_is_told_as_the_database_being_unreachable(app, demo):
    """The commit goes with its notice (``NOTIFY …; COMMIT``): when the server is lost at
    that moment, the request is answered as for any lost database (``is_unreachable``:
    "try again shortly"), nothing is written, and the next request gets a new connection."""
    if not production.SUITE_ON_POSTGRES:
        pytest.skip("PostgreSQL's NOTIFY (SQLite asks PRAGMA data_version)")
    from school.database import is_unreachable

    with app.app_context():
        flask_db.session.execute(
            sa.update(Edition).where(Edition.id == demo.id).values(city="Liège")
        )
        backend = flask_db.session.connection().connection.driver_connection.info.backend_pid
        with flask_db.engine.connect() as other:
            # With a timeout: returns once the backend is gone, not when it is told to go.
            other.execute(sa.text("SELECT pg_terminate_backend(:pid, 5000)"), {"pid": backend})
        with pytest.raises(sa.exc.DBAPIError) as lost:
            flask_db.session.commit()
        assert is_unreachable(lost.value)
        assert lost.value.connection_invalidated  # not handed to the next request
        flask_db.session.rollback()
        city = flask_db.session.scalar(sa.select(Edition.city).where(Edition.id == demo.id))
    assert city != "Liège"
