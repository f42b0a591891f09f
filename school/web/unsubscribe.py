"""``/unsubscribe/<token>``: leaving an edition's non-essential mailings.

Opening the link (a person, or a scanner that follows every link of a message) only
asks; a POST records it: the page's button, or a mail client's one-click unsubscribe
(RFC 8058: ``List-Unsubscribe=One-Click`` in the body, sent by the mail provider with
no cookie and no form token). So this blueprint takes no CSRF token: the unguessable
token in the address is what proves the link was received.
"""

from __future__ import annotations

from flask import Blueprint, Response, render_template, request

from school.database import utcnow
from school.extensions import csrf, db
from school.models import Edition
from school.services.mail import unsubscribe
from school.web.actions import form_action

bp = Blueprint("unsubscribe", __name__, url_prefix="/unsubscribe")
csrf.exempt(bp)


@bp.after_request
def _private(response: Response) -> Response:
    response.headers.setdefault("Cache-Control", "private, no-store")
    response.headers["X-Robots-Tag"] = "noindex"
    return response


@bp.route("/<token>", methods=["GET", "POST"])
def page(token: str):
    choice = unsubscribe.get_by_token(db.session, token)
    if request.method == "POST":
        with form_action():
            if request.form.get("action") == "resubscribe":
                choice = unsubscribe.resubscribe(db.session, token)
            else:
                choice = unsubscribe.unsubscribe(db.session, token, now=utcnow())
    edition = db.session.get(Edition, choice.edition_id)
    return render_template("unsubscribe.html", edition=edition, choice=choice, token=token)
