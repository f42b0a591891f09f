"""How long each process may keep what it read between requests (``school.keeping``): as
long as the tables it was read from have not changed.

Every process holds a version number per table. A write through the app's engine (a
request, the CLI, the mail worker, a migration) notes the tables its statements touched;
when it commits, PostgreSQL is told (``NOTIFY school_data, 'table,table'``, delivered to
every listening process with the commit and only if it commits) and the writing process
raises those versions itself at once. Every process listens on a connection of its own
and reads what has arrived before each use of a kept value: reading the socket, not a
round trip to the database.

So a kept value (an edition, a bearer token's check, a feed's state) is used only while
the versions it was read under stand. In the writing process that holds from the commit
on; other processes hear of it as soon as PostgreSQL delivers the notification, a fraction
of a millisecond after the commit returns (tests/test_data_versions.py): a revoked token
or a changed programme is refused or rebuilt by the next request that comes after it.
If the listening connection is lost, nothing is kept until it is back (and every version
is raised: what was kept may be stale); it is tried every few seconds, so a connection cut
without a word is noticed too.

SQLite has no NOTIFY: there, a connection of the process's own asks ``PRAGMA
data_version``, which moves as soon as another connection (of this process or another)
has committed, and every version is raised then. Writes made outside the app (``psql``)
are not seen: ``flask cache reset`` afterwards tells every process.
"""

from __future__ import annotations

import contextlib
import os
import sqlite3
import threading
import weakref
from collections.abc import Iterable
from typing import Any

from sqlalchemy import event
from sqlalchemy.engine import Connection, Engine

from school.watched_tables import EVERYTHING, WATCHED, announced, check_watched

CHANNEL = "school_data"
LISTENER_CHECK_SECONDS = 5.0  # how often the listening connection is tried (a round trip)
LISTENER_CONNECT_SECONDS = 5.0  # the longest a process's first request waits for it
# The longest a write waits, once committed, to hear its own news back (``heard_back``).
ECHO_WAIT_SECONDS = 0.1
_TOUCHED = "school_touched"


class DataVersions:
    """The versions of one database's tables, as this process knows them."""

    def __init__(self, engine: Engine):
        self.engine = engine
        self._versions: dict[str, int] = {}
        self._epoch = 0  # raised when anything may have changed
        self._lock = threading.Lock()
        self._pid = os.getpid()
        self._listener: Any = None
        self._sqlite: sqlite3.Connection | None = None
        self._sqlite_version: int | None = None
        self.enabled = True
        # The stores of what this process keeps under these versions (``keeping``).
        self.stores: dict[str, Any] = {}
        # The database sessions of this process's own connections: the news of their
        # commits was taken into account when they committed, and is not taken twice
        # (it would make what was read since look stale).
        self.own_backends: set[int] = set()
        # How many of its own commits' news this process has heard back, by backend.
        self._echoes: dict[int, int] = {}
        self._echo = threading.Condition()
        _track_writes(engine, self)

    # --- what a cache asks ------------------------------------------------------------

    def stamp(self, tables: Iterable[str]) -> tuple | None:
        """The versions of these tables now, or None when nothing may be kept (the news
        of changes cannot be heard). Read it *before* reading what it will stamp.

        On PostgreSQL no system call, no lock: the listening thread raises the versions
        as the news comes (a call that waits lets the other threads of the process take
        their turn, which under load cost more than the rest of a kept answer)."""
        if not self.enabled:
            return None
        if self._pid != os.getpid():  # a forked child: its parent's connections are not its own
            with self._lock:
                if self._pid != os.getpid():
                    self._pid, self._listener, self._sqlite = os.getpid(), None, None
                    self.own_backends.clear()
                    self._epoch += 1
        if self.engine.dialect.name == "postgresql":
            listener = self._listener
            if listener is None:
                with self._lock:
                    if self._listener is None:
                        self._listener = _Listener(self)
                    listener = self._listener
                # Once per process: its first request waits for the connection (a few ms).
                listener.first_try.wait(LISTENER_CONNECT_SECONDS)
            if not listener.listening:
                return None
        elif self.engine.dialect.name == "sqlite":
            with self._lock:
                if not self._hear_sqlite():
                    return None
        else:
            return None
        return (self._epoch, *(self._versions.get(t, 0) for t in tables))

    def raise_versions(self, tables: Iterable[str]) -> None:
        with self._lock:
            self._raise(tables)

    def _raise(self, tables: Iterable[str]) -> None:
        for table in tables:
            if table == EVERYTHING:
                self._epoch += 1
            else:
                self._versions[table] = self._versions.get(table, 0) + 1

    # --- its own writes' news, heard back ---------------------------------------------

    def echoes(self, backend: int) -> int:
        """How many notices of this process's connection ``backend`` were heard back."""
        return self._echoes.get(backend, 0)

    def heard_back(self, backend: int) -> None:
        with self._echo:
            self._echoes[backend] = self._echoes.get(backend, 0) + 1
            self._echo.notify_all()

    def wait_heard_back(self, backend: int, count: int) -> bool:
        """Wait (``ECHO_WAIT_SECONDS`` at most) until the notice of ``backend``'s commit
        numbered ``count`` is heard back. PostgreSQL tells every listening process of a
        commit at once: once this one has heard it, the others have been told, and a
        request that wrote does not answer before they can know (two app servers: what
        one saved, the other shows to the next click). Before, the news could still be on
        its way when the answer arrived, and the next request, to another process, was
        served what it kept from before."""
        listener = self._listener
        if listener is None or not listener.listening:
            return False
        with self._echo:
            return self._echo.wait_for(lambda: self.echoes(backend) >= count, ECHO_WAIT_SECONDS)

    def forget_backend(self, backend: int | None) -> None:
        """A connection of this process closed: its number may be given to another."""
        self.own_backends.discard(backend)
        with self._echo:
            self._echoes.pop(backend, None)  # type: ignore[arg-type]

    # --- hearing about other processes' writes ----------------------------------------

    def _hear_sqlite(self) -> bool:
        database = self.engine.url.database
        if not database or database == ":memory:" or database.startswith("file:"):
            return False  # another connection would open another database
        try:
            if self._sqlite is None:
                self._sqlite = sqlite3.connect(database, check_same_thread=False)
            version = self._sqlite.execute("PRAGMA data_version").fetchone()[0]
        except sqlite3.Error:
            self._sqlite = None
            return False
        # Another connection committed: this one cannot tell what, so everything.
        if version != self._sqlite_version:
            self._sqlite_version = version
            self._epoch += 1
        return True

    def close(self) -> None:
        with self._lock:
            if self._listener is not None:
                self._listener.stop()
                self._listener = None
            if self._sqlite is not None:
                self._sqlite.close()
                self._sqlite = None


