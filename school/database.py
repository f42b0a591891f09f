"""The declarative base, column types and the database-specific parts of locking.

Times are stored as naive UTC (``UTCDateTime``) so SQLite and PostgreSQL behave
alike; Python code only ever sees timezone-aware UTC datetimes.
"""

from __future__ import annotations

import functools
import re
import select
from collections.abc import Iterator
from contextlib import contextmanager
from contextvars import ContextVar
from datetime import UTC, datetime
from time import monotonic
from typing import Any

import sqlalchemy as sa
from sqlalchemy import event
from sqlalchemy.engine import Engine
from sqlalchemy.orm import (
    MANYTOONE,
    DeclarativeBase,
    Session,
    make_transient_to_detached,
    scoped_session,
)

NAMING_CONVENTION = {
    "ix": "ix_%(table_name)s_%(column_0_N_name)s",
    "uq": "uq_%(table_name)s_%(column_0_N_name)s",
    "ck": "ck_%(table_name)s_%(constraint_name)s",
    "fk": "fk_%(table_name)s_%(column_0_name)s_%(referred_table_name)s",
    "pk": "pk_%(table_name)s",
}


class Base(DeclarativeBase):
    metadata = sa.MetaData(naming_convention=NAMING_CONVENTION)


# Ids are the databases' 32-bit integers: a larger number names no row, and sent to the
# database it would overflow (an error, not an empty answer). URLs and JSON bodies check it.
MAX_ID = 2**31 - 1


def is_id(value: object) -> bool:
    return isinstance(value, int) and not isinstance(value, bool) and 0 < value <= MAX_ID


def as_id(value: object) -> int | None:
    """The id a form field or query holds, or None (not a number, or no row could have it)."""
    try:
        number = int(value)  # type: ignore[call-overload]
    except (TypeError, ValueError):
        return None
    return number if is_id(number) else None


def utcnow() -> datetime:
    return datetime.now(UTC)


class Written(str):
    """A value a rule compares a column with (``CheckIn.is_standing``): in Python the string
    itself; in SQL written into the statement, not sent as a parameter.

    PostgreSQL plans a prepared statement once for all its executions only if that plan
    is about as good as one made for the values at hand. Against a parameter it cannot use
    a partial index whose condition names the value (``uq_checkins_one_ok_per_checkpoint``),
    so it planned the scan's read anew at every scan: 0.38 ms of the database's CPU a
    read, 0.13 once planned (bench/README.md, fourteenth round). SQLite too uses such an
    index only for a condition that names the value."""

    __slots__ = ()

    def __new__(cls, value: str) -> Written:
        if not re.fullmatch(r"[a-z_]+", value):  # a word of the vocabulary: nothing to escape
            raise ValueError(f"{value!r} is not a word to write into SQL")
        return super().__new__(cls, value)

    def __clause_element__(self) -> sa.ColumnElement[str]:
        return sa.literal_column(f"'{self}'", sa.String())


def is_unreachable(exc: BaseException) -> bool:
    """Whether ``exc`` says the database could not be reached (or dropped the connection):
    worth trying again shortly, unlike an error in what was asked."""
    return isinstance(exc, sa.exc.OperationalError) or (
        isinstance(exc, sa.exc.DBAPIError) and exc.connection_invalidated
    )


class UTCDateTime(sa.types.TypeDecorator):
    impl = sa.DateTime
    cache_ok = True

    def process_bind_param(self, value, dialect):
        if value is None:
            return None
        if value.tzinfo is None:
            raise ValueError("naive datetime given to a UTC column")
        return value.astimezone(UTC).replace(tzinfo=None)

    def process_result_value(self, value, dialect):
        if value is None:
            return None
        return value.replace(tzinfo=UTC)


# A pooled connection unused for this long is tried before it is handed out: the database
# may have restarted meanwhile. One used a moment ago is tried only if the server has sent
# it something since (a restart says goodbye): not a round trip per request.
IDLE_PING_SECONDS = 10.0

# Set while a caller that sends its first statement again on another connection if the
# server is gone takes a connection (``unchecked_checkout``): the check is left to it.
_CHECKED_BY_CALLER: ContextVar[bool] = ContextVar("checked_by_caller", default=False)


@contextmanager
def unchecked_checkout() -> Iterator[None]:
    """Connections taken from a pool in this block are not checked if they were returned
    moments ago: the caller finds a server gone at its first statement, and sends it again
    on another connection (``school.bare_statements``)."""
    token = _CHECKED_BY_CALLER.set(True)
    try:
        yield
    finally:
        _CHECKED_BY_CALLER.reset(token)


