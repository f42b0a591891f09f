"""The satisfaction survey behind a private link, ``/survey/<token>`` (blueprint ``bp``):
the form (one page that works on a phone), its answers saved as you go (``…/draft``,
called by ``static/js/survey.js``; without JavaScript the form still submits) and
submitted once. The token is the invitation's own, not the registration's."""

from __future__ import annotations

from flask import Blueprint, jsonify, redirect, render_template, request, url_for
from flask_babel import gettext as _

from school import i18n
from school.database import utcnow
from school.extensions import db, limiter
from school.services.aftercare import survey
from school.services.aftercare.survey import AGAIN, RATINGS, InvalidAnswers
from school.services.errors import DomainError
from school.web.actions import form_action
from school.web.registration import FORM_LIMIT

bp = Blueprint("survey", __name__, url_prefix="/survey")


@bp.after_request
def _private(response):
    response.headers.setdefault("Cache-Control", "private, no-store")
    response.headers["X-Robots-Tag"] = "noindex"
    return response


def _page(token: str, *, answers=None, errors=None, status: int = 200):
    form = survey.form_for(db.session, survey.invitation_by_token(db.session, token))
    return (
        render_template(
            "survey/form.html",
            form=form,
            edition=form.edition,
            answers=form.answers if answers is None else answers,
            errors=errors or {},
            ratings=RATINGS,
            again=[(value, survey.again_label(value)) for value in AGAIN],
            rating_label=survey.rating_label,
        ),
        status,
    )


@bp.get("/<token>", endpoint="form")
def survey_page(token: str):
    return _page(token)


class _AnswersShown:
    """Every error of an answer is shown beside its question: only the summary is flashed."""

    def show_errors(self, errors: dict[str, list[str]]) -> list[str]:
        return []


@bp.post("/<token>")
@limiter.limit(FORM_LIMIT)
def survey_submit(token: str):
    data = request.form.to_dict()
    with form_action(_AnswersShown()) as action:
        survey.save(db.session, token, data, now=utcnow(), final=True, language=i18n.language())
    if action.done:
        return redirect(url_for("survey.form", token=token))
    errors = getattr(action.refusal, "errors", None)
    if errors is None:
        return redirect(url_for("survey.form", token=token))
    return _page(token, answers=_as_answers(data), errors=errors, status=422)


@bp.post("/<token>/draft", endpoint="draft")
@limiter.limit("120 per minute")
def survey_draft(token: str):
    try:
        survey.save(
            db.session, token, request.form.to_dict(), now=utcnow(), final=False,
            language=i18n.language(),
        )  # fmt: skip
    except InvalidAnswers as refusal:
        db.session.rollback()
        return jsonify(code=refusal.code, message=refusal.message, errors=refusal.errors), 422
    except DomainError as refusal:
        db.session.rollback()
        status = 404 if refusal.code == "not_found" else 409
        return jsonify(code=refusal.code, message=refusal.message), status
    db.session.commit()
    return jsonify(saved=True, message=_("Your answers so far are saved."))


def _as_answers(data: dict) -> dict:
    """The form's fields as stored answers, to show them again beside their errors."""
    found = {key: value for key, value in data.items() if not key.startswith("session-")}
    sessions: dict[str, dict] = {}
    for key, value in data.items():
        if key.startswith("session-"):
            sid, _, rest = key.removeprefix("session-").partition("-")
            entry = sessions.setdefault(sid, {})
            entry["comment" if rest == "comment" else "rating"] = value
    found["sessions"] = sessions
    return found
