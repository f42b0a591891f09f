"""The survey's results: per question (ratings, their average and spread; the answers
to choose from; the comments) and per session (its ratings and comments). Only
submitted answers count. Names go with the comments only when asked for (``with_names``,
admins), and only while the answer is still tied to a person (before the privacy purge).
A fixed number of queries.
"""

from __future__ import annotations

from collections import Counter
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any

import sqlalchemy as sa
from sqlalchemy.orm import Session as DbSession
from sqlalchemy.orm import joinedload

from school.models import Edition, Session, SurveyInvitation, SurveyResponse
from school.services.aftercare.survey import QUESTIONS, RATINGS, Question, survey_of


@dataclass
class Ratings:
    distribution: dict[int, int] = field(default_factory=lambda: dict.fromkeys(RATINGS, 0))

    def add(self, value: int) -> None:
        self.distribution[value] += 1

    @property
    def count(self) -> int:
        return sum(self.distribution.values())

    @property
    def average(self) -> float | None:
        if not self.count:
            return None
        return round(sum(k * n for k, n in self.distribution.items()) / self.count, 2)


@dataclass(frozen=True)
class Comment:
    text: str
    language: str
    submitted_at: datetime
    respondent: str | None = None  # a name, for admins only


@dataclass
class QuestionResult:
    question: Question
    ratings: Ratings = field(default_factory=Ratings)
    choices: Counter = field(default_factory=Counter)
    comments: list[Comment] = field(default_factory=list)

    @property
    def answered(self) -> int:
        return self.ratings.count + sum(self.choices.values()) + len(self.comments)


@dataclass
class SessionResult:
    session: Session
    ratings: Ratings = field(default_factory=Ratings)
    comments: list[Comment] = field(default_factory=list)


@dataclass
class Results:
    invited: int
    answered: int
    questions: list[QuestionResult]
    sessions: list[SessionResult]  # those rated or commented, in the order of the programme

    @property
    def response_rate(self) -> float | None:
        return round(self.answered / self.invited, 4) if self.invited else None

    def question(self, key: str) -> QuestionResult | None:
        return next((q for q in self.questions if q.question.key == key), None)

    @property
    def overall_average(self) -> float | None:
        found = self.question("overall")
        return found.ratings.average if found else None


def results(db: DbSession, edition: Edition, *, with_names: bool = False) -> Results | None:
    """The results of the edition's survey, or None when it has none. Four queries."""
    survey = survey_of(db, edition)
    if survey is None:
        return None
    invited = db.scalar(
        sa.select(sa.func.count(SurveyInvitation.id)).where(SurveyInvitation.survey_id == survey.id)
    )
    query = (
        sa.select(SurveyResponse)
        .where(SurveyResponse.survey_id == survey.id, SurveyResponse.submitted_at.is_not(None))
        .order_by(SurveyResponse.submitted_at, SurveyResponse.id)
    )
    if with_names:
        query = query.options(
            joinedload(SurveyResponse.invitation).joinedload(SurveyInvitation.registration)
        )
    responses = db.scalars(query).all()
    sessions = {
        s.id: s
        for s in db.scalars(
            sa.select(Session)
            .where(Session.edition_id == edition.id)
            .order_by(Session.starts_at, Session.id)
        )
    }
    asked = [QUESTIONS[key] for key in survey.questions if key in QUESTIONS]
    by_key = {q.key: QuestionResult(q) for q in asked}
    by_session: dict[int, SessionResult] = {}
    for response in responses:
        name = _respondent(response) if with_names else None
        for key, value in (response.answers or {}).items():
            found = by_key.get(key)
            if found is None:
                continue
            kind = found.question.kind
            if kind == "rating" and value in RATINGS:
                found.ratings.add(value)
            elif kind == "choice":
                found.choices[value] += 1
            elif kind == "text":
                found.comments.append(_comment(value, response, name))
            elif kind == "sessions":
                _add_sessions(value, response, name, sessions, by_session)
    ordered = [by_session[sid] for sid in sessions if sid in by_session]
    return Results(invited or 0, len(responses), list(by_key.values()), ordered)


def _comment(text: str, response: SurveyResponse, name: str | None) -> Comment:
    return Comment(text, response.language, response.submitted_at, name)


def _add_sessions(
    rated: dict[str, Any],
    response: SurveyResponse,
    name: str | None,
    sessions: dict[int, Session],
    by_session: dict[int, SessionResult],
) -> None:
    for key, answer in rated.items():
        session = sessions.get(int(key)) if str(key).isdigit() else None
        if session is None:
            continue
        found = by_session.setdefault(session.id, SessionResult(session))
        if answer.get("rating") in RATINGS:
            found.ratings.add(answer["rating"])
        if answer.get("comment"):
            found.comments.append(_comment(answer["comment"], response, name))


def _respondent(response: SurveyResponse) -> str | None:
    invitation = response.invitation
    if invitation is None or invitation.registration is None:
        return None
    return invitation.registration.full_name
