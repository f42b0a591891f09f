"""The organisers' pages under ``/organiser/``: login, then the back office.

The back office's areas add their routes to this blueprint from their own modules
(``organiser_editions``, ``organiser_programme``, ``organiser_people``,
``organiser_registrations``, ``organiser_exports``, ``organiser_dashboard``,
``organiser_mailing``); every one of them is behind the gate below.
"""

from __future__ import annotations

from flask import Blueprint, current_app, flash, redirect, render_template, request, url_for
from flask_babel import gettext as _
from flask_login import current_user, login_user, logout_user

from school.database import utcnow
from school.extensions import db, limiter
from school.forms.organiser import LoginForm
from school.models import Edition, Organiser
from school.services import mailer, organisers, programme
from school.web.auth import allow_checkin_staff, public, require_organiser

bp = Blueprint("organiser", __name__, url_prefix="/organiser")


@bp.before_request
def _gate():
    view = current_app.view_functions.get(request.endpoint or "")
    return require_organiser(view)


@bp.after_request
def _private(response):
    response.headers["Cache-Control"] = "private, no-store"
    return response


def _safe_next(target: str | None) -> str | None:
    # Only paths of this site: never an open redirect to another host.
    if target and target.startswith("/") and not target.startswith("//"):
        return target
    return None


@bp.route("/login", methods=["GET", "POST"])
@limiter.limit("10 per minute;100 per hour", methods=["POST"])
@public
def login():
    form = LoginForm()
    if form.validate_on_submit():
        organiser = organisers.authenticate(
            db.session, form.email.data or "", form.password.data or "", now=utcnow()
        )
        if organiser is not None:
            db.session.commit()
            login_user(organiser)
            return redirect(_safe_next(request.args.get("next")) or url_for(".home"))
        flash(_("Wrong e-mail or password."), "error")
    return render_template("organiser/login.html", form=form)


@bp.post("/logout")
@allow_checkin_staff
def logout():
    logout_user()
    flash(_("You are logged out."))
    response = redirect(url_for(".login"))
    # The scanner's roster, queue and kept pages leave the phone with its staff member.
    response.headers["Clear-Site-Data"] = '"storage"'
    return response


@bp.get("/")
@allow_checkin_staff
def home():
    editions = programme.list_editions(db.session)
    return render_template("organiser/home.html", editions=editions, staff=current_user)


# -- shared by the back office's modules


def load_edition(slug: str) -> Edition:
    """The edition of the URL, or the 404 page."""
    return programme.get_edition(db.session, slug)


def actor() -> Organiser:
    return current_user._get_current_object()


def send_mail() -> None:
    """After the commit: the outbox is sent in the background."""
    mailer.wake(current_app._get_current_object())


def flash_errors(messages: list[str]) -> None:
    for message in messages:
        flash(message, "error")
