"""The satisfaction survey: its questions, chosen by organisers from a standard set, and
one person's answers, saved as they go and submitted once.

The standard questions: the overall rating (1–5); each session the person was checked
in at, rated 1–5 with an optional comment; the most useful moment; what to change;
would you come again (yes / maybe / no); anything else. The sessions a person is asked
about are those of their certificate of attendance (``checkin.certificates``: standing
check-ins, breaks and social events left out), so the two can never disagree.

Who is invited, and reminded, is in ``invitations``; the results in ``results``.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from typing import Any

import sqlalchemy as sa
from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from sqlalchemy.orm import Session as DbSession
from sqlalchemy.orm import joinedload

from school.database import begin_write, insert_new, lock_rows, utcnow
from school.models import Edition, Registration, Session, Survey, SurveyInvitation, SurveyResponse
from school.services.checkin import certificates
from school.services.errors import DomainError, NotFound


class InvalidAnswers(DomainError):
    """Some answers are wrong: ``errors`` maps each field to its messages."""

    code = "invalid"

    def __init__(self, errors: dict[str, list[str]]):
        super().__init__(_("Please correct the answers shown."))
        self.errors = errors


@dataclass(frozen=True)
class Question:
    key: str
    kind: str  # rating (1–5), sessions (each rated 1–5, a comment), text, choice
    label: Any  # lazy, in the language of the page
    options: tuple[str, ...] = ()


RATINGS = range(1, 6)
AGAIN = ("yes", "maybe", "no")
TEXT_LIMIT = 3000

QUESTIONS: dict[str, Question] = {
    q.key: q
    for q in (
        Question("overall", "rating", _l("Overall, how would you rate the School?")),
        Question("sessions", "sessions", _l("How would you rate each session you attended?")),
        Question("useful", "text", _l("What was the most useful moment for you?")),
        Question("change", "text", _l("What should we change next time?")),
        Question("again", "choice", _l("Would you come again?"), AGAIN),
        Question("free", "text", _l("Anything else you would like to tell us?")),
    )
}
DEFAULT_QUESTIONS = list(QUESTIONS)


def again_label(value: str) -> str:
    return {"yes": _("Yes"), "maybe": _("Maybe"), "no": _("No")}.get(value, value)


def rating_label(value: int) -> str:
    return {1: _("1 – poor"), 5: _("5 – excellent")}.get(value, str(value))


# -- the survey of an edition


def survey_of(db: DbSession, edition: Edition) -> Survey | None:
    return db.scalar(sa.select(Survey).where(Survey.edition_id == edition.id))


def ensure_survey(db: DbSession, edition: Edition) -> Survey:
    """The edition's survey, made with the standard questions the first time (by one
    of two requests arriving together: the other finds it made)."""
    survey = survey_of(db, edition)
    if survey is None:
        db.execute(
            insert_new(db, Survey, "edition_id").values(
                edition_id=edition.id, questions=list(DEFAULT_QUESTIONS), created_at=utcnow()
            )
        )
        survey = survey_of(db, edition)
    return survey


def set_questions(db: DbSession, edition: Edition, keys: list[str]) -> Survey:
    """Ask these standard questions (in the standard order). Refused once someone has
    answered: their answers would no longer match the questions."""
    chosen = [key for key in QUESTIONS if key in set(keys)]
    if not chosen or len(set(keys)) != len(chosen):
        raise InvalidAnswers({"questions": [_("Choose at least one of the questions.")]})
    survey = ensure_survey(db, edition)
    answered = db.scalar(
        sa.select(sa.func.count(SurveyResponse.id)).where(SurveyResponse.survey_id == survey.id)
    )
    if answered and chosen != survey.questions:
        raise DomainError(
            _("People have started answering: the questions can no longer change."),
            code="survey_answered",
        )
    survey.questions = chosen
    db.flush()
    return survey


# -- one person's form


@dataclass
class Form:
    """What the private link shows: the questions, the sessions to rate, the answers so far."""

    invitation: SurveyInvitation
    survey: Survey
    edition: Edition
    registration: Registration
    questions: list[Question]
    sessions: list[Session]
    response: SurveyResponse | None

    @property
    def answers(self) -> dict[str, Any]:
        return dict(self.response.answers) if self.response else {}

    @property
    def is_submitted(self) -> bool:
        return bool(self.response and self.response.submitted_at)


def invitation_by_token(db: DbSession, token: str) -> SurveyInvitation:
    invitation = None
    if token and len(token) <= 64:
        invitation = db.scalar(
            sa.select(SurveyInvitation)
            .where(SurveyInvitation.token == token, SurveyInvitation.registration_id.is_not(None))
            .options(
                joinedload(SurveyInvitation.survey).joinedload(Survey.edition),
                joinedload(SurveyInvitation.registration),
            )
        )
    if invitation is None:
        raise NotFound("no such survey link")
    return invitation


def form_for(db: DbSession, invitation: SurveyInvitation) -> Form:
    registration = invitation.registration
    certificate = certificates.certificate(db, registration)
    response = db.scalar(
        sa.select(SurveyResponse).where(SurveyResponse.invitation_id == invitation.id)
    )
    survey = invitation.survey
    return Form(
        invitation=invitation,
        survey=survey,
        edition=survey.edition,
        registration=registration,
        questions=[QUESTIONS[key] for key in survey.questions if key in QUESTIONS],
        sessions=certificate.sessions if certificate else [],
        response=response,
    )


def clean_answers(form: Form, data: dict[str, Any], *, final: bool) -> dict[str, Any]:
    """The answers of ``data`` (strings from a form or JSON), checked against the
    questions asked; an ``InvalidAnswers`` names each wrong field. Blank answers are left
    out; ``final`` asks for the overall rating, when asked."""
    errors: dict[str, list[str]] = {}
    found: dict[str, Any] = {}
    session_ids = {str(s.id) for s in form.sessions}
    for question in form.questions:
        key = question.key
        if question.kind == "rating":
            value = _rating(data.get(key), key, errors)
            if value is not None:
                found[key] = value
            elif final and key not in errors:
                errors[key] = [_("Choose a rating from 1 to 5.")]
        elif question.kind == "text":
            text = _text(data.get(key), key, errors)
            if text:
                found[key] = text
        elif question.kind == "choice":
            value = str(data.get(key) or "").strip()
            if value and value not in question.options:
                errors[key] = [_("Choose one of the answers offered.")]
            elif value:
                found[key] = value
        elif question.kind == "sessions":
            rated: dict[str, dict[str, Any]] = {}
            for session_id in session_ids:
                field = f"session-{session_id}"
                rating = _rating(data.get(field), field, errors)
                comment = _text(data.get(f"{field}-comment"), f"{field}-comment", errors)
                if rating is not None or comment:
                    rated[session_id] = {"rating": rating, "comment": comment or None}
            if rated:
                found[key] = rated
    if errors:
        raise InvalidAnswers(errors)
    return found


def _rating(raw: Any, field: str, errors: dict[str, list[str]]) -> int | None:
    if raw in (None, ""):
        return None
    try:
        value = int(str(raw).strip())
    except ValueError:
        value = 0
    if value not in RATINGS:
        errors[field] = [_("Choose a rating from 1 to 5.")]
        return None
    return value


def _text(raw: Any, field: str, errors: dict[str, list[str]]) -> str | None:
    text = str(raw or "").replace("\x00", "").strip()
    if len(text) > TEXT_LIMIT:
        errors[field] = [_("At most %(num)d characters, please.", num=TEXT_LIMIT)]
        return None
    return text or None


def save(
    db: DbSession, token: str, data: dict[str, Any], *, now: datetime, final: bool, language: str
) -> SurveyResponse:
    """Keep the answers of the person with this link: a draft (saved as they go) or,
    when ``final``, their answer, once. After it is submitted nothing changes any more.
    Two saves at the same moment are served one after the other (the invitation's lock).
    """
    begin_write(db)
    invitation = db.scalar(
        lock_rows(
            db,
            sa.select(SurveyInvitation).where(
                SurveyInvitation.token == token, SurveyInvitation.registration_id.is_not(None)
            ),
        )
    )
    if invitation is None:
        raise NotFound("no such survey link")
    form = form_for(db, invitation)
    if form.is_submitted:
        raise DomainError(
            _("You have already answered this survey. Thank you!"), code="already_answered"
        )
    answers = clean_answers(form, data, final=final)
    response = form.response
    if response is None:
        response = SurveyResponse(
            survey_id=form.survey.id, invitation_id=invitation.id, started_at=now, answers={}
        )
        db.add(response)
    response.answers = answers
    response.language = language if language in ("fr", "en") else "fr"
    response.updated_at = now
    if final:
        response.submitted_at = now
    db.flush()
    return response