def configure_engine(engine: Engine) -> None:
    """PostgreSQL: connections idle for a while are pinged before use. SQLite: foreign
    keys on, WAL, a busy timeout, and transactions we begin ourselves so a writer can
    take the write lock first (``BEGIN IMMEDIATE``)."""
    if engine.dialect.name == "postgresql":
        _ping_idle_connections(engine)
    if engine.dialect.name != "sqlite":
        return

    @event.listens_for(engine, "connect")
    def _on_connect(dbapi_connection, _record):
        dbapi_connection.isolation_level = None  # we emit BEGIN ourselves
        cursor = dbapi_connection.cursor()
        cursor.execute("PRAGMA foreign_keys = ON")
        cursor.execute("PRAGMA busy_timeout = 30000")
        if engine.url.database not in (None, "", ":memory:"):
            cursor.execute("PRAGMA journal_mode = WAL")
            cursor.execute("PRAGMA synchronous = NORMAL")
        cursor.close()
        # SQLite's lower() folds ASCII letters only: a search for "смир" or "łukasiewicz"
        # found nobody, where PostgreSQL finds them. No index is built on it.
        dbapi_connection.create_function("lower", 1, _lower, deterministic=True)

    @event.listens_for(engine, "begin")
    def _on_begin(conn):
        immediate = conn.get_execution_options().get("sqlite_immediate", False)
        conn.info["sqlite_immediate"] = immediate
        conn.info["sqlite_wrote"] = False
        conn.exec_driver_sql("BEGIN IMMEDIATE" if immediate else "BEGIN")

    @event.listens_for(engine, "before_cursor_execute")
    def _on_execute(conn, _cursor, statement, _params, _context, _many):
        if not statement.lstrip()[:6].upper().startswith(("SELECT", "PRAGMA", "BEGIN")):
            conn.info["sqlite_wrote"] = True


def _lower(value: object) -> object:
    return value.lower() if isinstance(value, str) else value


def _ping_idle_connections(engine: Engine) -> None:
    @event.listens_for(engine, "checkin")
    def _note_return(_dbapi_connection, record):
        if record is not None:
            record.info["school_returned_at"] = monotonic()

    @event.listens_for(engine, "checkout")
    def _ping_if_idle(dbapi_connection, record, _proxy):
        returned = record.info.get("school_returned_at")
        recent = returned is not None and monotonic() - returned < IDLE_PING_SECONDS
        if recent and (_CHECKED_BY_CALLER.get() or not _has_unread_input(dbapi_connection)):
            return
        try:
            dbapi_connection.execute("SELECT 1")
            dbapi_connection.rollback()
        except Exception as exc:  # any failure: the pool replaces it and tries another
            raise sa.exc.DisconnectionError() from exc


def _has_unread_input(dbapi_connection) -> bool:
    """Whether the server sent something to a connection at rest: its farewell when it shut
    down or restarted (or the socket's end). One system call, no round trip."""
    try:
        readable, _, _ = select.select([dbapi_connection.pgconn.socket], [], [], 0)
    except (OSError, ValueError, AttributeError):
        return True
    return bool(readable)


def engine_of(db: Session | scoped_session) -> Engine:
    """The engine ``db`` runs on. The app's scoped session is not made to make its session
    for the question: a scan sent alone reads only what the process keeps and runs its
    statements on the bare driver, and making and closing a session it never used was 5%
    of its CPU (bench/README.md, fourteenth round)."""
    if isinstance(db, scoped_session) and not db.registry.has():
        owner = db.session_factory.kw.get("db")  # Flask-SQLAlchemy's, one engine
        if owner is not None:
            return owner.engine
    return db.get_bind()


def begin_write(session: Session) -> None:
    """Make the current transaction a writer before it reads what it will decide on.

    PostgreSQL locks rows (``SELECT … FOR UPDATE``, see ``lock_edition``). SQLite has
    one writer at a time: a transaction that read under a deferred BEGIN cannot
    safely become a writer later, so we start it as ``BEGIN IMMEDIATE``. If it had
    only read so far, it is rolled back and begun again, which loses nothing.
    """
    if engine_of(session).dialect.name != "sqlite":
        return
    if isinstance(session, scoped_session):
        session = session()
    if session.in_transaction():
        info = session.connection().info
        if info.get("sqlite_immediate"):
            return
        if info.get("sqlite_wrote") or session.new or session.dirty or session.deleted:
            raise RuntimeError("begin_write() must come before any change in the transaction")
        session.rollback()
    session.connection(execution_options={"sqlite_immediate": True})


def lock_rows(session: Session, stmt: sa.Select, of=None) -> sa.Select:
    """``FOR UPDATE`` where the database has it (SQLite's lock is begin_write's); ``of``
    names the table to lock when the statement joins others (eager loads)."""
    if session.get_bind().dialect.name == "postgresql":
        return stmt.with_for_update(of=of)
    return stmt


def insert_new(session: Session, model: type, key: str) -> sa.Insert:
    """``INSERT`` that adds nothing when a row with the same unique ``key`` exists
    (``ON CONFLICT DO NOTHING``, both databases): with ``RETURNING``, an empty answer
    says the row was there, without an error to recover from in a savepoint."""
    if isinstance(session, scoped_session):
        session = session()
    return insert_new_on(session.get_bind().dialect.name, model, key)


