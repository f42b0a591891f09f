"""Signing in and out of the back office, its home page, and one's own account: a new
password, and signing out on every device."""

from __future__ import annotations

from urllib.parse import unquote, urlsplit

from flask import current_app, flash, redirect, render_template, request, url_for
from flask_babel import gettext as _
from flask_login import current_user, login_user, logout_user
from werkzeug.exceptions import HTTPException
from werkzeug.wrappers import Response

from school.database import utcnow
from school.extensions import db, limiter
from school.forms.organiser import LoginForm, PasswordForm
from school.services.backoffice import logins, organisers
from school.services.email_addresses import email_key
from school.services.programme import catalogue
from school.web.actions import form_action
from school.web.auth import allow_checkin_staff, public
from school.web.organiser.blueprint import actor, bp


def _safe_next(target: str | None) -> str | None:
    """``target`` if it is a page of this back office, given as a path: never another
    host, whatever a browser would make of tabs, backslashes or escapes in it."""
    if not target or len(target) > 2000 or not target.isprintable() or "\\" in target:
        return None
    parts = urlsplit(target)
    if parts.scheme or parts.netloc or not parts.path.startswith("/"):
        return None
    path = unquote(parts.path)
    if path.startswith("//") or not path.isprintable() or "\\" in path:
        return None
    try:
        endpoint, _args = current_app.url_map.bind("").match(path, method="GET")
    except HTTPException:  # no such page, or only by another method or address
        return None
    return target if endpoint.startswith(f"{bp.name}.") else None


def _account_key() -> str:
    # The account a login names, as accounts are looked up: one count per account,
    # whether or not it exists (the answer must not tell).
    return "login-account:" + email_key(request.form.get("email", ""))[:254]


def _login_failed(response: Response) -> bool:
    return response.status_code != 302


@bp.route("/login", methods=["GET", "POST"])
@limiter.limit("10 per minute;100 per hour", methods=["POST"])
@limiter.limit(
    lambda: current_app.config["LOGIN_LIMIT_PER_ACCOUNT"],
    key_func=_account_key,
    methods=["POST"],
    deduct_when=_login_failed,
)
@public
def login():
    form = LoginForm()
    if form.validate_on_submit():
        now = utcnow()
        key = None
        with form_action() as action:  # a wrong password writes nothing
            organiser = organisers.authenticate(
                db.session, form.email.data or "", form.password.data or "", now=now
            )
            if organiser is not None:
                key = logins.start(db.session, organiser, now=now)
        if action.done and organiser is not None:
            organiser.login_key = key
            login_user(organiser)
            return redirect(_safe_next(request.args.get("next")) or url_for(".home"))
        flash(_("Wrong e-mail or password."), "error")
    return render_template("organiser/login.html", form=form)


def _signed_out(message: str) -> Response:
    logout_user()
    flash(message)
    response = redirect(url_for(".login"))
    # The scanner's roster, queue and kept pages leave the phone with its staff member.
    response.headers["Clear-Site-Data"] = '"storage"'
    return response


@bp.post("/logout")
@allow_checkin_staff
def logout():
    # Ended on the server: a copy of this cookie, wherever it went, opens nothing now.
    logins.end(db.session, current_user.id, current_user.login_key or "", now=utcnow())
    db.session.commit()
    return _signed_out(_("You are logged out."))


@bp.get("/")
@allow_checkin_staff
def home():
    editions = catalogue.list_editions(db.session)
    return render_template("organiser/home.html", editions=editions, staff=current_user)


@bp.get("/account")
@allow_checkin_staff
def account():
    return render_template("organiser/account.html", form=PasswordForm())


@bp.post("/account/password")
@allow_checkin_staff
def change_password():
    form = PasswordForm()
    me = actor()
    if form.validate_on_submit():
        now = utcnow()
        with form_action(form) as action:
            organisers.change_own_password(
                db.session, me, form.current.data or "", form.password.data or "", now=now
            )
            # Every other device is signed out; this browser goes on in a new session.
            key = logins.start(db.session, me, now=now)
        if action.done:
            me.login_key = key
            login_user(me)
            flash(_("Your password is changed. Your other devices are signed out."))
            return redirect(url_for(".account"))
    return render_template("organiser/account.html", form=form), 422


@bp.post("/account/sign-out")
@allow_checkin_staff
def sign_out_everywhere():
    organisers.sign_out_everywhere(db.session, actor(), now=utcnow(), actor=actor())
    db.session.commit()
    return _signed_out(_("You are signed out on every device."))
