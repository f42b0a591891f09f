"""The demo edition, the Spring School 2019, for the tests that start from it (most do).

An import runs the importer's whole path (parse, check, flush object by object): about
45 ms on SQLite and 80 ms on PostgreSQL, for each of some 360 tests. So each test process
imports it once into its empty database, keeps the rows it wrote, and copies them into
each test's empty database (4 ms, 16 ms): the same rows with the same ids, as if ``demo
load`` had just run there. What an import draws at random (session UIDs, speakers'
links) is therefore the same in every test of a process.
"""

from __future__ import annotations

from dataclasses import dataclass
from zoneinfo import ZoneInfo

import sqlalchemy as sa
import sqlalchemy.orm

from school.models import Base
from school.services.programme import importer
from tests.support.database import empty_tables


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


def import_demo(db: sa.orm.Session) -> EditionRef:
    """The demo, as ``demo load`` imports it."""
    edition = importer.import_demo(db)
    db.commit()
    return EditionRef(edition.id, edition.slug, edition.timezone, tuple(edition.dates))


class DemoCopy:
    """The rows an import of the demo writes into an empty database, table by table
    (parents first), and the edition they make."""

    def __init__(self, edition: EditionRef, rows: dict[sa.Table, list[dict]]):
        self.edition, self.rows = edition, rows

    @classmethod
    def capture(cls, engine: sa.Engine) -> DemoCopy:
        """Import the demo into the empty database of ``engine``, read its rows back, and
        leave the database empty again."""
        tables = Base.metadata.sorted_tables
        assert not _holding_rows(engine, tables), "the demo is captured in an empty database"
        with sa.orm.Session(engine, expire_on_commit=False) as db:
            edition = import_demo(db)
        rows = {}
        with engine.connect() as conn:
            for table in tables:
                # In key order: a row that points at another of its table comes after it.
                query = sa.select(table).order_by(*table.primary_key.columns)
                found = [dict(row) for row in conn.execute(query).mappings()]
                if found:
                    rows[table] = found
        empty_tables(engine)
        return cls(edition, rows)

    def restore(self, engine: sa.Engine) -> EditionRef | None:
        """Write the rows into ``engine``'s database. None, and nothing written, when one
        of their tables already holds rows (a test made some before asking for the demo):
        the copy's ids could clash with them, an import cannot."""
        with engine.execution_options(sqlite_immediate=True).begin() as conn:
            if _holding_rows(conn, self.rows):
                return None
            for table, rows in self.rows.items():
                conn.execute(table.insert(), rows)
            if conn.dialect.name == "postgresql":
                _advance_sequences(conn, self.rows)
        return self.edition


def _holding_rows(bind: sa.Engine | sa.Connection, tables) -> bool:
    query = sa.select(sa.or_(*(sa.exists(sa.select(table)) for table in tables)))
    if isinstance(bind, sa.Engine):
        with bind.connect() as conn:
            return bool(conn.scalar(query))
    return bool(bind.scalar(query))


def _advance_sequences(conn: sa.Connection, rows: dict[sa.Table, list[dict]]) -> None:
    """Rows inserted with their ids leave the id sequences behind: set each to the
    largest id, so the next insert takes the id after it, as after an import."""
    for table, table_rows in rows.items():
        column = table.autoincrement_column
        if column is None:
            continue
        conn.execute(
            sa.select(
                sa.func.setval(
                    sa.func.pg_get_serial_sequence(f'"{table.name}"', column.name),
                    max(row[column.name] for row in table_rows),
                )
            )
        )
