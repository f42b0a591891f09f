"""A made-up Autumn School whose figures are known: people from four Cités in three
countries, some who never came, one cancelled registration, one cancelled session, and
scans made through the check-in service (never written as rows).

Who came (standing check-ins):
- Amélie Dubois, Cité des métiers de Bruxelles (BE): day 1 (entrance, opening, workshop A),
  day 2 (entrance, workshop B);
- Иван Петров, Cité des métiers de Charleroi (BE): day 1 (entrance twice, opening);
- 李娜, Cité des métiers de Paris (FR): day 1 (entrance, workshop A), day 3 (entrance, closing);
- فاطمة الزهراء, "cité des métiers  de Paris" (FR, spelt otherwise): day 2 (entrance);
- Chloé Favre, Cité des métiers de Genève (CH): day 3 (entrance, closing);
- Jean Partenaire, no Cité (BE): day 1 (entrance; a second scan was undone).
Who did not: Marco Rossi, Cité des métiers de Lisboa (PT); Zoé Absente, no Cité (FR).
Cancelled: Ada Annulée. Sessions: opening (plenary), coffee (break), workshop A and B,
the visit (cancelled), closing (round table).
"""

from __future__ import annotations

import uuid
from datetime import UTC, date, datetime

from school.models import Edition, Initiative, Session
from school.services.badges import tokens
from school.services.checkin import scanning
from tests.support.factories import make_choice, make_edition, make_registration

D1, D2, D3 = date(2024, 12, 4), date(2024, 12, 5), date(2024, 12, 6)

EXPECTED = {
    "registered": 8,
    "cancelled": 1,
    "present": 6,
    "no_shows": 2,
    "present_per_day": {D1: 4, D2: 2, D3: 2},
    "sessions_held": 4,  # the coffee break is no session held
    "workshops": 2,
    "cites_present": 4,
    "countries_present": 3,
    "initiatives_shared": 2,
    "per_cite": [
        ("Cité des métiers de Paris la Villette", 2),
        ("Cité des métiers de Bruxelles", 1),
        ("Cité des métiers de Charleroi", 1),
        ("Cité des métiers du Grand Genève", 1),
    ],
    "per_country": [("BE", 3), ("FR", 2), ("CH", 1)],
}


def brussels(day: date, hour: int, minute: int = 0) -> datetime:
    """A time in Brussels in December (UTC+1), as UTC."""
    return datetime(day.year, day.month, day.day, hour - 1, minute, tzinfo=UTC)


def _session(db, edition, key, kind, title, day, start, end, **fields) -> Session:
    session = Session(
        edition_id=edition.id,
        key=key,
        kind=kind,
        title_fr=title,
        title_en=fields.pop("title_en", None),
        starts_at=brussels(day, *start),
        ends_at=brussels(day, *end),
        **fields,
    )
    db.add(session)
    db.flush()
    return session


def scan(db, edition, registration, *, session=None, day=None, at):
    result = scanning.scan(
        db,
        edition,
        token=tokens.token_for(registration),
        client_id=str(uuid.uuid4()),
        session_id=session.id if session else None,
        day=day,
        scanned_at=at,
        now=at,
    )
    db.commit()
    assert result.verdict in ("ok", "already"), result.verdict
    return result


