"""The migrations build the schema the models describe, on SQLite and PostgreSQL."""

from __future__ import annotations

import sqlalchemy as sa
from alembic.autogenerate import compare_metadata
from alembic.migration import MigrationContext

from school.database import render_migration_item
from school.models import Base


def test_migrated_database_matches_the_models(engine):
    with engine.connect() as conn:
        context = MigrationContext.configure(
            conn, opts={"compare_type": True, "render_item": render_migration_item}
        )
        diff = compare_metadata(context, Base.metadata)
    assert diff == []


def test_database_enforces_the_basic_rules(engine, demo, db):
    from school.models import Session

    session = db.scalar(sa.select(Session).limit(1))
    for statement in (
        "UPDATE sessions SET ends_at = starts_at WHERE id = :id",
        "UPDATE sessions SET kind = 'lecture' WHERE id = :id",
        "UPDATE sessions SET capacity = -1 WHERE id = :id",
    ):
        with engine.connect() as conn, conn.begin():
            try:
                conn.execute(sa.text(statement), {"id": session.id})
            except sa.exc.IntegrityError:
                continue
            raise AssertionError(f"accepted: {statement}")
