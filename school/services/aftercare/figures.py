"""The edition's figures ("retour en chiffres"), computed, never typed: from the
registrations, the standing check-ins (``CheckIn.is_standing``, the one rule of who came),
the programme and the survey's answers.

- registered: confirmed registrations; cancelled ones are counted apart;
- present: people checked in at least once, anywhere (entrance or a session);
  present per day: people checked in somewhere that day;
- no-shows: confirmed registrations never checked in;
- sessions held (not cancelled; breaks and social events are not sessions) by kind,
  workshops among them, and the people checked in at each;
- the Cités and countries present, and how many people came from each (``origins``);
- the survey: people invited, answers, response rate, average ratings;
- the initiatives shared (``initiatives_shared``), once the edition has a wall.

A fixed number of queries, whatever the size of the edition.
"""

from __future__ import annotations

from collections import Counter
from dataclasses import dataclass, field
from datetime import date
from typing import Any

import sqlalchemy as sa
from sqlalchemy.orm import Session as DbSession
from sqlalchemy.orm import joinedload

from school.models import CheckIn, Edition, Registration, Session
from school.models.vocabulary import Decision, RegistrationStatus, SessionKind
from school.services.aftercare import results as survey_results
from school.services.network import cites, initiatives

# Breaks and social events are the programme's, not sessions the report counts as held:
# the funders' "sessions held" and the attendance per session leave them out.
NOT_SESSIONS = (SessionKind.BREAK, SessionKind.SOCIAL)


@dataclass(frozen=True)
class Origin:
    """Where a participant comes from, as the figures count it."""

    cite: str | None  # the Cité des métiers, as shown
    country: str  # ISO 3166 alpha-2


def origins(db: DbSession, edition: Edition) -> dict[int, Origin]:
    """Registration id -> where the person comes from: the Cité of the network's directory
    they named (shown by its name; a Cité no longer in the directory by what was stored) and
    their country. The only place the figures read a Cité and a country. Two queries."""
    names = cites.by_key(db)
    rows = db.execute(
        sa.select(Registration.id, Registration.cite, Registration.country).where(
            Registration.edition_id == edition.id
        )
    ).all()
    return {
        registration_id: Origin(cites.label(names, cite) or None, (country or "").upper())
        for registration_id, cite, country in rows
    }


def initiatives_shared(db: DbSession, edition: Edition) -> int | None:
    """How many initiatives the edition's wall shows (accepted ones)."""
    return initiatives.counts(db, edition).get(Decision.ACCEPTED.value, 0)


@dataclass(frozen=True)
class SessionAttendance:
    session: Session
    present: int


@dataclass
class SurveyFigures:
    invited: int
    answered: int
    response_rate: float | None  # 0..1
    overall_average: float | None  # 1..5
    session_averages: dict[int, float] = field(default_factory=dict)  # session id -> 1..5


@dataclass
class Figures:
    edition: Edition
    registered: int
    cancelled: int
    present: int
    no_shows: int
    present_per_day: dict[date, int]
    sessions_held: int
    sessions_held_by_kind: dict[str, int]
    workshops: int
    attendance: list[SessionAttendance]  # sessions held, in the order of the programme
    per_cite: list[tuple[str, int]]  # the Cités present, most people first
    per_country: list[tuple[str, int]]  # ISO codes, most people first
    survey: SurveyFigures | None
    initiatives_shared: int | None

    @property
    def cites_present(self) -> int:
        return len(self.per_cite)

    @property
    def countries_present(self) -> int:
        return len(self.per_country)

    @property
    def attendance_rate(self) -> float | None:
        return round(self.present / self.registered, 4) if self.registered else None


