"""Who is asking: organisers log in with a password (session cookie) in the browser, and
scanners or scripts send ``Authorization: Bearer <token>`` to the API.

Every route of the organiser blueprint requires an admin unless it says otherwise
(``allow_checkin_staff``), so a new page cannot be left open by mistake; API routes
for staff use ``staff_api``. A test walks the URL map to prove both.
"""

from __future__ import annotations

from collections.abc import Callable
from functools import wraps

from flask import abort, g, request
from flask_babel import lazy_gettext as _l
from flask_login import current_user
from werkzeug.exceptions import Forbidden, Unauthorized

from school.database import utcnow
from school.extensions import db, login
from school.models import Organiser
from school.services.backoffice import organisers

login.login_view = "organiser.login"
login.login_message = _l("Please log in to see this page.")
login.login_message_category = "error"


@login.user_loader
def load_organiser(organiser_id: str) -> Organiser | None:
    if not organiser_id.isdigit():
        return None
    organiser = db.session.get(Organiser, int(organiser_id))
    return organiser if organiser is not None and organiser.is_active else None


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
    staff = None
    header = request.headers.get("Authorization", "")
    if header.startswith("Bearer "):
        api_token = organisers.find_api_token(db.session, header[7:].strip())
        if api_token is not None:
            staff = api_token.organiser
            if organisers.use_is_due(api_token, utcnow()):
                g.api_token_id = api_token.id
    elif current_user.is_authenticated:
        staff = current_user._get_current_object()
    g.staff = staff
    return staff


def staff_api(roles: tuple[str, ...] = ("admin", "checkin")) -> Callable:
    """An API route for staff of these roles; anyone else is refused (401, 403), in the
    API's error shape like every API error."""

    def decorate(view: Callable) -> Callable:
        @wraps(view)
        def wrapped(*args, **kwargs):
            staff = current_staff()
            if staff is None:
                raise Unauthorized()
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
