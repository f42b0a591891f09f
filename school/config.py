"""Configuration: defaults here, then ``instance/config.py``, then ``SCHOOL_*``
environment variables, then what the caller of ``create_app`` passes (tests)."""

from __future__ import annotations

import secrets
from datetime import timedelta
from pathlib import Path
from typing import Any

from flask import Flask

from school.models.vocabulary import BACKOFFICE_LANGUAGES, LANGUAGES


class Defaults:
    DATABASE_URL: str | None = None  # None: SQLite in the instance folder
    SECRET_KEY: str | None = None  # None: a random key kept in instance/secret_key
    MAIL_URL: str | None = None  # smtp://host:port; None: .eml files in instance/outbox/
    # The From address of every message (the one SPF and DKIM vouch for). A message about
    # an edition is named after it and has Reply-To its contact address.
    MAIL_SENDER = "Spring School <no-reply@citesdesmetiers.example>"
    MAIL_TIMEOUT = 10  # seconds before a mail server is considered down
    # Links in e-mails sent outside a request (CLI, mail worker): where the site lives.
    BASE_URL: str | None = None
    # Badge keys (school/services/badges/tokens.py): the key id new badges are signed with, and
    # the key ids still accepted (a list, keys derived from SECRET_KEY, or a mapping of key
    # id to a secret of its own); None: only BADGE_KEY_ID. Key ids: 1-4 of 0-9 A-Z.
    BADGE_KEY_ID = "K1"
    BADGE_KEYS: list[str] | dict[str, str] | None = None
    RATELIMIT_ENABLED = True
    # memory:// counts in each worker process alone; production: redis://… (deploy guide).
    RATELIMIT_STORAGE_URL = "memory://"
    # Failed logins to one account, whatever the addresses they come from (each address
    # also has its own limit): Flask-Limiter's notation.
    LOGIN_LIMIT_PER_ACCOUNT = "5 per minute;30 per hour"
    # An organiser's login session ends after this long without a request, and this long
    # after it began whatever happens (remember-me cookies included).
    STAFF_SESSION_IDLE_HOURS = 8
    STAFF_SESSION_MAX_DAYS = 7
    RATELIMIT_HEADERS_ENABLED = True
    BABEL_DEFAULT_LOCALE = "fr"
    BABEL_DEFAULT_TIMEZONE = "UTC"
    LANGUAGES = LANGUAGES
    BACKOFFICE_LANGUAGES = BACKOFFICE_LANGUAGES
    WTF_CSRF_TIME_LIMIT = None  # a registration form may stay open for a long time
    SESSION_COOKIE_HTTPONLY = True
    SESSION_COOKIE_SAMESITE = "Lax"
    REMEMBER_COOKIE_HTTPONLY = True
    REMEMBER_COOKIE_SAMESITE = "Lax"
    PREFERRED_URL_SCHEME = "http"  # behind a TLS proxy, set it to https
    # How many proxies (nginx: 1) stand in front of the app and set X-Forwarded-For,
    # -Proto, -Host and -Port: the app then builds https links and sees the client's
    # address (rate limits are per client). 0: those headers are ignored, as anyone
    # could send them.
    PROXY_FIX = 0
    SQLALCHEMY_ENGINE_OPTIONS: dict[str, Any] = {}
    JSON_SORT_KEYS = False
    MAX_CONTENT_LENGTH = 1 * 1024 * 1024
    # Editions, token checks and feed states kept by each process while their tables do not
    # change (school/data_versions.py); off: every request reads them again.
    KEEP_BETWEEN_REQUESTS = True
    # A calendar app's revalidation of a kept agenda, and the kept programme page for a
    # visitor without a cookie, answered in front of Flask (school/web/front.py); off:
    # the views answer every request.
    ANSWER_IN_FRONT = True
    RENDER_CACHE_BYTES = 16 * 1024 * 1024  # feeds, timetable, programme JSON kept per process
    # Change notices go by themselves once nobody has edited the programme for this long.
    CHANGE_NOTICE_QUIET_MINUTES = 10
    # At most one "your private link" e-mail per address this often, however often the
    # form, the API or "I lost my link" ask for it (no flooding someone's inbox).
    LINK_EMAIL_INTERVAL_MINUTES = 5
    ATTENDANCE_REFRESH_SECONDS = 30  # how often the organisers' attendance page updates itself


def load_config(app: Flask, overrides: dict[str, Any] | None) -> None:
    app.config.from_object(Defaults)
    app.config.from_pyfile("config.py", silent=True)
    app.config.from_prefixed_env("SCHOOL")
    if overrides:
        app.config.update(overrides)

    app.config["SQLALCHEMY_DATABASE_URI"] = database_uri(
        app.config.get("DATABASE_URL"), Path(app.instance_path)
    )
    if app.config["SQLALCHEMY_DATABASE_URI"].startswith("postgresql"):
        # A connection dropped by a database restart is noticed and replaced, so the app
        # recovers by itself when the database comes back: school.database pings a
        # connection that has been idle a while (not every one, which cost a round trip
        # per request).
        options = dict(app.config["SQLALCHEMY_ENGINE_OPTIONS"])
        # No JIT: our queries are short, and on a table whose statistics are not known
        # yet (a new edition's, before autovacuum's first ANALYZE) the planner's guess
        # made compiling a two-row read take 200 ms.
        # READ COMMITTED whatever the database's default: seats are counted by a statement
        # sent after their locks' (school/services/registration/seats.py), which must see
        # what the one before committed; a transaction's first snapshot would oversell.
        session = r"-c jit=off -c default_transaction_isolation=read\ committed"
        options.setdefault("connect_args", {"connect_timeout": 5, "options": session})
        app.config["SQLALCHEMY_ENGINE_OPTIONS"] = options
    # Flask-Limiter's own name for the storage setting.
    app.config["RATELIMIT_STORAGE_URI"] = app.config["RATELIMIT_STORAGE_URL"]
    # A remember-me cookie (Flask-Login's) lives no longer than a login session, and
    # travels over HTTPS only when the session cookie does.
    app.config["REMEMBER_COOKIE_DURATION"] = timedelta(
        days=float(app.config["STAFF_SESSION_MAX_DAYS"])
    )
    app.config.setdefault("REMEMBER_COOKIE_SECURE", app.config.get("SESSION_COOKIE_SECURE", False))
    if not app.config.get("SECRET_KEY"):
        app.config["SECRET_KEY"] = _instance_secret(Path(app.instance_path))


def database_uri(url: str | None, instance: Path) -> str:
    if not url:
        return f"sqlite:///{instance / 'school.db'}"
    # psycopg 3 is the driver we install; accept the common spellings of a PostgreSQL URL.
    for prefix in ("postgres://", "postgresql://"):
        if url.startswith(prefix):
            return "postgresql+psycopg://" + url[len(prefix) :]
    return url


def _instance_secret(instance: Path) -> str:
    """A development key that survives restarts, so sessions and badges stay valid."""
    instance.mkdir(parents=True, exist_ok=True)
    path = instance / "secret_key"
    if path.exists():
        return path.read_text().strip()
    key = secrets.token_urlsafe(48)
    path.write_text(key)
    path.chmod(0o600)
    return key
