"""Every test gets a real database: SQLite by default, PostgreSQL when
``SCHOOL_DATABASE_URL`` points at a server (CI runs the suite on both).

The schema is built once per test process by the Alembic migrations themselves,
and emptied after each test.
"""

from __future__ import annotations

import os
import re
from dataclasses import dataclass
from pathlib import Path
from zoneinfo import ZoneInfo

import pytest
import sqlalchemy as sa
import sqlalchemy.orm

from school import create_app
from school.config import database_uri
from school.extensions import db as _db
from school.models import Base
from school.services.mail import outbox
from tests.support.browser import browser, phone, playwright_instance  # noqa: F401 - fixtures
from tests.support.queries import QueryCounter
from tests.support.security_world import world  # noqa: F401 - fixture
from tests.support.servers import LiveServer, SmtpServer

BASE_URL = os.environ.get("SCHOOL_DATABASE_URL", "")
IS_POSTGRES = BASE_URL.startswith(("postgres://", "postgresql"))


@pytest.hookimpl(tryfirst=True)  # before ``-m`` deselects
def pytest_collection_modifyitems(items):
    """Every test that drives chromium (all the browser fixtures start from
    ``playwright_instance``) is marked ``browser``, so ``-m "not browser"`` leaves out
    every one, including tests written after this."""
    for item in items:
        if "playwright_instance" in getattr(item, "fixturenames", ()):
            item.add_marker(pytest.mark.browser)


def _worker() -> str:
    return os.environ.get("PYTEST_XDIST_WORKER", "main")


@pytest.fixture(scope="session")
def database_url(tmp_path_factory) -> str:
    """A fresh, migrated database for this test process."""
    if IS_POSTGRES:
        url = sa.engine.make_url(database_uri(BASE_URL, Path()))
        name = re.sub(r"\W", "_", f"{url.database}_{_worker()}")
        admin = sa.create_engine(url.set(database="postgres"), isolation_level="AUTOCOMMIT")
        with admin.connect() as conn:
            conn.exec_driver_sql(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
            conn.exec_driver_sql(f'CREATE DATABASE "{name}"')
        admin.dispose()
        test_url = url.set(database=name).render_as_string(hide_password=False)
    else:
        test_url = f"sqlite:///{tmp_path_factory.mktemp('db') / 'school.db'}"
    app = create_app({"DATABASE_URL": test_url, "SECRET_KEY": "test"})
    with app.app_context():
        from flask_migrate import upgrade

        upgrade()
        _db.engine.dispose()
    yield test_url
    if IS_POSTGRES:
        admin = sa.create_engine(url.set(database="postgres"), isolation_level="AUTOCOMMIT")
        with admin.connect() as conn:
            conn.exec_driver_sql(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
        admin.dispose()


def _empty_tables() -> None:
    # DELETE, not TRUNCATE: on tables this small it is many times faster on PostgreSQL.
    tables = [t.name for t in Base.metadata.sorted_tables]
    with _db.engine.begin() as conn:
        for table in reversed(tables):
            conn.exec_driver_sql(f'DELETE FROM "{table}"')  # noqa: S608 - our own tables


@pytest.fixture
def app_config(database_url, tmp_path) -> dict:
    """What a test's app is made with; tests may change it before asking for ``app``."""
    return {
        "DATABASE_URL": database_url,
        "SECRET_KEY": "test-secret-key",
        "TESTING": True,
        "RATELIMIT_ENABLED": False,
        "MAIL_URL": None,
        # Tests that send mail ask for the ``smtp`` fixture, which turns this on.
        "MAIL_SEND_AFTER_REQUEST": False,
        "PREFERRED_URL_SCHEME": "http",
    }


@pytest.fixture
def app(app_config, tmp_path):
    """The application. No app context stays pushed: like in production, each
    request (and each ``with app.app_context()`` of a test) gets its own."""
    app = create_app(app_config)
    app.instance_path = str(tmp_path / "instance")
    yield app
    with app.app_context():
        _db.session.remove()
        _empty_tables()
        _db.engine.dispose()


@pytest.fixture
def engine(app):
    with app.app_context():
        return _db.engine


@pytest.fixture
def db(engine):
    """The test's own database session, apart from the ones requests use. To see what
    requests wrote since this session last read, end its transaction: ``db.rollback()``
    (SQLite keeps a reader on the snapshot its transaction started with)."""
    session = sa.orm.Session(engine, expire_on_commit=False)
    yield session
    session.close()


@pytest.fixture
def client(app):
    return app.test_client()


@pytest.fixture
def runner(app):
    return app.test_cli_runner()


@dataclass(frozen=True)
class EditionRef:
    """What tests need of an edition, as plain values: reading them never touches the
    database (an ORM object could reload itself and pin an old SQLite snapshot)."""

    id: int
    slug: str
    timezone: str
    dates: tuple

    @property
    def tz(self) -> ZoneInfo:
        return ZoneInfo(self.timezone)


@pytest.fixture
def demo(app, db):
    """The Spring School 2019, as ``demo load`` imports it."""
    from school.paths import DEMO_FILE
    from school.services.programme import importer

    edition = importer.import_file(db, DEMO_FILE)
    db.commit()
    return EditionRef(edition.id, edition.slug, edition.timezone, tuple(edition.dates))


@pytest.fixture
def count_queries(engine):
    return QueryCounter(engine)


@pytest.fixture
def smtp(app):
    """A real SMTP server on localhost; the app sends its mail there."""
    server = SmtpServer().start()
    app.config["MAIL_URL"] = server.url
    app.config["MAIL_SEND_AFTER_REQUEST"] = True
    yield server
    outbox.wait_idle()
    server.stop()


@pytest.fixture
def live_server(app):
    server = LiveServer(app).start()
    app.config["BASE_URL"] = server.url
    yield server
    server.stop()
