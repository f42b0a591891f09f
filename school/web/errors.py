"""Errors as pages in the visitor's language, or as JSON under /api/: never a stack trace."""

from __future__ import annotations

import contextlib

from flask import (
    Flask,
    Response,
    current_app,
    jsonify,
    make_response,
    render_template,
    request,
)
from flask_babel import gettext as _
from flask_wtf.csrf import CSRFError
from sqlalchemy.exc import DBAPIError, OperationalError
from werkzeug.exceptions import HTTPException

from school.i18n import language
from school.services.errors import NotFound
from school.web.security import Unprintable


def _wants_json() -> bool:
    return request.path.startswith("/api/")


def register_error_handlers(app: Flask) -> None:
    @app.errorhandler(NotFound)
    def not_found(exc: NotFound):
        return _render(404, _("This page does not exist."))

    @app.errorhandler(CSRFError)
    def csrf_error(exc: CSRFError):
        return _render(
            400,
            _(
                "This form has expired, for your security. Nothing was saved: please go back,"
                " reload the page and send it again."
            ),
        )

    @app.errorhandler(Unprintable)
    def unprintable(exc: Unprintable):
        return _render(400, _("This contains characters that cannot be printed."))

    @app.errorhandler(HTTPException)
    def http_error(exc: HTTPException):
        messages = {
            400: _("The request could not be understood."),
            403: _("You are not allowed to see this page."),
            404: _("This page does not exist."),
            405: _("This action is not allowed here."),
            413: _("What you sent is too large."),
            429: _("Too many attempts. Please wait a minute and try again."),
        }
        response = _render(exc.code or 500, messages.get(exc.code or 500, exc.description))
        if exc.code == 429 and getattr(exc, "retry_after", None):
            response.headers["Retry-After"] = str(exc.retry_after)
        return response

    @app.errorhandler(OperationalError)
    def database_unavailable(exc: OperationalError):
        return _unavailable(exc)

    @app.errorhandler(Exception)
    def unexpected(exc: Exception):
        if isinstance(exc, HTTPException):
            return http_error(exc)
        if isinstance(exc, DBAPIError) and exc.connection_invalidated:
            return _unavailable(exc)
        app.logger.exception("unexpected error on %s %s", request.method, request.path)
        return _render(500, _("Something went wrong on our side. Please try again shortly."))


def _unavailable(exc: Exception) -> Response:
    """The database cannot be reached: say so, and that it is worth trying again soon.
    Nothing was half-written: the request's transaction never committed."""
    from school.extensions import db

    current_app.logger.error("database unavailable on %s %s: %s", request.method, request.path, exc)
    with contextlib.suppress(Exception):  # the connection is gone: nothing to roll back
        db.session.rollback()
    message = _("The service is briefly unavailable. Please try again shortly.")
    if _wants_json():
        response = jsonify({"error": message, "status": 503})
    else:
        # Rendered without context processors: they would ask the database (who is logged in).
        page = current_app.jinja_env.get_template("unavailable.html")
        response = make_response(page.render(message=message, language=language()))
    response.status_code = 503
    response.headers["Retry-After"] = "30"
    return response


def _render(status: int, message: str) -> Response:
    if _wants_json():
        response = jsonify({"error": message, "status": status})
    else:
        response = make_response(render_template("error.html", status=status, message=message))
    response.status_code = status
    return response
