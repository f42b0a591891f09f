"""A bounded burst of people at a real app server, and what the database must hold after
it: a synthetic one-day edition with a few small workshops (so waiting lines form),
numbered people whose wishes follow from their number, and the checks of
tests/test_load.py."""

from __future__ import annotations

import http.client
import threading
from collections import Counter
from dataclasses import dataclass, field
from datetime import UTC, date, datetime, timedelta

import sqlalchemy as sa

from school.models import Choice, OutboxMessage, Registration, RegistrationDay, Session
from school.services.registration.waiting_lines import waitlist_positions
from tests.support import production
from tests.support.factories import make_edition

DAY = date(2030, 10, 14)
# Small on purpose: a few hundred people ask for them, so every line is long.
CAPACITIES = (6, 10, 15, 30)
DOMAIN = "load.example.org"


@dataclass(frozen=True)
class LoadEdition:
    id: int
    slug: str
    sessions: tuple[int, ...]  # by start time
    capacity: dict[int, int]

    @property
    def registrations(self) -> str:
        return f"/api/v1/editions/{self.slug}/registrations"

    @property
    def checkins(self) -> str:
        return f"/api/v1/editions/{self.slug}/checkins"


def make_load_edition(db, slug: str = "load-school-2030") -> LoadEdition:
    edition = make_edition(db, slug, starts_on=DAY, ends_on=DAY, timezone="UTC", capacity=None)
    sessions = []
    for n, capacity in enumerate(CAPACITIES):
        # Two hours apart: no two overlap, so a freed seat always goes to the first in line.
        starts = datetime(DAY.year, DAY.month, DAY.day, 8 + 2 * n, tzinfo=UTC)
        session = Session(
            edition_id=edition.id, key=f"workshop-{n}", kind="workshop",
            title_fr=f"Atelier {n}", starts_at=starts, ends_at=starts + timedelta(hours=1),
            capacity=capacity, requires_registration=True,
        )  # fmt: skip
        db.add(session)
        sessions.append(session)
    db.commit()
    ids = tuple(s.id for s in sessions)
    return LoadEdition(edition.id, edition.slug, ids, dict(zip(ids, CAPACITIES, strict=True)))


def email(n: int) -> str:
    return f"p{n}@{DOMAIN}"


def number(address: str) -> int:
    return int(address.split("@")[0][1:])


def wishes(edition: LoadEdition, n: int) -> list[int]:
    """The one or two workshops person ``n`` asks for."""
    ids = edition.sessions
    return sorted({ids[n % len(ids)], ids[(n // len(ids) + 1) % len(ids)]})


def person(edition: LoadEdition, n: int) -> dict:
    return {
        "first_name": "Majda", "last_name": f"Jelenčić {n}", "email": email(n),
        "country": "HR", "category": "member", "days": [DAY.isoformat()],
        "sessions": wishes(edition, n), "consent": True,
    }  # fmt: skip


def server_environment(database_url: str) -> dict[str, str]:
    """gunicorn with 2 workers on the test's database; no rate limit (every client comes
    from 127.0.0.1) and no mail sent (the outbox is checked instead)."""
    env = production.app_environment(
        DATABASE_URL=database_url, RATELIMIT_ENABLED="false", MAIL_SEND_AFTER_REQUEST="false"
    )
    env["WEB_CONCURRENCY"] = "2"
    return env


NO_ANSWER = None  # the server went away before answering
_GONE = (OSError, http.client.HTTPException)


def ask(call, *args, **kwargs):
    """(status, answer) of an HttpClient call; (NO_ANSWER, None) if the server went away."""
    try:
        return call(*args, **kwargs)
    except _GONE:
        return NO_ANSWER, None


@dataclass
class Tally:
    """What the clients were told, kept by several threads."""

    created: dict[int, dict] = field(default_factory=dict)  # person -> the 201's body
    statuses: Counter = field(default_factory=Counter)  # (what, status) -> count
    unanswered: set[int] = field(default_factory=set)  # people whose registration got no answer
    lock: threading.Lock = field(default_factory=threading.Lock)

    def count(self, what: str, status) -> None:
        with self.lock:
            self.statuses[(what, status)] += 1


def registrations(db, edition: LoadEdition) -> list[Registration]:
    db.rollback()
    db.expire_all()
    return list(db.scalars(sa.select(Registration).where(Registration.edition_id == edition.id)))


def check_registrations(db, edition: LoadEdition, tally: Tally) -> dict[int, Registration]:
    """Every acknowledged registration is there, whole; nothing half-written exists; one
    registration per address. Returns the registrations by person."""
    rows = registrations(db, edition)
    by_person = {number(r.email): r for r in rows}
    assert len(by_person) == len(rows), "two registrations for one address"
    keys = Counter(r.email_key for r in rows)
    assert max(keys.values(), default=1) == 1, keys.most_common(3)
    missing = sorted(set(tally.created) - set(by_person))
    assert not missing, f"acknowledged but not stored: {missing}"
    for n, answer in tally.created.items():
        assert by_person[n].id == answer["id"]
    days = set(db.execute(sa.select(RegistrationDay.registration_id, RegistrationDay.date)))
    confirmations = set(
        db.scalars(
            sa.select(OutboxMessage.registration_id).where(OutboxMessage.purpose == "confirmation")
        )
    )
    for n, registration in by_person.items():
        assert (registration.id, DAY) in days, f"p{n}: stored without its day"
        assert registration.id in confirmations, f"p{n}: stored without its confirmation"
        chosen = sorted(c.session_id for c in registration.choices)
        if registration.status == "cancelled":
            assert chosen == [], f"p{n}: cancelled but still holds {chosen}"
        else:
            assert chosen == wishes(edition, n), f"p{n}: stored with choices {chosen}"
    return by_person


def check_seats(db, edition: LoadEdition) -> int:
    """No workshop over capacity; every waiting line in the order people joined it, and
    only behind a full workshop (freed seats went to the first in line). Returns how many
    seats were given from a waiting line."""
    db.rollback()
    promoted: list[int] = []  # registrations given a seat from a line
    for session_id, capacity in edition.capacity.items():
        choices = db.scalars(
            sa.select(Choice).where(Choice.session_id == session_id).order_by(Choice.id)
        ).all()
        confirmed = [c for c in choices if c.status == "confirmed"]
        line = sorted((c for c in choices if c.status == "waitlisted"),
                      key=lambda c: (c.queued_at, c.id))  # fmt: skip
        assert len(confirmed) <= capacity, f"session {session_id}: {len(confirmed)} > {capacity}"
        if line:
            assert len(confirmed) == capacity, f"session {session_id}: free seats, people waiting"
            # Nobody who joined after someone still waiting holds a seat.
            assert max(c.queued_at for c in confirmed) <= line[0].queued_at
        positions = waitlist_positions(db, [session_id])
        assert [positions[c.id] for c in line] == list(range(1, len(line) + 1))
        promoted += [c.registration_id for c in confirmed if c.updated_at != c.created_at]
    told = set(
        db.scalars(
            sa.select(OutboxMessage.registration_id).where(OutboxMessage.purpose == "promotion")
        )
    )
    assert set(promoted) <= told, "promoted without being told"
    return len(promoted)
