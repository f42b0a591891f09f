"""Every test gets a real database (tests/support/database.py), emptied after it; the
demo edition is copied in for the tests that ask for it (tests/support/demo.py).
What tests share beyond these fixtures lives in tests/support/."""

from __future__ import annotations

import pytest
import sqlalchemy as sa
import sqlalchemy.orm

from school import create_app
from school.extensions import db as _db
from school.services.mail import outbox
from tests.support.browser import browser, phone, playwright_instance  # noqa: F401 - fixtures
from tests.support.database import empty_tables, process_database
from tests.support.demo import DemoCopy, import_demo
from tests.support.queries import QueryCounter
from tests.support.security_world import world  # noqa: F401 - fixture
from tests.support.servers import LiveServer, SmtpServer


@pytest.hookimpl(tryfirst=True)  # before ``-m`` deselects
def pytest_collection_modifyitems(items):
    """Every test that drives chromium (all the browser fixtures start from
    ``playwright_instance``) is marked ``browser``, so ``-m "not browser"`` leaves out
    every one, including tests written after this."""
    for item in items:
        if "playwright_instance" in getattr(item, "fixturenames", ()):
            item.add_marker(pytest.mark.browser)


@pytest.fixture(scope="session")
def database_url(tmp_path_factory) -> str:
    """A fresh, migrated database for this test process."""
    with process_database(tmp_path_factory.mktemp("db")) as url:
        yield url


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
        # Where the site lives, as production says: mail written by the sender, outside
        # any request, links to the same address as the test client's requests.
        "BASE_URL": "http://localhost",
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
        empty_tables(_db.engine)
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


@pytest.fixture(scope="session")
def demo_copy(database_url) -> DemoCopy:
    """The demo's rows, imported once in this test process."""
    app = create_app({"DATABASE_URL": database_url, "SECRET_KEY": "test"})
    with app.app_context():
        copy = DemoCopy.capture(_db.engine)
        _db.engine.dispose()
    return copy


@pytest.fixture
def demo(demo_copy, engine, db):
    """The Spring School 2019, as ``demo load`` imports it: its rows copied in, or
    imported when the test already wrote rows where the copy would go."""
    return demo_copy.restore(engine) or import_demo(db)


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
