"""Errors as pages in the visitor's language, or as JSON under /api/: never a stack trace."""

from __future__ import annotations

from flask import Flask, Response, jsonify, make_response, render_template, request
from flask_babel import gettext as _
from flask_wtf.csrf import CSRFError
from werkzeug.exceptions import HTTPException

from school.services.errors import NotFound


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

    @app.errorhandler(Exception)
    def unexpected(exc: Exception):
        if isinstance(exc, HTTPException):
            return http_error(exc)
        app.logger.exception("unexpected error on %s %s", request.method, request.path)
        return _render(500, _("Something went wrong on our side. Please try again shortly."))


def _render(status: int, message: str) -> Response:
    if _wants_json():
        response = jsonify({"error": message, "status": status})
    else:
        response = make_response(render_template("error.html", status=status, message=message))
    response.status_code = status
    return response
