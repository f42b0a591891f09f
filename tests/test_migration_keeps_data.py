"""Going down and up the migrations keeps people's data: on SQLite, a migration that copies
a table (to change a constraint) must not cascade the drop of the old copy to the rows that
point at it — a lost choice is a lost seat."""

from __future__ import annotations

from datetime import UTC, datetime

import sqlalchemy as sa
from flask_migrate import downgrade, upgrade
from sqlalchemy.orm import Session as DbSession

from school import create_app
from school.extensions import db as _db
from school.models import Session
from tests.support.factories import make_choice, make_edition, make_registration

COUNTED = ("editions", "sessions", "registrations", "choices", "registration_days")


def _counts() -> dict[str, int]:
    with _db.engine.connect() as conn:
        count = "SELECT count(*) FROM {}"  # the table names above, never user input
        return {t: conn.execute(sa.text(count.format(t))).scalar() for t in COUNTED}


def test_choices_survive_the_migrations_down_and_up(tmp_path):
    app = create_app({"DATABASE_URL": f"sqlite:///{tmp_path / 'kept.db'}", "SECRET_KEY": "t"})
    with app.app_context():
        upgrade()
        with DbSession(_db.engine) as db:
            edition = make_edition(db)
            session = Session(
                edition_id=edition.id, key="w1", kind="workshop", title_fr="Atelier",
                starts_at=datetime(2024, 12, 4, 9, tzinfo=UTC),
                ends_at=datetime(2024, 12, 4, 11, tzinfo=UTC), capacity=10,
                requires_registration=True,
            )  # fmt: skip
            db.add(session)
            db.flush()
            for n in range(3):
                make_choice(db, make_registration(db, edition, email=f"p{n}@example.org"), session)
            db.commit()
        before = _counts()
        assert before["choices"] == 3
        downgrade(revision="0008_account_security")
        assert _counts() == before
        upgrade()
        assert _counts() == before
        _db.engine.dispose()
