"""Certificates of attendance: the sessions a person was checked in at, the days they
were there, and the hours those sessions add up to (sessions at the same time counted
once). Made from the standing check-ins (``CheckIn.is_standing``); breaks, meals and
social events are left out. Each function runs a fixed number of queries.
"""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass, field
from datetime import UTC, date, datetime, time, timedelta

import sqlalchemy as sa
from sqlalchemy.orm import Session as DbSession
from sqlalchemy.orm import joinedload

from school.models import CheckIn, Edition, Registration, Session
from school.models.vocabulary import SessionKind
from school.services.badges.printing import print_order
from school.services.programme import lifecycle

# Not training time: a certificate leaves them out, and their hours do not count.
NOT_ATTENDED_KINDS = frozenset({SessionKind.BREAK, SessionKind.SOCIAL})


@dataclass
class Certificate:
    registration: Registration
    sessions: list[Session]  # by time; breaks, meals and social events left out
    days: list[date] = field(default_factory=list)  # checked in that day, anywhere

    @property
    def hours(self) -> timedelta:
        """The time the sessions cover, sessions at the same time counted once."""
        total, covered_until = timedelta(0), None
        for session in sorted(self.sessions, key=lambda s: s.starts_at):
            start = session.starts_at
            if covered_until is not None:
                start = max(start, covered_until)
                covered_until = max(covered_until, session.ends_at)
            else:
                covered_until = session.ends_at
            total += max(session.ends_at - start, timedelta(0))
        return total


def certificate_opens_at(edition: Edition) -> datetime:
    """From the start of the edition's last day (local time), participants may download
    their certificate: that day's sessions are on it once they were checked in."""
    return datetime.combine(edition.ends_on, time(0), tzinfo=edition.tz).astimezone(UTC)


def certificate_is_open(edition: Edition, now: datetime) -> bool:
    return now >= certificate_opens_at(edition)


def issue_date(edition: Edition, now: datetime) -> date:
    """The date a certificate bears: the last day of the edition, or today if earlier
    (a preview), so a certificate downloaded again later is the same document."""
    return min(edition.local(now).date(), edition.ends_on)


@dataclass(frozen=True)
class CertificateStatus:
    state: str  # "not_yet" (before the last day), "none" (never checked in), "ready"
    opens_at: datetime
    has_begun: bool  # the School has started (the edition's state says so)


def certificate_status(db: DbSession, registration: Registration, now: datetime):
    """Whether the participant may download a certificate now; one query at most."""
    edition = registration.edition
    opens_at = certificate_opens_at(edition)
    begun = lifecycle.state_of(edition, now).has_started
    if now < opens_at:
        return CertificateStatus("not_yet", opens_at, begun)
    came = db.scalar(
        sa.select(
            sa.exists().where(CheckIn.registration_id == registration.id, CheckIn.is_standing)
        )
    )
    return CertificateStatus("ready" if came else "none", opens_at, begun)


def certificate(db: DbSession, registration: Registration) -> Certificate | None:
    """The certificate of one participant, or None if they were never checked in. One query."""
    found = _certificates(db, CheckIn.registration_id == registration.id, [registration])
    return found[0] if found else None


def certificates(db: DbSession, edition: Edition) -> list[Certificate]:
    """A certificate for everyone checked in somewhere at ``edition``, by last name.
    Two queries."""
    return _certificates(db, CheckIn.edition_id == edition.id, None)


def _certificates(db: DbSession, where, registrations: list[Registration] | None):
    checkins = db.scalars(
        sa.select(CheckIn)
        .where(where, CheckIn.is_standing, CheckIn.registration_id.is_not(None))
        .options(joinedload(CheckIn.session).joinedload(Session.room))
    ).all()
    if registrations is None:
        registrations = db.scalars(
            sa.select(Registration).where(
                Registration.id.in_(
                    sa.select(CheckIn.registration_id).where(where, CheckIn.is_standing)
                )
            )
        ).all()
    by_person: dict[int, list[CheckIn]] = defaultdict(list)
    for record in checkins:
        by_person[record.registration_id].append(record)
    found = []
    for registration in sorted(registrations, key=print_order):
        records = by_person.get(registration.id)
        if not records:
            continue
        sessions = sorted(
            (r.session for r in records if r.session is not None and _is_attended(r.session)),
            key=lambda s: (s.starts_at, s.ends_at, s.id),
        )
        found.append(Certificate(registration, sessions, sorted({r.day for r in records})))
    return found


def _is_attended(session: Session) -> bool:
    return not (session.is_cancelled or session.is_meal or session.kind in NOT_ATTENDED_KINDS)
