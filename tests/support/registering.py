"""Registering people in the demo edition as the services' tests do: the same person in
numbered copies, registered and committed, a session's capacity set, who holds what."""

from __future__ import annotations

from datetime import date

import sqlalchemy as sa

from school.database import utcnow
from school.models import Choice, Edition, Registration, Session
from school.services.registration import registrations
from school.services.registration.data import RegistrationData

D1, D2, D3 = date(2019, 6, 19), date(2019, 6, 20), date(2019, 6, 21)


def session_id(db, key: str) -> int:
    return db.scalar(sa.select(Session.id).where(Session.key == key))


def person(n: int = 0, **fields) -> RegistrationData:
    values = dict(
        first_name="Zainoudine",
        last_name=f"Younoussa {n}",
        email=f"person{n}@example.org",
        organisation="Cité des métiers de Mamoudzou",
        country="YT",
        category="member",
        language="fr",
        days=[D1, D2, D3],
        privacy_consent=True,
    )
    values.update(fields)
    return RegistrationData(**values)


def register(db, demo, data, now=None, actor=None):
    edition = db.get(Edition, demo.id)
    outcome = registrations.register(db, edition, data, now=now or utcnow(), actor=actor)
    db.commit()
    return outcome


def set_capacity(db, key: str, capacity: int | None) -> Session:
    session = db.scalar(sa.select(Session).where(Session.key == key))
    session.capacity = capacity
    db.commit()
    return session


def statuses(db, key: str) -> list[tuple[str, str]]:
    db.expire_all()
    rows = db.execute(
        sa.select(Registration.email, Choice.status)
        .join(Choice.registration)
        .join(Choice.session)
        .where(Session.key == key)
        .order_by(Choice.status, Choice.queued_at, Choice.id)
    )
    return [tuple(row) for row in rows]
