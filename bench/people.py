"""Participants in bulk for the benchmarks: thousands of registrations of one edition
written in a few INSERTs (days, two choices each, meals, 40 % checked in on day one),
with seats given in order until each capped session is full, then waiting lines.
"""

from __future__ import annotations

import random
import uuid
from datetime import UTC, datetime, timedelta

import sqlalchemy as sa

from bench.synthetic import FIRST, LAST
from school.models import (
    CheckIn,
    Choice,
    Edition,
    Registration,
    RegistrationDay,
    RegistrationMeal,
    Session,
)

COUNTRIES = ["FR"] * 5 + ["BE"] * 3 + ["CH", "IT", "ES", "PT", "HR", "MA", "CI", "SN"]
CATEGORIES = ["member"] * 6 + ["partner", "guest", "speaker", "staff", "press"]
CITES = [
    None,
    None,
    "Cité des métiers de Paris",
    "Cité des métiers de Bruxelles",
    "Cité des métiers du Valais",
    "Città dei mestieri di Milano",
    "Cidade das Profissões",
]
DIETS = [None] * 8 + ["Végétarien", "Sans gluten", "Halal", "Vegan"]
START = datetime(2019, 3, 1, 9, tzinfo=UTC)


def add(session, edition: Edition, count: int, *, first: int = 0, seed: int = 7) -> None:
    """Add registrations number ``first`` … ``first + count - 1`` (e-mail ``p<n>@…``)."""
    rng = random.Random(seed + first)
    sessions = session.scalars(sa.select(Session).where(Session.edition_id == edition.id)).all()
    chosen = [s for s in sessions if s.is_offered_for_choice]
    meals = [s for s in sessions if s.is_meal]
    taken = dict(
        session.execute(
            sa.select(Choice.session_id, sa.func.count())
            .join(Session, Session.id == Choice.session_id)
            .where(Session.edition_id == edition.id, Choice.status == "confirmed")
            .group_by(Choice.session_id)
        ).all()
    )
    rows = [_registration(edition, n, rng) for n in range(first, first + count)]
    ids = session.scalars(sa.insert(Registration).returning(Registration.id), rows).all()
    days, choices, meal_rows, scans = [], [], [], []
    for registration_id in ids:
        for day in edition.dates:
            if rng.random() < 0.85:
                days.append({"registration_id": registration_id, "date": day})
        for target in rng.sample(chosen, k=min(len(chosen), 2)):
            seated = target.capacity is None or taken.get(target.id, 0) < target.capacity
            taken[target.id] = taken.get(target.id, 0) + seated
            choices.append(
                {
                    "registration_id": registration_id,
                    "session_id": target.id,
                    "status": "confirmed" if seated else "waitlisted",
                    "queued_at": START,
                    "created_at": START,
                    "updated_at": START,
                }
            )
        for meal in meals:
            if rng.random() < 0.6:
                meal_rows.append({"registration_id": registration_id, "session_id": meal.id})
        if rng.random() < 0.4:
            day = edition.dates[0]
            scans.append(
                {
                    "edition_id": edition.id,
                    "registration_id": registration_id,
                    "day": day,
                    "checkpoint": f"entrance:{day.isoformat()}",
                    "scanned_at": START,
                    "recorded_at": START,
                    "client_id": uuid.uuid4().hex,
                    "verdict": "ok",
                }
            )
    for model, values in (
        (RegistrationDay, days),
        (Choice, choices),
        (RegistrationMeal, meal_rows),
        (CheckIn, scans),
    ):
        if values:
            session.execute(sa.insert(model), values)
    session.commit()


def _registration(edition: Edition, n: int, rng: random.Random) -> dict:
    email = f"p{n}@example.org"
    return {
        "edition_id": edition.id,
        "first_name": rng.choice(FIRST),
        "last_name": f"{rng.choice(LAST)} {n}",
        "email": email,
        "email_key": email,
        "organisation": f"Organisation {n % 300}",
        "cite": rng.choice(CITES),
        "country": rng.choice(COUNTRIES),
        "category": rng.choice(CATEGORIES),
        "language": rng.choice(["fr", "en"]),
        "dietary": rng.choice(DIETS),
        "privacy_consent_at": START,
        "status": "cancelled" if n % 25 == 0 else "confirmed",
        "manage_token": uuid.uuid4().hex,
        "created_at": START + timedelta(minutes=n * 15),
        "updated_at": START,
    }


def analyze(engine) -> None:
    """The planner's statistics, as a running database has them (autovacuum would gather
    them a little later; without them PostgreSQL plans for empty tables)."""
    with engine.connect() as conn:
        conn.execution_options(isolation_level="AUTOCOMMIT").exec_driver_sql("ANALYZE")