class _Listener:
    """A thread of the process that listens for the news of commits (PostgreSQL) and
    raises the versions as it comes. While it is not listening, nothing is kept; every
    time it starts listening (again), every version is raised."""

    def __init__(self, versions: DataVersions):
        self.versions = versions
        self.listening = False
        self.first_try = threading.Event()  # set once the first connection is made or failed
        self._stopped = threading.Event()
        self._connection: Any = None
        self._thread = threading.Thread(target=self._run, name="school-data-versions", daemon=True)
        self._thread.start()

    def stop(self) -> None:
        self._stopped.set()
        self.listening = False
        connection = self._connection
        if connection is not None:  # the thread's wait ends with an error, and it stops
            with contextlib.suppress(Exception):
                connection.close()

    def _run(self) -> None:
        import psycopg

        versions = self.versions
        url = versions.engine.url.set(drivername="postgresql")
        conninfo = url.render_as_string(hide_password=False)
        while not self._stopped.is_set():
            try:
                with psycopg.connect(conninfo, autocommit=True, connect_timeout=5) as connection:
                    self._connection = connection
                    connection.execute(f"LISTEN {CHANNEL}")
                    versions.raise_versions([EVERYTHING])  # what was kept before may be stale
                    self.listening = True
                    self.first_try.set()
                    while not self._stopped.is_set():
                        for notice in connection.notifies(timeout=LISTENER_CHECK_SECONDS):
                            if notice.pid in versions.own_backends:
                                versions.heard_back(notice.pid)
                            else:
                                versions.raise_versions(notice.payload.split(","))
                        # A connection cut without a word (no reset) would stay silent.
                        connection.execute("SELECT 1")
            except psycopg.Error:
                pass
            finally:
                self.listening = False
                self._connection = None
                versions.raise_versions([EVERYTHING])
                self.first_try.set()
            self._stopped.wait(1.0)


