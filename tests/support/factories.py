"""Small builders of test data, straight into the database (no rule applied).

To go through the rules, tests call the services or the pages instead.
"""

from __future__ import annotations

import itertools
from datetime import date

from school.database import utcnow
from school.models import Choice, Edition, Registration, RegistrationDay, Session

_numbers = itertools.count(1)


def make_registration(db, edition: Edition, **fields) -> Registration:
    n = next(_numbers)
    values = {
        "first_name": "Majda",
        "last_name": f"Jelenčić {n}",
        "email": f"participant{n}@example.org",
        "organisation": "Cité des métiers de Genève",
        "country": "HR",
        "category": "member",
        "language": "fr",
        "privacy_consent_at": utcnow(),
    }
    values.update(fields)
    values.setdefault("email_key", values["email"].strip().lower())
    # A member made here proved it (as with the member code), unless a test says otherwise.
    values.setdefault("member_verified", values["category"] == "member")
    days = values.pop("days", edition.dates)
    registration = Registration(edition_id=edition.id, **values)
    registration.days = [RegistrationDay(date=day) for day in days]
    db.add(registration)
    db.flush()
    return registration


def make_choice(db, registration: Registration, session: Session, status="confirmed") -> Choice:
    choice = Choice(registration_id=registration.id, session_id=session.id, status=status)
    db.add(choice)
    db.flush()
    return choice


def make_edition(db, slug: str = "autumn-school-2024", **fields) -> Edition:
    values = {
        "title_fr": "Université d'automne 2024",
        "title_en": "Autumn School 2024",
        "city": "Bruxelles",
        "venue": "Cité des métiers de Bruxelles",
        "address": "Avenue de l'Astronomie 14, 1210 Bruxelles",
        "timezone": "Europe/Brussels",
        "starts_on": date(2024, 12, 4),
        "ends_on": date(2024, 12, 6),
        "status": "published",
    }
    values.update(fields)
    edition = Edition(slug=slug, **values)
    db.add(edition)
    db.flush()
    return edition


def api_registration(**overrides) -> dict:
    """A valid body for ``POST /api/v1/editions/<slug>/registrations`` (the demo's dates)."""
    data = {
        "first_name": "Zainoudine",
        "last_name": "Younoussa",
        "email": "zainoudine@example.org",
        "organisation": "Cité des métiers de Mamoudzou",
        "country": "YT",
        "category": "member",
        "language": "fr",
        "days": ["2019-06-19", "2019-06-21"],
        "sessions": [],
        "consent": True,
    }
    data.update(overrides)
    return data
