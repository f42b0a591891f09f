"""Every error the JSON API answers, whatever raised it, turned into a status and a body
here and nowhere else: ``{"code": "<machine word>", "message": "<in the request's
language>"}``, plus ``"errors": {field: [message]}`` for invalid input (422).

``school.web.errors`` hands this module every error raised under ``/api/`` (a domain
error from a service, a refused token, an unknown address, a body too large, a rate
limit…); routes raise, they never build an error body. The OpenAPI document describes
the body once, as ``Error``."""

from __future__ import annotations

import contextlib
from dataclasses import dataclass, field
from typing import Any

from flask import Response, current_app, jsonify, request
from flask_babel import gettext as _
from werkzeug.exceptions import BadRequest, HTTPException, MethodNotAllowed

from school.database import is_unreachable
from school.extensions import db
from school.services.errors import DomainError
from school.web.auth import CsrfTokenMissing, OutsideTokenScope, TokenExpired
from school.web.security import NotUnicode, Unprintable

API_PATHS = "/api/"

# A domain error's status, by its code. Any other refusal of a rule conflicts with the
# state of things (409): an address already registered, a check-in that is not standing.
_STATUS = {"not_found": 404, "invalid": 422, "registration_closed": 403, "edition_full": 403}
_STATUS["call_closed"] = 403  # the call for initiatives is not open
# The services' names of a few fields, as the API's bodies call them.
_FIELD_NAMES = {"privacy_consent": "consent"}


class InvalidInput(DomainError):
    """What the API's own reading of a body refused (a type, a format), field by field:
    answered like the services' ``invalid`` errors."""

    code = "invalid"

    def __init__(self, errors: dict[str, list[str]]):
        super().__init__("invalid input")
        self.errors = errors


class NotJson(BadRequest):
    """The body is not a JSON object."""


def json_object() -> dict[str, Any]:
    """The request's body, which must be a JSON object."""
    body = request.get_json(silent=True)
    if not isinstance(body, dict):
        raise NotJson()
    return body


def is_api_request() -> bool:
    return request.path.startswith(API_PATHS)


@dataclass
class Problem:
    status: int
    code: str
    message: str
    errors: dict[str, list[str]] | None = None
    headers: dict[str, str] = field(default_factory=dict)


def answer(exc: BaseException) -> Response:
    """The API's answer to ``exc``: nothing of the request's work is kept, no trace shown."""
    with contextlib.suppress(Exception):  # after a database outage there is nothing to undo
        db.session.rollback()
    problem = _problem(exc)
    response = jsonify(_body(problem))
    response.status_code = problem.status
    response.headers.update(problem.headers)
    return response


def refusal_json(refusal: DomainError) -> dict[str, Any]:
    """The body of a rule's refusal, where an answer holds several outcomes (a batch of
    scans): what the API would answer had it been sent alone."""
    return _body(_domain_problem(refusal))


def _body(problem: Problem) -> dict[str, Any]:
    body: dict[str, Any] = {"code": problem.code, "message": problem.message}
    if problem.errors is not None:
        body["errors"] = problem.errors
    return body


def _problem(exc: BaseException) -> Problem:
    if isinstance(exc, DomainError):
        return _domain_problem(exc)
    if isinstance(exc, HTTPException):
        return _http_problem(exc)
    if is_unreachable(exc):
        current_app.logger.error(
            "database unavailable on %s %s: %s", request.method, request.path, exc
        )
        return Problem(
            503,
            "unavailable",
            _("The service is briefly unavailable. Please try again shortly."),
            headers={"Retry-After": "30"},
        )
    current_app.logger.exception(
        "unexpected error on %s %s", request.method, request.path, exc_info=exc
    )
    return Problem(500, "internal_error", _went_wrong())


def _domain_problem(exc: DomainError) -> Problem:
    status = _STATUS.get(exc.code, 409)
    if exc.code == "invalid":
        fields = getattr(exc, "errors", {})
        errors = {_FIELD_NAMES.get(name, name): list(texts) for name, texts in fields.items()}
        return Problem(422, "invalid", _("Some fields are wrong."), errors=errors)
    # These services' messages are for the log and the command line, not for people.
    messages = {
        "not_found": _("This page does not exist."),
        "not_undoable": _("This check-in was refused or is already undone: nothing to undo."),
    }
    return Problem(status, exc.code, messages.get(exc.code, exc.message))


def _http_problem(exc: HTTPException) -> Problem:
    status = exc.code or 500
    if isinstance(exc, NotJson):
        return Problem(400, "not_json", _("Send a JSON object."))
    if isinstance(exc, Unprintable):
        return Problem(400, "unprintable", _("This contains characters that cannot be printed."))
    if isinstance(exc, NotUnicode):
        errors = {exc.field: [_("This contains characters that cannot be printed.")]}
        return Problem(422, "invalid", _("Some fields are wrong."), errors=errors)
    if isinstance(exc, TokenExpired):
        problem = Problem(401, "token_expired", _("This API token has expired: ask for a new one."))
        problem.headers["WWW-Authenticate"] = 'Bearer realm="school", error="invalid_token"'
        return problem
    if isinstance(exc, OutsideTokenScope):
        return Problem(403, "token_scope", _("This API token is for another edition."))
    if isinstance(exc, CsrfTokenMissing):
        return Problem(
            403, "csrf_missing", _("This page has expired. Reload it (and log in again if asked).")
        )
    known = {
        400: ("bad_request", _("The request could not be understood.")),
        401: ("authentication_required", _("Authentication required.")),
        403: ("forbidden", _("Your account may not do this.")),
        404: ("not_found", _("This page does not exist.")),
        405: ("method_not_allowed", _("This action is not allowed here.")),
        413: ("too_large", _("What you sent is too large.")),
        429: ("rate_limited", _("Too many attempts. Please wait a minute and try again.")),
        500: ("internal_error", _went_wrong()),
    }
    if status in known:
        code, message = known[status]
    else:
        code = exc.name.lower().replace(" ", "_")
        message = _("The request could not be understood.") if status < 500 else _went_wrong()
    problem = Problem(status, code, message)
    if status == 401:
        problem.headers["WWW-Authenticate"] = 'Bearer realm="school"'
    if isinstance(exc, MethodNotAllowed) and exc.valid_methods:
        problem.headers["Allow"] = ", ".join(exc.valid_methods)
    if status == 429 and getattr(exc, "retry_after", None):
        problem.headers["Retry-After"] = str(exc.retry_after)
    return problem


def _went_wrong() -> str:
    return _("Something went wrong on our side. Please try again shortly.")