def autumn_school(db, slug: str = "autumn-school-2024") -> dict:
    """Call inside an app context (badge keys)."""
    edition = make_edition(db, slug)
    edition.days  # noqa: B018 - loaded before the sessions change the edition
    s = {"edition": edition}
    s["opening"] = _session(db, edition, "opening", "plenary", "Ouverture", D1, (9, 30), (10, 30),
                            title_en="Opening")  # fmt: skip
    s["coffee"] = _session(db, edition, "coffee", "break", "Pause café", D1, (10, 30), (11, 0))
    s["workshop_a"] = _session(
        db, edition, "workshop-a", "workshop", "Atelier A : l'orientation tout au long de la vie",
        D1, (11, 0), (12, 30), requires_registration=True, capacity=20,
        title_en="Workshop A: lifelong guidance",
    )  # fmt: skip
    s["workshop_b"] = _session(
        db, edition, "workshop-b", "workshop", "Atelier B : les métiers du numérique",
        D2, (11, 0), (12, 30), requires_registration=True, capacity=20,
        title_en="Workshop B: digital jobs",
    )  # fmt: skip
    s["visit"] = _session(db, edition, "visit", "visit", "Visite du port", D2, (14, 0), (16, 0),
                          status="cancelled")  # fmt: skip
    s["closing"] = _session(db, edition, "closing", "round_table", "Table ronde de clôture",
                            D3, (10, 0), (12, 0), title_en="Closing round table")  # fmt: skip
    people = {
        "amelie": dict(first_name="Amélie", last_name="Dubois",
                       cite="bruxelles", country="BE", days=[D1, D2]),
        "ivan": dict(first_name="Иван", last_name="Петров", cite="charleroi",
                     country="BE", days=[D1], language="en"),
        "lina": dict(first_name="娜", last_name="李", cite="paris-la-villette",
                     country="FR", days=[D1, D3]),
        "fatima": dict(first_name="فاطمة", last_name="الزهراء", cite="paris-la-villette",
                       country="FR", days=[D2], language="en"),
        "chloe": dict(first_name="Chloé", last_name="Favre", cite="grand-geneve",
                      country="CH", days=[D3]),
        "jean": dict(first_name="Jean", last_name="Partenaire", cite=None, country="BE",
                     category="partner", days=[D1]),
        "marco": dict(first_name="Marco", last_name="Rossi", cite="porto",
                      country="PT", days=[D1, D2, D3]),
        "zoe": dict(first_name="Zoé", last_name="Absente", cite=None, country="FR",
                    category="guest", days=[D2]),
        "ada": dict(first_name="Ada", last_name="Annulée", cite="cotes-d-armor",
                    country="FR", days=[D1]),
    }  # fmt: skip
    for key, fields in people.items():
        s[key] = make_registration(db, edition, email=f"{key}@example.org", **fields)
    make_choice(db, s["amelie"], s["workshop_a"])
    make_choice(db, s["amelie"], s["workshop_b"])
    make_choice(db, s["lina"], s["workshop_a"])
    make_choice(db, s["marco"], s["workshop_a"])
    db.commit()
    s["ada"].status = "cancelled"
    db.commit()

    scan(db, edition, s["amelie"], at=brussels(D1, 9, 2))
    scan(db, edition, s["ivan"], at=brussels(D1, 9, 5))
    scan(db, edition, s["ivan"], at=brussels(D1, 9, 6))  # already: not a second arrival
    scan(db, edition, s["lina"], at=brussels(D1, 9, 12))
    scan(db, edition, s["jean"], at=brussels(D1, 9, 20))
    mistake = scan(db, edition, s["jean"], session=s["opening"], at=brussels(D1, 9, 31))
    scanning.undo(db, edition, mistake.record.id, now=brussels(D1, 9, 32))
    db.commit()
    scan(db, edition, s["amelie"], session=s["opening"], at=brussels(D1, 9, 33))
    scan(db, edition, s["ivan"], session=s["opening"], at=brussels(D1, 9, 34))
    scan(db, edition, s["amelie"], session=s["workshop_a"], at=brussels(D1, 11, 1))
    scan(db, edition, s["lina"], session=s["workshop_a"], at=brussels(D1, 11, 2))
    scan(db, edition, s["amelie"], at=brussels(D2, 9, 0))
    scan(db, edition, s["fatima"], at=brussels(D2, 9, 10))
    scan(db, edition, s["amelie"], session=s["workshop_b"], at=brussels(D2, 11, 0))
    scan(db, edition, s["lina"], at=brussels(D3, 9, 40))
    scan(db, edition, s["chloe"], at=brussels(D3, 9, 45))
    scan(db, edition, s["lina"], session=s["closing"], at=brussels(D3, 10, 1))
    scan(db, edition, s["chloe"], session=s["closing"], at=brussels(D3, 10, 2))
    # The wall: two accepted initiatives are shared; one awaiting a decision and one
    # declined are not.
    for n, decision in enumerate(("accepted", "submitted", "accepted", "declined")):
        db.add(Initiative(edition_id=edition.id, title_fr=f"Pratique {n}", summary_fr="…",
                          cite="charleroi", country="BE", kind="practice",
                          contact_name="Équipe", contact_email=f"team{n}@example.org",
                          consent_publish=True, decision=decision))  # fmt: skip
    db.commit()
    s["edition"] = db.get(Edition, edition.id)
    return s