def figures(db: DbSession, edition: Edition) -> Figures:
    """The figures of ``edition``. Seven queries (four of them the survey's)."""
    statuses = dict(
        db.execute(
            sa.select(Registration.id, Registration.status).where(
                Registration.edition_id == edition.id
            )
        ).all()
    )
    confirmed = {rid for rid, status in statuses.items() if status == RegistrationStatus.CONFIRMED}
    seen = db.execute(
        sa.select(CheckIn.registration_id, CheckIn.day, CheckIn.session_id).where(
            CheckIn.edition_id == edition.id,
            CheckIn.is_standing,
            CheckIn.registration_id.is_not(None),
        )
    ).all()
    present = {rid for rid, _, _ in seen}
    days: dict[date, set[int]] = {day: set() for day in edition.dates}
    at_session: Counter[int] = Counter()
    for rid, day, session_id in seen:
        days.setdefault(day, set()).add(rid)
        if session_id is not None:
            at_session[session_id] += 1
    sessions = db.scalars(
        sa.select(Session)
        .where(
            Session.edition_id == edition.id,
            ~Session.is_cancelled,
            Session.kind.not_in(NOT_SESSIONS),
        )
        .options(joinedload(Session.room))
        .order_by(Session.starts_at, Session.ends_at, Session.id)
    ).all()
    by_kind = Counter(s.kind for s in sessions)
    where = origins(db, edition)
    cites = Counter(where[rid].cite for rid in present if rid in where and where[rid].cite)
    countries = Counter(
        where[rid].country for rid in present if rid in where and where[rid].country
    )
    return Figures(
        edition=edition,
        registered=len(confirmed),
        cancelled=len(statuses) - len(confirmed),
        present=len(present),
        no_shows=len(confirmed - present),
        present_per_day={day: len(days[day]) for day in sorted(days)},
        sessions_held=len(sessions),
        sessions_held_by_kind={k.value: by_kind[k.value] for k in SessionKind if by_kind[k.value]},
        workshops=by_kind[SessionKind.WORKSHOP.value],
        attendance=[SessionAttendance(s, at_session[s.id]) for s in sessions],
        per_cite=_most_first(cites),
        per_country=_most_first(countries),
        survey=_survey(db, edition),
        initiatives_shared=initiatives_shared(db, edition),
    )


def _most_first(counts: Counter) -> list[tuple[str, int]]:
    return sorted(counts.items(), key=lambda item: (-item[1], item[0].casefold()))


def _survey(db: DbSession, edition: Edition) -> SurveyFigures | None:
    found = survey_results.results(db, edition)
    if found is None:
        return None
    return SurveyFigures(
        invited=found.invited,
        answered=found.answered,
        response_rate=found.response_rate,
        overall_average=found.overall_average,
        session_averages={
            s.session.id: s.ratings.average for s in found.sessions if s.ratings.count
        },
    )


def as_json(found: Figures) -> dict[str, Any]:
    """The figures as the API answers them (``GET /api/v1/editions/<slug>/report``)."""
    edition = found.edition
    survey = found.survey
    body: dict[str, Any] = {
        "edition": {
            "slug": edition.slug,
            "title": {"fr": edition.title_fr, "en": edition.text("title", "en")},
        },
        "registered": found.registered,
        "cancelled": found.cancelled,
        "present": found.present,
        "no_shows": found.no_shows,
        "present_per_day": {day.isoformat(): n for day, n in found.present_per_day.items()},
        "sessions_held": found.sessions_held,
        "sessions_held_by_kind": found.sessions_held_by_kind,
        "workshops": found.workshops,
        "attendance_per_session": [
            {
                "session_id": item.session.id,
                "key": item.session.key,
                "title": {"fr": item.session.title_fr, "en": item.session.text("title", "en")},
                "kind": item.session.kind,
                "starts_at": item.session.starts_at.astimezone(edition.tz).isoformat(),
                "present": item.present,
                "average_rating": survey.session_averages.get(item.session.id) if survey else None,
            }
            for item in found.attendance
        ],
        "cites_present": found.cites_present,
        "countries_present": found.countries_present,
        "participants_per_cite": [{"cite": c, "present": n} for c, n in found.per_cite],
        "participants_per_country": [{"country": c, "present": n} for c, n in found.per_country],
        "survey": None
        if survey is None
        else {
            "invited": survey.invited,
            "answered": survey.answered,
            "response_rate": survey.response_rate,
            "overall_average": survey.overall_average,
        },
    }
    if found.initiatives_shared is not None:
        body["initiatives_shared"] = found.initiatives_shared
    return body
