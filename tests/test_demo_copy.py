"""The demo most tests start from is copied in, not imported for each test
(tests/support/demo.py): the copy must be what an import writes, with the same ids, and
what a test adds afterwards must take new ids, as after an import."""

from __future__ import annotations

import sqlalchemy as sa

from school.models import Base, Room
from tests.support.database import empty_tables
from tests.support.demo import import_demo
from tests.support.factories import make_edition

# Made by each import (its moment, random keys): the copy keeps those of the import it
# was taken from, the same in every test of a process.
PER_IMPORT = {
    "created_at", "updated_at", "changed_at", "seats_changed_at", "uid", "speaker_token",
    "member_code",
}  # fmt: skip


def _rows(engine) -> dict[str, list[dict]]:
    found = {}
    with engine.connect() as conn:
        for table in Base.metadata.sorted_tables:
            query = sa.select(table).order_by(*table.primary_key.columns)
            found[table.name] = rows = []
            for row in conn.execute(query).mappings():
                assert all(row[name] is not None for name in PER_IMPORT & row.keys())
                rows.append({k: v for k, v in row.items() if k not in PER_IMPORT})
    return found


def _restart_ids(engine) -> None:
    """As in a new database: PostgreSQL's sequences do not go back when rows are deleted."""
    if engine.dialect.name != "postgresql":
        return
    with engine.begin() as conn:
        for table in Base.metadata.sorted_tables:
            if table.autoincrement_column is not None:
                sequence = sa.func.pg_get_serial_sequence(
                    f'"{table.name}"', table.autoincrement_column.name
                )
                conn.execute(sa.select(sa.func.setval(sequence, 1, False)))


def test_the_copied_demo_is_the_imported_one(demo_copy, engine, db):
    _restart_ids(engine)
    imported = import_demo(db)
    rows = _rows(engine)
    assert sum(len(table_rows) for table_rows in rows.values()) > 90
    db.close()
    empty_tables(engine)

    assert demo_copy.restore(engine) == imported
    assert _rows(engine) == rows


def test_rows_added_after_the_copy_take_new_ids(demo_copy, engine, db):
    _restart_ids(engine)  # a new database, where no id was ever handed out
    demo = demo_copy.restore(engine)
    rooms = db.scalars(sa.select(Room.id)).all()
    other = make_edition(db)
    room = Room(edition_id=demo.id, key="annex", name_fr="Annexe")
    db.add(room)
    db.commit()
    assert other.id == demo.id + 1
    assert room.id == max(rooms) + 1


def test_a_test_that_wrote_first_gets_the_demo_imported(app, db, demo_copy, engine):
    other = make_edition(db)
    db.commit()
    assert demo_copy.restore(engine) is None  # its ids could clash with the test's rows
    edition = import_demo(db)
    assert edition.slug == "spring-school-2019" and edition.id > other.id
