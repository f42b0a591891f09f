"""One tap on the participant's page: leave a session, join one, or swap it for one at
the same time (``services.registration.self_service``), without the whole form."""

from __future__ import annotations

from flask import abort, flash, redirect, url_for
from flask_babel import gettext as _

from school import i18n
from school.database import as_id, utcnow
from school.extensions import db, limiter
from school.forms.registration import ChoiceActionForm
from school.services.errors import DomainError
from school.services.registration import registrations, self_service
from school.web.participant.blueprint import bp
from school.web.registration import FORM_LIMIT


@bp.post("/<token>/choices/leave")
@limiter.limit(FORM_LIMIT)
def leave_choice(token: str):
    return _tap(token, "leave")


@bp.post("/<token>/choices/join")
@limiter.limit(FORM_LIMIT)
def join_choice(token: str):
    return _tap(token, "join")


@bp.post("/<token>/choices/swap")
@limiter.limit(FORM_LIMIT)
def swap_choice(token: str):
    return _tap(token, "swap")


def _tap(token: str, action: str):
    registration = registrations.get_by_manage_token(db.session, token)
    form = ChoiceActionForm()
    if not form.validate_on_submit():
        abort(400)
    session_id, to_session = as_id(form.session_id.data), as_id(form.to_session.data)
    code = (form.member_code.data or "").strip() or None
    now = utcnow()
    # Said beside the sessions ("tap" messages), where the reader tapped, not at the top.
    try:
        if session_id is None or (action == "swap" and to_session is None):
            raise DomainError(_("Please choose a session of the programme."), code="invalid")
        if action == "leave":
            changes = self_service.leave(db.session, registration, session_id, now=now)
        elif action == "join":
            changes = self_service.join(
                db.session, registration, session_id, now=now, member_code=code
            )
        else:
            changes = self_service.swap(
                db.session,
                registration,
                session_id,
                to_session,
                now=now,
                member_code=code,
                give_up_seat=bool(form.give_up_seat.data),
            )
    except DomainError as refusal:
        db.session.rollback()
        errors = getattr(refusal, "errors", None) or {"": [refusal.message]}
        for message in dict.fromkeys(m for messages in errors.values() for m in messages):
            flash(message, "tap-error")
    else:
        db.session.commit()
        flash(summary(changes), "tap")
    return redirect(url_for(".manage", token=token, _anchor="my-sessions"))


def summary(changes: list[self_service.Change]) -> str:
    """What changed, in the page's language (the e-mail says it in the participant's)."""
    parts = []
    for change in changes:
        title = change.session.text("title", i18n.language())
        if change.after is None:
            parts.append(_("You left “%(title)s”.", title=title))
        elif change.after == "confirmed":
            parts.append(_("You have a seat in “%(title)s”.", title=title))
        else:
            parts.append(
                _(
                    "You are on the waiting list of “%(title)s”, place %(num)d.",
                    title=title,
                    num=change.position or 0,
                )
            )
    parts.append(_("We have sent you an e-mail."))
    return " ".join(parts)
