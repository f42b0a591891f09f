"""The badge at the door: ``/my/<token>/badge`` (the QR, big, kept by the browser so it
opens offline), ``badge.svg`` and ``badge.pdf``. Routes of the participant blueprint."""

from __future__ import annotations

import io

from flask import Response, abort, current_app, make_response, render_template, request, send_file
from flask_babel import force_locale
from flask_babel import gettext as _
from werkzeug.http import dump_header, parse_set_header

from school.extensions import db
from school.services.badges import printing, qr, tokens
from school.services.errors import DomainError
from school.services.registration import registrations
from school.web.participant.blueprint import bp

# the participant's browser, so it still opens at the door when the venue Wi-Fi is gone.

BADGE_MAX_AGE = 7 * 24 * 3600


@bp.context_processor
def _badge_helpers():
    def badge_qr(registration, label=None):
        return qr.qr_svg(tokens.token_for(registration), width="100%", label=label)

    return {"badge_qr": badge_qr}


def _badge_owner(token: str):
    """The registration of the link, or the page saying a cancelled one has no badge."""
    registration = registrations.get_by_manage_token(db.session, token)
    if printing.has_badge(registration):
        return registration, None
    page = render_template(
        "participant/badge_cancelled.html", registration=registration, edition=registration.edition
    )
    return registration, make_response(page, 410)


def _keep(response, seconds: int = BADGE_MAX_AGE):
    response.headers["Cache-Control"] = f"private, max-age={seconds}"
    return response


@bp.get("/<token>/badge")
def badge(token: str):
    registration, refusal = _badge_owner(token)
    if refusal:
        return refusal
    asked = request.args.get("lang")
    language = asked if asked in current_app.config["LANGUAGES"] else registration.language
    # Rendered without the session (no context processor, no remembered language) and
    # served as not varying with the cookie: a browser whose cookie has changed since it
    # kept the page (a new language, a restart) must still find it offline.
    token_text = tokens.token_for(registration)
    with force_locale(language):
        label = _("Badge QR code of %(name)s", name=registration.full_name)
        page = current_app.jinja_env.get_template("participant/badge.html").render(
            registration=registration,
            edition=registration.edition,
            qr=qr.qr_svg(token_text, width="100%", label=label),
            token=tokens.printed(token_text),
        )
    return _keep(CookieFreeResponse(page, mimetype="text/html"))


class CookieFreeResponse(Response):
    """A response whose content does not depend on the cookie. Flask marks every response
    ``Vary: Cookie`` once anything has looked at the session (Flask-Login does, after each
    request); a kept copy would then only be used while the cookie stays the same."""

    def get_wsgi_headers(self, environ):
        headers = super().get_wsgi_headers(environ)
        vary = [v for v in parse_set_header(headers.get("Vary")) if v.lower() != "cookie"]
        if vary:
            headers["Vary"] = dump_header(vary)
        else:
            headers.pop("Vary", None)
        return headers


@bp.get("/<token>/badge.svg")
def badge_svg(token: str):
    registration, refusal = _badge_owner(token)
    if refusal:
        return refusal
    svg = qr.qr_svg(tokens.token_for(registration), width="50mm")
    return _keep(Response(svg, mimetype="image/svg+xml"))


@bp.get("/<token>/badge.pdf")
def badge_pdf(token: str):
    registration, refusal = _badge_owner(token)
    if refusal:
        return refusal
    try:
        size = printing.badge_size(request.args.get("size"), sheet=False)
    except DomainError:
        abort(404)
    response = send_file(
        io.BytesIO(printing.pdf_for([registration], size=size.name)),
        mimetype="application/pdf",
        download_name=f"badge-{registration.first_name}-{registration.last_name}.pdf",
    )
    response.headers["Cache-Control"] = "private, no-store"
    return response
