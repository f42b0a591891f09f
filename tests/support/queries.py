"""Small helpers the tests share."""

from __future__ import annotations

from contextlib import contextmanager

from sqlalchemy import event

from school import bare_statements


class QueryCounter:
    """Counts the SQL statements a block of code sends to the database, through
    SQLAlchemy or on the bare driver (``school.bare_statements``)."""

    def __init__(self, engine):
        self.engine = engine

    @contextmanager
    def __call__(self):
        statements: list[str] = []

        def record(_conn, _cursor, statement, *_args):
            if not statement.lstrip().upper().startswith(("BEGIN", "PRAGMA", "COMMIT")):
                statements.append(statement)

        event.listen(self.engine, "before_cursor_execute", record)
        bare_statements.observers.append(statements.append)
        try:
            yield statements
        finally:
            event.remove(self.engine, "before_cursor_execute", record)
            bare_statements.observers.remove(statements.append)