def insert_new_on(dialect: str, model: Any, key: str | tuple[str, ...]) -> sa.Insert:
    """``insert_new`` for a kind of database (``postgresql``, ``sqlite``): for statements
    built once. ``key``: a unique column, or the columns of a unique key."""
    if dialect == "postgresql":
        from sqlalchemy.dialects.postgresql import insert
    else:
        from sqlalchemy.dialects.sqlite import insert
    columns = [key] if isinstance(key, str) else list(key)
    return insert(model).on_conflict_do_nothing(index_elements=columns)


def write_now(
    session: Session, instance: Any, *collections: str, unless_taken: tuple[str, ...] = ()
) -> bool:
    """Write a new object's row, and those of the new objects in its one-to-many
    ``collections``, by ``INSERT … RETURNING`` at once, and hand them to the session as if
    loaded. The unit of work's flush (ordering, events, bookkeeping) costs a registration
    more CPU than its rows' statements do; this is for the writes every registration makes.
    Columns left unset take their defaults (read back); a many-to-one relationship given
    instead of its key gives the key.

    With ``unless_taken`` (the columns of a unique key), nothing is written when a row
    already holds that key (``ON CONFLICT DO NOTHING``, on either database): returns
    False, and the object stays as it was, new. One statement where a look-up then an
    insert took two."""
    if not _write_rows(session, [instance], unless_taken):
        return False
    written = [instance]
    for name in collections:
        relationship = sa.inspect(instance).mapper.relationships[name]
        children = list(getattr(instance, name))
        for child in children:
            for local, remote in relationship.local_remote_pairs:
                setattr(child, remote.key, getattr(instance, local.key))
        if children:
            _write_rows(session, children)
        written += children
    for item in written:  # once all are written: nothing left for a flush
        make_transient_to_detached(item)
    session.add(instance)
    return True


def _write_rows(session: Session, instances: list[Any], unless_taken: tuple[str, ...] = ()) -> bool:
    mapper = sa.inspect(instances[0]).mapper
    params = [_row_values(sa.inspect(instance)) for instance in instances]
    # Every row names the same columns: one statement (executemany), rows in order.
    connection = session.connection()  # a Core statement needs none of the ORM session's
    statement = _insert_returning(mapper.local_table, connection.dialect.name, unless_taken)
    rows = connection.execute(statement, params if len(params) > 1 else params[0]).all()
    if not rows:
        return False
    for instance, row in zip(instances, rows, strict=True):
        values = row._mapping
        state = sa.inspect(instance)
        for prop in mapper.column_attrs:
            state.dict[prop.key] = values[prop.columns[0]]
    return True


def _row_values(state: Any) -> dict[str, Any]:
    values = {
        prop.columns[0].key: state.dict[prop.key]
        for prop in state.mapper.column_attrs
        if prop.key in state.dict
    }
    for relationship in state.mapper.relationships:
        related = state.dict.get(relationship.key)
        if relationship.direction is MANYTOONE and related is not None:
            for local, remote in relationship.local_remote_pairs:
                values[local.key] = getattr(related, remote.key)
    return values


@functools.cache
def _insert_returning(table: sa.Table, dialect: str, unless_taken: tuple[str, ...]) -> sa.Insert:
    """Built once per table and key (compiled once per set of columns given)."""
    insert = insert_new_on(dialect, table, unless_taken) if unless_taken else sa.insert(table)
    return insert.returning(*table.c, sort_by_parameter_order=True)


def plain_rows(connection: sa.Connection, statement: sa.Select) -> list[tuple]:
    """Every row of ``statement`` as a plain tuple, each column converted as SQLAlchemy
    converts it on this database (its type's result processor: SQLite keeps dates as
    text, booleans as numbers).

    For the reads of tens of thousands of rows at once (the roster: 55,000 for 10,000
    people): SQLAlchemy still compiles and runs the statement (its cache, its events),
    only the making of a ``Row`` for each is skipped, which cost more than the
    database's own work (bench/README.md, ninth round)."""
    result = connection.execute(statement)
    try:
        description = result.cursor.description
        rows = result.cursor.fetchall()
    finally:
        result.close()
    dialect = connection.dialect
    processors = [
        column.type.dialect_impl(dialect).result_processor(dialect, described[1])
        for column, described in zip(statement.selected_columns, description, strict=True)
    ]
    if not any(processors):
        return rows
    return [
        tuple(
            value if convert is None else convert(value)
            for convert, value in zip(processors, row, strict=True)
        )
        for row in rows
    ]


def render_migration_item(type_, obj, _autogen_context):
    """Alembic autogenerate: migrations store UTCDateTime as a plain DateTime."""
    if type_ == "type" and isinstance(obj, UTCDateTime):
        return "sa.DateTime()"
    return False
