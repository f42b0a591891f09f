"""Who is asking: organisers log in with a password (session cookie) in the browser, and
scanners or scripts send ``Authorization: Bearer <token>`` to the API.

Every route of the organiser blueprint requires an admin unless it says otherwise
(``allow_checkin_staff``), so a new page cannot be left open by mistake; API routes
for staff use ``staff_api``. A test walks the URL map to prove both.

A session cookie names a login session kept on the server (``services.backoffice.logins``):
each request checks that it was not ended and has not idled or aged out. The API takes
the cookie too (the scanner page), but a call that changes something must then carry the
page's CSRF token (``X-CSRFToken``): another site can make a browser send the cookie,
never that header. A bearer token needs none, as no browser sends one by itself.
"""

from __future__ import annotations

from collections.abc import Callable
from datetime import timedelta
from functools import wraps

from flask import Flask, Response, abort, current_app, g, request
from flask_babel import lazy_gettext as _l
from flask_login import current_user
from flask_wtf.csrf import CSRFError
from sqlalchemy.exc import SQLAlchemyError
from werkzeug.exceptions import Forbidden, Unauthorized

from school import keeping
from school.database import utcnow
from school.extensions import csrf, db, login
from school.models import Organiser
from school.services.backoffice import logins, organisers

login.login_view = "organiser.login"
login.login_message = _l("Please log in to see this page.")
login.login_message_category = "error"

SAFE_METHODS = frozenset({"GET", "HEAD", "OPTIONS"})


class TokenExpired(Unauthorized):
    """A bearer token past its expiry date."""


class OutsideTokenScope(Forbidden):
    """A bearer token made for one edition, used on another edition's routes."""


class CsrfTokenMissing(Forbidden):
    """A call that changes something, made with the session cookie alone. Forbidden (not
    a 400) so that the scanner keeps such a scan and asks to log in again, rather than
    dropping it as invalid."""


def lifetimes() -> logins.Lifetimes:
    config = current_app.config
    return logins.Lifetimes(
        idle=timedelta(hours=float(config["STAFF_SESSION_IDLE_HOURS"])),
        absolute=timedelta(days=float(config["STAFF_SESSION_MAX_DAYS"])),
    )


@login.user_loader
def load_organiser(user_id: str) -> Organiser | None:
    # "<organiser id>:<login session key>" (Organiser.get_id); a cookie of the old form,
    # a bare id, names no login session and opens nothing.
    organiser_id, _, key = user_id.partition(":")
    if not organiser_id.isdigit() or not key:
        return None
    now = utcnow()
    found = logins.resume(db.session, int(organiser_id), key, now=now, lifetimes=lifetimes())
    if found is None:
        return None
    if logins.seen_is_due(found, now):
        g.login_seen = found.id
    organiser = found.organiser
    organiser.login_key = key
    return organiser


def register_login_sessions(app: Flask) -> None:
    @app.after_request
    def _note_activity(response: Response) -> Response:
        # A login session's last activity, at most once a minute, in a small transaction
        # of its own after the request's work (which committed what it had to).
        if "login_seen" in g:
            try:
                db.session.rollback()
                logins.mark_seen(db.session, g.login_seen, now=utcnow())
                db.session.commit()
            except SQLAlchemyError:
                db.session.rollback()  # the next request notes it
        return response


def allow_checkin_staff(view: Callable) -> Callable:
    """Mark an organiser page as open to check-in staff too (default: admins only)."""
    view.allow_checkin_staff = True
    return view


def require_organiser(view: Callable | None) -> None:
    """The organiser blueprint's gate, run before every one of its views."""
    if view is not None and getattr(view, "public", False):
        return None
    if not current_user.is_authenticated:
        return login.unauthorized()
    if not current_user.is_admin and not getattr(view, "allow_checkin_staff", False):
        abort(403)
    return None


def public(view: Callable) -> Callable:
    """The login page itself."""
    view.public = True
    return view


def current_staff() -> Organiser | None:
    """The organiser behind this API request: a bearer token, or the logged-in session."""
    if "staff" in g:
        return g.staff
    staff = staff_to_read()
    if staff is not None and "api_token" in g:
        staff = keeping.attach(db.session, staff)
    g.staff = staff
    return staff


def staff_to_read() -> Organiser | None:
    """The same organiser, only to read (its id, name, role): for a bearer token, the copy
    the process keeps, shared by its threads and not in the request's session (taking it
    in cost a scan more than deciding it)."""
    if "staff_to_read" in g:
        return g.staff_to_read
    staff = None
    header = request.headers.get("Authorization", "")
    if header.startswith("Bearer "):
        grant = organisers.find_api_token(db.session, header[7:].strip())
        if grant is not None:
            g.api_token = grant
            staff = grant.organiser
    elif current_user.is_authenticated:
        staff = current_user._get_current_object()
    g.staff_to_read = staff
    return staff


def _check_credentials(edition_slug: str | None) -> None:
    """What the credentials of this request may do, beyond who they are: a token's
    expiry and edition; a cookie's CSRF token on a call that changes something."""
    api_token = g.get("api_token")
    if api_token is not None:
        now = utcnow()
        if api_token.has_expired(now):
            raise TokenExpired()
        if not organisers.token_admits(api_token, edition_slug):
            raise OutsideTokenScope()
        if organisers.use_is_due(api_token, now):
            g.api_token_id = api_token.id
    elif request.method not in SAFE_METHODS and current_app.config["WTF_CSRF_ENABLED"]:
        try:
            csrf.protect()
        except CSRFError as exc:
            raise CsrfTokenMissing() from exc


def staff_api(roles: tuple[str, ...] = ("admin", "checkin")) -> Callable:
    """An API route for staff of these roles; anyone else is refused (401, 403), in the
    API's error shape like every API error."""

    def decorate(view: Callable) -> Callable:
        @wraps(view)
        def wrapped(*args, **kwargs):
            staff = staff_to_read()
            if staff is None:
                raise Unauthorized()
            _check_credentials(kwargs.get("slug"))
            if staff.role not in roles:
                raise Forbidden()
            try:
                return view(*args, **kwargs)
            finally:
                if "api_token_id" in g:  # also when the view refused: the token was used
                    db.session.rollback()  # the view committed what it had to
                    organisers.mark_used(db.session, g.api_token_id, now=utcnow())
                    db.session.commit()

        wrapped.staff_roles = roles
        return wrapped

    return decorate


def may_preview() -> bool:
    """Whether the visitor sees editions not yet published (a signed-in organiser)."""
    return bool(current_user.is_authenticated and current_user.is_admin)
