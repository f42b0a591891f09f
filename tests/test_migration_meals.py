"""0014_meals: a seat held on a meal becomes the meal taken, on SQLite and PostgreSQL."""

from __future__ import annotations

from datetime import UTC, datetime

import sqlalchemy as sa
from flask_migrate import upgrade
from sqlalchemy.orm import Session as DbSession

from school import create_app
from school.extensions import db as _db
from school.models import Choice, RegistrationMeal, Session
from tests.support.database import scratch_database
from tests.support.factories import make_choice, make_edition, make_registration


def _session(edition, key: str, **fields) -> Session:
    fields.setdefault("kind", "break")
    return Session(
        edition_id=edition.id, key=key, title_fr=key,
        starts_at=datetime(2024, 12, 4, 11, tzinfo=UTC),
        ends_at=datetime(2024, 12, 4, 12, tzinfo=UTC), **fields,
    )  # fmt: skip


def test_choices_on_meals_become_meals_taken_and_waiting_ones_go(tmp_path):
    with scratch_database(tmp_path, "meals") as url:
        app = create_app({"DATABASE_URL": url, "SECRET_KEY": "t"})
        with app.app_context():
            upgrade(revision="0013_state")
            with DbSession(_db.engine) as db:
                edition = make_edition(db)
                lunch = _session(edition, "lunch", is_meal=True, capacity=150)
                workshop = _session(edition, "workshop", kind="workshop", capacity=10)
                db.add_all([lunch, workshop])
                db.flush()
                seated, waiting, both, other = (
                    make_registration(db, edition, email=f"p{n}@example.org") for n in range(4)
                )
                make_choice(db, seated, lunch)
                make_choice(db, waiting, lunch, status="waitlisted")
                make_choice(db, both, lunch)
                db.add(RegistrationMeal(registration_id=both.id, session_id=lunch.id))
                make_choice(db, other, workshop)
                db.commit()
                ids = {"lunch": lunch.id, "workshop": workshop.id, "seated": seated.id,
                       "both": both.id, "other": other.id}  # fmt: skip
            upgrade()
            with DbSession(_db.engine) as db:
                meals = db.execute(
                    sa.select(RegistrationMeal.registration_id, RegistrationMeal.session_id)
                )
                assert sorted(meals) == sorted(
                    [(ids["seated"], ids["lunch"]), (ids["both"], ids["lunch"])]
                )
                choices = db.execute(sa.select(Choice.registration_id, Choice.session_id)).all()
                assert choices == [(ids["other"], ids["workshop"])]
            _db.engine.dispose()