def _track_writes(engine: Engine, versions: DataVersions) -> None:
    @event.listens_for(engine, "before_cursor_execute")
    def _note_write(conn: Connection, _cursor, statement, _params, _context, _many):
        table = announced(statement)
        if table is not None:
            conn.info.setdefault(_TOUCHED, set()).add(table)

    @event.listens_for(engine, "commit")
    def _announce(conn: Connection):
        touched = conn.info.pop(_TOUCHED, None)
        if not touched:
            return
        # Before the commit as well as after it (``_after``): a value read in between is
        # stamped with the raised versions but may predate the commit; the second raise
        # (and PostgreSQL's own notice) makes it unreachable.
        versions.raise_versions(touched)
        conn.info.setdefault("school_committed", set()).update(touched)
        if conn.dialect.name == "postgresql":
            _notify_and_commit(conn, touched)

    def _notify_and_commit(conn: Connection, touched: set[str]) -> None:
        from psycopg import pq, sql

        driver = conn.connection.driver_connection
        if driver.info.transaction_status == pq.TransactionStatus.INERROR:
            return  # a failed transaction: its COMMIT is a rollback, nothing changed
        backend = driver.info.backend_pid
        # Counted before the commit: its notice may be heard as soon as it is sent.
        conn.info["school_echo"] = (backend, versions.echoes(backend) + 1)
        # On the driver's connection: this is the commit's own moment, not a statement of
        # the transaction the engine would track. Delivered only if it commits. The notice
        # and the COMMIT go as one query, in one round trip: a transaction holding locks (a
        # registration's seats) releases them without waiting on this process between the
        # two, which under load meant waiting for a core (bench/README.md, tenth round).
        # The engine's own COMMIT, which follows, finds no transaction and sends nothing;
        # should this one fail, its error is the commit's.
        try:
            driver.execute(
                sql.SQL("NOTIFY {}, {}; COMMIT").format(
                    sql.Identifier(CHANNEL), sql.Literal(",".join(sorted(touched)))
                )
            )
        except BaseException as exc:
            # Nothing was committed: no news to wait for, no versions to raise again.
            conn.info.pop("school_echo", None)
            conn.info.pop("school_committed", None)
            # As SQLAlchemy's own COMMIT fails (this event is called before its guard): the
            # error wrapped (a lost server is an OperationalError, ``is_unreachable``, and
            # its connection is dropped from the pool), not the driver's bare exception.
            conn._handle_dbapi_exception(exc, None, None, None, None)

    @event.listens_for(engine, "rollback")
    def _forget(conn: Connection):
        conn.info.pop(_TOUCHED, None)
        conn.info.pop("school_echo", None)

    @event.listens_for(engine, "checkin")
    def _after(_dbapi_connection, record):
        if record is None:
            return
        record.info.pop(_TOUCHED, None)
        committed = record.info.pop("school_committed", None)
        if committed:
            versions.raise_versions(committed)
        echo = record.info.pop("school_echo", None)
        if echo is not None:
            versions.wait_heard_back(*echo)

    if engine.dialect.name == "postgresql":

        @event.listens_for(engine, "connect")
        def _own(dbapi_connection, record):
            record.info["school_backend"] = dbapi_connection.info.backend_pid
            versions.own_backends.add(record.info["school_backend"])

        @event.listens_for(engine, "close")
        def _not_own(_dbapi_connection, record):
            # Its number may be given to another process's session now.
            versions.forget_backend(record.info.pop("school_backend", None))

        @event.listens_for(engine, "invalidate")
        def _lost(_dbapi_connection, record, _exc):
            versions.forget_backend(record.info.pop("school_backend", None))

    @event.listens_for(engine, "engine_disposed")
    def _disposed(_engine):
        versions.close()


_BY_ENGINE: weakref.WeakKeyDictionary[Engine, DataVersions] = weakref.WeakKeyDictionary()


def of_engine(engine: Engine) -> DataVersions | None:
    return _BY_ENGINE.get(engine)


def install(engine: Engine, *, enabled: bool = True) -> DataVersions:
    """Track the writes made through ``engine`` and let its readers keep values."""
    versions = _BY_ENGINE.get(engine)
    if versions is None:
        versions = _BY_ENGINE[engine] = DataVersions(engine)
    versions.enabled = enabled
    return versions


def stamp(db: Any, tables: Iterable[str]) -> tuple | None:
    """The versions of ``tables`` in this process (read it before what it stamps), or None
    when nothing may be kept."""
    tables = tuple(tables)
    check_watched(tables)
    versions = _BY_ENGINE.get(db.get_bind())
    return None if versions is None else versions.stamp(tables)


def announce_everything(connection: Connection) -> None:
    """Tell every process that anything may have changed (after a restore, or writes made
    outside the app): on ``connection``, delivered when it commits."""
    if connection.dialect.name == "postgresql":
        connection.exec_driver_sql(f"NOTIFY {CHANNEL}, '{EVERYTHING}'")
    versions = _BY_ENGINE.get(connection.engine)
    if versions is not None:
        versions.raise_versions([EVERYTHING])


def note_written(connection: Connection, *tables: str) -> None:
    """Note writes to ``tables`` by a statement that cannot be read for them (one that
    begins with something else): announced when ``connection`` commits, as if parsed."""
    noted = [t for t in tables if t in WATCHED]
    if noted:
        connection.info.setdefault(_TOUCHED, set()).update(noted)
