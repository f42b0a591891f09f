"""Signing in and out of the back office, and its home page."""

from __future__ import annotations

from flask import flash, redirect, render_template, request, url_for
from flask_babel import gettext as _
from flask_login import current_user, login_user, logout_user

from school.database import utcnow
from school.extensions import db, limiter
from school.forms.organiser import LoginForm
from school.services.backoffice import organisers
from school.services.programme import catalogue
from school.web.actions import form_action
from school.web.auth import allow_checkin_staff, public
from school.web.organiser.blueprint import bp


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
        with form_action() as action:  # a wrong password writes nothing
            organiser = organisers.authenticate(
                db.session, form.email.data or "", form.password.data or "", now=utcnow()
            )
        if action.done and organiser is not None:
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
    editions = catalogue.list_editions(db.session)
    return render_template("organiser/home.html", editions=editions, staff=current_user)
