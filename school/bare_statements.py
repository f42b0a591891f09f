"""Statements run on the bare driver (psycopg), each committing on its own, for the one path
where SQLAlchemy's work around two small statements cost more than PostgreSQL's: a scan
sent alone at the door (bench/README.md, thirteenth round: 0.31 ms of the client's CPU
for its read and its insert this way, 0.75 ms through the ORM session's transaction).

The statements are still SQLAlchemy's, compiled once for the database: their text, their
parameters' defaults and their types' conversions (a UTC time stored without its zone) are
SQLAlchemy's own, so a statement is written once whichever way it runs. A write to a table
that processes keep values from is refused: only SQLAlchemy's commits announce it
(``school.data_versions``). The driver's errors reach the caller as SQLAlchemy's
(``school.database.is_unreachable`` tells a lost server, which the pool then forgets), as
if SQLAlchemy had run the statement.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator, Mapping
from contextlib import contextmanager
from dataclasses import dataclass
from typing import Any

import sqlalchemy as sa
from sqlalchemy.engine import Dialect, Engine
from sqlalchemy.sql.compiler import Compiled

from school import watched_tables
from school.database import unchecked_checkout

# Told each statement's text before it runs: SQLAlchemy's events do not see these (a test
# counts a scan's statements whichever way they run).
observers: list[Callable[[str], None]] = []


@dataclass(frozen=True)
class BareStatement:
    """A statement compiled once for one database, ready for the bare driver."""

    text: str
    compiled: Compiled
    binds: tuple[tuple[str, Callable[[Any], Any]], ...]  # the parameters a type converts
    columns: tuple[Callable[[Any], Any] | None, ...]  # each result column's conversion

    def parameters(self, values: Mapping[str, Any]) -> dict[str, Any]:
        params = self.compiled.construct_params(values)
        for name, convert in self.binds:
            params[name] = convert(params[name])
        return params

    def row(self, raw: tuple) -> tuple:
        return tuple(
            value if convert is None else convert(value)
            for value, convert in zip(raw, self.columns, strict=True)
        )


def bare(
    statement: sa.Executable, dialect: Dialect, *, values: tuple[str, ...] = ()
) -> BareStatement:
    """``statement`` compiled for ``dialect``; ``values``: the columns an INSERT is given
    (the others are left to their defaults)."""
    compiled = statement.compile(dialect=dialect, column_keys=list(values) or None)
    written = watched_tables.announced(str(compiled))
    if written is not None:
        # Its commit would announce nothing, and what processes keep of it would go stale.
        raise ValueError(f"{written}: values are kept from it, write it through SQLAlchemy")
    binds = []
    for name, bind in compiled.binds.items():
        if bind.expanding:
            raise ValueError(f"{name}: a list parameter is rendered anew for each length")
        convert = bind.type.dialect_impl(dialect).bind_processor(dialect)
        if convert is not None:
            binds.append((compiled.escaped_bind_names.get(name, name), convert))
    columns = tuple(
        column.type.dialect_impl(dialect).result_processor(dialect, None)
        for column in statement.exported_columns
    )
    return BareStatement(str(compiled), compiled, tuple(binds), columns)


class BareCursor:
    """Runs bare statements on one pooled connection, each committing on its own. The
    connection is lent at the first statement, without the pool's check of one returned
    moments ago (``school.database.unchecked_checkout``): a system call that lets the
    other threads in, and the thread then waits for its turn (bench/README.md, fifteenth
    round).
    If the server turns out gone at that first statement (it restarted since), the
    statement is sent again on another connection, checked as usual: every statement run
    here may be sent twice (a read, or an insert that skips a row already there)."""

    def __init__(self, engine: Engine):
        self._engine = engine
        self._pooled: Any = None
        self._cursor: Any = None

    def all(self, statement: BareStatement, values: Mapping[str, Any]) -> list[tuple]:
        self._execute(statement, values)
        return [statement.row(raw) for raw in self._cursor.fetchall()]

    def scalar(self, statement: BareStatement, values: Mapping[str, Any]) -> Any:
        self._execute(statement, values)
        raw = self._cursor.fetchone()
        return None if raw is None else statement.row(raw)[0]

    def _execute(self, statement: BareStatement, values: Mapping[str, Any]) -> None:
        params = statement.parameters(values)
        for observe in observers:
            observe(statement.text)
        if self._cursor is None:
            with unchecked_checkout():
                self._lend()
            try:
                self._cursor.execute(statement.text, params)
                return
            except self._engine.dialect.loaded_dbapi.Error as exc:
                if not self._lost(exc):
                    raise self._translated(exc, statement, params, lost=False) from exc
                self._lend()  # the server restarted since: a new connection, checked
        try:
            self._cursor.execute(statement.text, params)
        except self._engine.dialect.loaded_dbapi.Error as exc:
            raise self._translated(exc, statement, params, lost=self._lost(exc)) from exc

    def _lend(self) -> None:
        self._pooled = self._engine.raw_connection()
        connection = self._pooled.driver_connection
        connection.autocommit = True
        self._cursor = connection.cursor()

    def _lost(self, exc: Exception) -> bool:
        """Whether ``exc`` says the connection is gone; if so the pool forgets it."""
        lost = self._engine.dialect.is_disconnect(exc, self._pooled, self._cursor)
        if lost:
            self._pooled.invalidate(exc)
            self._pooled.close()
            self._pooled = self._cursor = None
        return lost

    def _translated(
        self, exc: Exception, statement: BareStatement, params: dict, *, lost: bool
    ) -> sa.exc.DBAPIError:
        dialect = self._engine.dialect
        return sa.exc.DBAPIError.instance(
            statement.text,
            params,
            exc,
            dialect.loaded_dbapi.Error,
            connection_invalidated=lost,
            dialect=dialect,
        )

    def give_back(self) -> None:
        """Back to the pool as it was lent, in no transaction (if a statement lent it)."""
        pooled, self._pooled = self._pooled, None
        if pooled is None:
            return
        self._cursor.close()
        self._cursor = None
        connection = pooled.driver_connection
        try:
            if not connection.closed:
                connection.autocommit = False
        except self._engine.dialect.loaded_dbapi.Error as exc:
            pooled.invalidate(exc)  # never lent again committing each statement
        pooled.close()


@contextmanager
def autocommit(engine: Engine) -> Iterator[BareCursor]:
    """A connection of ``engine``'s pool (PostgreSQL) on which each statement commits on
    its own, lent at the first statement; given back to the pool as it was lent, in no
    transaction."""
    cursor = BareCursor(engine)
    try:
        yield cursor
    finally:
        cursor.give_back()
