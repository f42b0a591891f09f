"""The back office's blueprint, its gate (every page needs a signed-in organiser unless
marked otherwise) and the helpers its pages share. Their forms end through
``school.web.actions.form_action``."""

from __future__ import annotations

from flask import Blueprint, current_app, request
from flask_login import current_user

from school.extensions import db
from school.models import Edition, Organiser
from school.services.programme import catalogue
from school.web.auth import require_organiser

bp = Blueprint("organiser", __name__, url_prefix="/organiser")


@bp.before_request
def _gate():
    view = current_app.view_functions.get(request.endpoint or "")
    return require_organiser(view)


@bp.after_request
def _private(response):
    response.headers["Cache-Control"] = "private, no-store"
    return response


# -- shared by the back office's modules


def load_edition(slug: str) -> Edition:
    """The edition of the URL, or the 404 page."""
    return catalogue.get_edition(db.session, slug)


def actor() -> Organiser:
    return current_user._get_current_object()
