"""The first two days of the Spring School 2019 at the door and in the rooms: six people,
their seats, and scans made through the check-in service (never written as rows)."""

from __future__ import annotations

import re
import uuid
from datetime import UTC, date, datetime

import sqlalchemy as sa

from school.models import Edition, Session
from school.services.backoffice import organisers
from school.services.badges import tokens
from school.services.checkin import scanning
from tests.support.factories import make_choice, make_registration

D1, D2, D3 = date(2019, 6, 19), date(2019, 6, 20), date(2019, 6, 21)


def paris(day: date, hour: int, minute: int = 0) -> datetime:
    """A time of the Spring School given in Paris time (UTC+2 in June), as UTC."""
    return datetime(day.year, day.month, day.day, hour - 2, minute, tzinfo=UTC)


def session_named(db, key) -> Session:
    return db.scalar(sa.select(Session).where(Session.key == key))


def scan(db, edition, registration, *, session=None, day=None, at, token=None):
    result = scanning.scan(
        db,
        edition,
        token=token or tokens.token_for(registration),
        client_id=str(uuid.uuid4()),
        session_id=session.id if session else None,
        day=day,
        scanned_at=at,
        now=at,
    )
    db.commit()
    return result


def spring_school_scans(db, demo) -> dict:
    """Call inside an app context (badge keys)."""
    edition = db.get(Edition, demo.id)
    explora = session_named(db, "d1-visit-explora")  # seats only, 17:00–18:30
    tour = session_named(db, "d1-visit-spaces")  # seats only, 17:00–18:30
    assembly = session_named(db, "d1-general-assembly")  # members, 18:00–19:30
    coffee = session_named(db, "d1-coffee-break")
    plenary = session_named(db, "d2-stakes")  # everyone, day 2, 9:30–10:30
    majda = make_registration(
        db,
        edition,
        first_name="Majda",
        last_name="Jelenčić",
        category="member",
        days=[D1],
        member_verified=True,
    )
    eve = make_registration(
        db,
        edition,
        first_name="Ève",
        last_name="Ñúñez",
        category="partner",
        days=[D1, D2],
        language="en",
        organisation="Ciudad de los Oficios",
    )
    jan = make_registration(
        db,
        edition,
        first_name="Jan",
        last_name="Łukasiewicz",
        category="member",
        days=[D1],
        member_verified=True,
    )
    zainoudine = make_registration(
        db, edition, first_name="Zainoudine", last_name="Abdou", category="guest", days=[D1]
    )
    inigo = make_registration(db, edition, first_name="Íñigo", last_name="Zubiri", days=[D2])
    gone = make_registration(db, edition, first_name="Ada", last_name="Annulée", days=[D1])
    make_choice(db, majda, explora, "confirmed")
    make_choice(db, eve, tour, "confirmed")
    make_choice(db, zainoudine, explora, "waitlisted")
    db.commit()
    gone_token = tokens.token_for(gone)
    gone.status = "cancelled"
    db.commit()

    scan(db, edition, majda, at=paris(D1, 9, 2))
    scan(db, edition, eve, at=paris(D1, 9, 14))
    scan(db, edition, majda, at=paris(D1, 9, 15))  # already: not a second arrival
    scan(db, edition, zainoudine, at=paris(D1, 9, 19))
    mistake = scan(db, edition, inigo, day=D1, at=paris(D1, 9, 30))  # taken back below
    scanning.undo(db, edition, mistake.record.id, now=paris(D1, 9, 31))
    db.commit()
    scan(db, edition, jan, at=paris(D1, 9, 41))
    assert scan(db, edition, gone, token=gone_token, at=paris(D1, 9, 50)).verdict == "cancelled"
    scan(db, edition, majda, session=coffee, at=paris(D1, 11, 20))
    scan(db, edition, majda, session=explora, at=paris(D1, 16, 55))
    refused = scan(db, edition, zainoudine, session=explora, at=paris(D1, 16, 56))
    assert refused.verdict == "not_registered_for_session"
    scan(db, edition, majda, session=assembly, at=paris(D1, 18, 5))
    scan(db, edition, eve, session=plenary, at=paris(D2, 9, 35))
    return {
        "edition": edition,
        "explora": explora,
        "tour": tour,
        "assembly": assembly,
        "coffee": coffee,
        "plenary": plenary,
        "majda": majda,
        "eve": eve,
        "jan": jan,
        "zainoudine": zainoudine,
        "inigo": inigo,
        "gone": gone,
    }


def staff_accounts(app, db) -> None:
    with app.app_context():
        organisers.create_organiser(db, "admin@example.org", "admin", "correct horse 1")
        organisers.create_organiser(db, "door@example.org", "checkin", "correct horse 2")
        db.commit()


def log_in(client, who: str) -> None:
    """As the admin (``admin``) or the check-in volunteer (``door``), through the form."""
    page = client.get("/organiser/login").get_data(as_text=True)
    csrf = re.search(r'name="csrf_token" type="hidden" value="([^"]+)"', page).group(1)
    password = {"admin": "correct horse 1", "door": "correct horse 2"}[who]
    response = client.post(
        "/organiser/login",
        data={"csrf_token": csrf, "email": f"{who}@example.org", "password": password},
    )
    assert response.status_code == 302
