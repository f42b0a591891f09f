"""The database of a test process: SQLite by default, PostgreSQL when
``SCHOOL_DATABASE_URL`` points at a server (CI runs the suite on both). Each process
(each xdist worker) has its own, built by the Alembic migrations themselves."""

from __future__ import annotations

import os
import re
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

import sqlalchemy as sa
from flask_migrate import upgrade

from school import create_app
from school.config import database_uri
from school.extensions import db as _db
from school.models import Base

BASE_URL = os.environ.get("SCHOOL_DATABASE_URL", "")
IS_POSTGRES = BASE_URL.startswith(("postgres://", "postgresql"))


@contextmanager
def process_database(folder: Path) -> Iterator[str]:
    """The URL of a fresh, migrated database for this process: a file in ``folder``, or
    on PostgreSQL a database named after the worker, dropped afterwards."""
    if not IS_POSTGRES:
        url = f"sqlite:///{folder / 'school.db'}"
        _migrate(url)
        yield url
        return
    base = sa.engine.make_url(database_uri(BASE_URL, Path()))
    worker = os.environ.get("PYTEST_XDIST_WORKER", "main")
    name = re.sub(r"\W", "_", f"{base.database}_{worker}")
    _recreate(base, name, again=True)
    url = base.set(database=name).render_as_string(hide_password=False)
    _migrate(url)
    try:
        yield url
    finally:
        _recreate(base, name, again=False)


@contextmanager
def scratch_database(folder: Path, label: str) -> Iterator[str]:
    """The URL of an empty database beside the process's, for a test that runs the
    migrations itself: a file in ``folder``, or on PostgreSQL a database dropped after."""
    if not IS_POSTGRES:
        yield f"sqlite:///{folder / f'{label}.db'}"
        return
    base = sa.engine.make_url(database_uri(BASE_URL, Path()))
    worker = os.environ.get("PYTEST_XDIST_WORKER", "main")
    name = re.sub(r"\W", "_", f"{base.database}_{label}_{worker}")
    _recreate(base, name, again=True)
    try:
        yield base.set(database=name).render_as_string(hide_password=False)
    finally:
        _recreate(base, name, again=False)


def _recreate(base: sa.URL, name: str, *, again: bool) -> None:
    admin = sa.create_engine(base.set(database="postgres"), isolation_level="AUTOCOMMIT")
    with admin.connect() as conn:
        conn.exec_driver_sql(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
        if again:
            conn.exec_driver_sql(f'CREATE DATABASE "{name}"')
    admin.dispose()


def _migrate(url: str) -> None:
    app = create_app({"DATABASE_URL": url, "SECRET_KEY": "test"})
    with app.app_context():
        upgrade()
        _db.engine.dispose()


def empty_tables(engine: sa.Engine) -> None:
    # DELETE, not TRUNCATE: on tables this small it is many times faster on PostgreSQL.
    with engine.begin() as conn:
        for table in reversed(Base.metadata.sorted_tables):
            conn.execute(table.delete())
