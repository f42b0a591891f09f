"""Errors as pages in the visitor's language, never a stack trace. Under /api/ every
error is the API's own (``school.web.api.errors``): JSON, one shape."""

from __future__ import annotations

import contextlib

from flask import Flask, Response, current_app, make_response, render_template, request
from flask_babel import gettext as _
from flask_login import current_user
from flask_wtf.csrf import CSRFError
from werkzeug.exceptions import HTTPException

from school.database import is_unreachable
from school.extensions import db
from school.i18n import in_back_office, language
from school.services.errors import DomainError, NotFound
from school.services.programme import catalogue
from school.web.api import errors as api_errors
from school.web.security import NotUnicode, Unprintable


def register_error_handlers(app: Flask) -> None:
    # One entry for every error (HTTP ones included), so that nothing under /api/ can
    # slip past the API's handler to a page, nor a page's error to JSON.
    app.register_error_handler(Exception, _handle)


def _handle(exc: Exception) -> Response:
    if api_errors.is_api_request():
        return api_errors.answer(exc)
    return _page(exc)


def _page(exc: Exception) -> Response:
    if isinstance(exc, NotFound):
        return _render(404, _("This page does not exist."))
    if isinstance(exc, CSRFError):
        return _render(
            400,
            _(
                "This form has expired, for your security. Nothing was saved: please go back,"
                " reload the page and send it again."
            ),
        )
    if isinstance(exc, Unprintable | NotUnicode):
        return _render(400, _("This contains characters that cannot be printed."))
    if isinstance(exc, HTTPException):
        return _http_error(exc)
    if is_unreachable(exc):
        return _unavailable(exc)
    current_app.logger.exception("unexpected error on %s %s", request.method, request.path)
    return _render(500, _("Something went wrong on our side. Please try again shortly."))


def _http_error(exc: HTTPException) -> Response:
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


def _unavailable(exc: Exception) -> Response:
    """The database cannot be reached: say so, and that it is worth trying again soon.
    Nothing was half-written: the request's transaction never committed."""
    current_app.logger.error("database unavailable on %s %s: %s", request.method, request.path, exc)
    with contextlib.suppress(Exception):  # the connection is gone: nothing to roll back
        db.session.rollback()
    message = _("The service is briefly unavailable. Please try again shortly.")
    # Rendered without context processors: they would ask the database (who is logged in).
    page = current_app.jinja_env.get_template("unavailable.html")
    response = make_response(page.render(message=message, language=language()))
    response.status_code = 503
    response.headers["Retry-After"] = "30"
    return response


def _render(status: int, message: str) -> Response:
    if in_back_office() and current_user.is_authenticated:
        # An organiser keeps the back office's navigation; someone not logged in gets the
        # public page, which names no edition (the gate sent them to log in before any
        # page of an edition could answer).
        page = render_template(
            "organiser/error.html", status=status, message=message, edition=_edition_of_url()
        )
    else:
        page = render_template("error.html", status=status, message=message)
    response = make_response(page)
    response.status_code = status
    return response


def _edition_of_url():
    """The edition the back-office address names, if it exists: its menu on the page."""
    slug = (request.view_args or {}).get("slug")
    if request.url_rule is None:  # no page there: /organiser/<slug>/…, maybe
        slug = request.path.split("/")[2]
    if not isinstance(slug, str) or not slug:
        return None
    with contextlib.suppress(DomainError):
        return catalogue.get_edition(db.session, slug)
    return None
