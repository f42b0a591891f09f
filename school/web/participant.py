"""A participant's private space at ``/my/<manage-token>``: no password, an unguessable link."""

from __future__ import annotations

from flask import Blueprint, render_template

from school.extensions import db
from school.services import registration as registrations

bp = Blueprint("participant", __name__, url_prefix="/my")


@bp.after_request
def _private(response):
    # Personal data: never kept by shared caches, never indexed.
    response.headers["Cache-Control"] = "private, no-store"
    response.headers["X-Robots-Tag"] = "noindex"
    return response


@bp.get("/<token>")
def manage(token: str):
    registration = registrations.get_by_manage_token(db.session, token)
    return render_template(
        "participant/manage.html", registration=registration, edition=registration.edition
    )
