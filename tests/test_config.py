"""Configuration from defaults, instance/config.py and SCHOOL_* variables."""

from __future__ import annotations

import pytest
import sqlalchemy as sa

from school import create_app


def test_environment_variables_configure_the_app(monkeypatch, tmp_path):
    monkeypatch.setenv("SCHOOL_DATABASE_URL", "postgresql://someone@db.example/school")
    monkeypatch.setenv("SCHOOL_SECRET_KEY", "from-the-environment")
    monkeypatch.setenv("SCHOOL_RATELIMIT_ENABLED", "false")
    monkeypatch.setenv("SCHOOL_RATELIMIT_STORAGE_URL", "redis://127.0.0.1:6379/3")
    app = create_app()
    assert app.config["SQLALCHEMY_DATABASE_URI"] == "postgresql+psycopg://someone@db.example/school"
    assert app.config["SECRET_KEY"] == "from-the-environment"
    assert app.config["RATELIMIT_ENABLED"] is False
    assert app.config["RATELIMIT_STORAGE_URI"] == "redis://127.0.0.1:6379/3"


def test_default_is_sqlite_in_the_instance_folder_with_a_kept_secret(monkeypatch, tmp_path):
    monkeypatch.delenv("SCHOOL_DATABASE_URL", raising=False)
    monkeypatch.delenv("SCHOOL_SECRET_KEY", raising=False)
    from flask import Flask

    from school.config import load_config

    app = Flask("school", instance_path=str(tmp_path))
    load_config(app, None)
    assert app.config["SQLALCHEMY_DATABASE_URI"] == f"sqlite:///{tmp_path / 'school.db'}"
    secret = app.config["SECRET_KEY"]
    again = Flask("school", instance_path=str(tmp_path))
    load_config(again, None)
    assert again.config["SECRET_KEY"] == secret and len(secret) > 40


def test_instance_config_file_is_read(monkeypatch, tmp_path):
    monkeypatch.delenv("SCHOOL_MAIL_URL", raising=False)
    (tmp_path / "config.py").write_text('MAIL_URL = "smtp://mail.example:2525"\n')
    from flask import Flask

    from school.config import load_config

    app = Flask("school", instance_path=str(tmp_path), instance_relative_config=True)
    load_config(app, None)
    assert app.config["MAIL_URL"] == "smtp://mail.example:2525"


def test_postgresql_plans_are_never_compiled_for_a_request(app, engine):
    # JIT compiled a two-row read for 200 ms when a new table's statistics were not known.
    if engine.dialect.name != "postgresql":
        pytest.skip("PostgreSQL's JIT (SQLite has none)")
    with engine.connect() as connection:
        assert connection.exec_driver_sql("SHOW jit").scalar() == "off"


def test_seats_are_counted_in_read_committed_whatever_the_databases_default(app, engine):
    """Seats are counted by a statement sent after their locks' (registration/seats.py):
    in READ COMMITTED it sees what whoever held them committed. Under a database whose
    default is REPEATABLE READ it would count from the transaction's first snapshot and
    oversell: the app's connections set their own level."""
    if engine.dialect.name != "postgresql":
        pytest.skip("SQLite has one writer at a time")
    alter = f'ALTER DATABASE "{engine.url.database}"'
    with engine.connect().execution_options(isolation_level="AUTOCOMMIT") as admin:
        admin.exec_driver_sql(f"{alter} SET default_transaction_isolation = 'repeatable read'")
        try:
            fresh = sa.create_engine(engine.url, **app.config["SQLALCHEMY_ENGINE_OPTIONS"])
            with fresh.connect() as connection:
                level = connection.exec_driver_sql("SHOW transaction_isolation").scalar()
            fresh.dispose()
        finally:
            admin.exec_driver_sql(f"{alter} RESET default_transaction_isolation")
    assert level == "read committed"
