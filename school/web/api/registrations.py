"""``POST /api/v1/editions/<slug>/registrations``: the registration form as JSON, same rules."""

from __future__ import annotations

from datetime import date
from typing import Any

from flask import current_app, jsonify
from flask_babel import gettext as _

from school.database import is_id, utcnow
from school.extensions import db, limiter
from school.services.badges import printing
from school.services.errors import DomainError
from school.services.mail import outbox
from school.services.programme import catalogue
from school.services.registration import registrations
from school.services.registration.data import RegistrationData
from school.urls import absolute_url
from school.web.api.blueprint import bp
from school.web.api.errors import InvalidInput, json_object
from school.web.api.openapi import operation
from school.web.auth import may_preview

API_LIMIT = "60 per minute;1000 per hour"  # generous: a registration desk shares one address

_TEXT = ("first_name", "last_name", "email", "organisation", "cite", "country", "category",
         "language", "dietary", "accessibility", "member_code")  # fmt: skip
_OPTIONAL = {"organisation", "cite", "dietary", "accessibility", "member_code"}


def parse_registration(body: Any) -> tuple[RegistrationData, dict[str, list[str]]]:
    """Check the JSON's shape (types); the service checks the content."""
    errors: dict[str, list[str]] = {}
    data = RegistrationData()

    def wrong(name: str, message: str) -> None:
        errors.setdefault(name, []).append(message)

    for name in _TEXT:
        value = body.get(name)
        if value is None:
            if name not in _OPTIONAL and name != "language":
                wrong(name, _("Please fill in this field."))
            continue
        if not isinstance(value, str):
            wrong(name, _("Must be text."))
            continue
        setattr(data, name, value)
    if body.get("language") is None:
        data.language = "fr"
    for name in ("days",):
        value = body.get(name)
        if not isinstance(value, list) or not all(isinstance(v, str) for v in value):
            wrong(name, _("Must be a list of dates (YYYY-MM-DD)."))
            continue
        try:
            data.days = [date.fromisoformat(v) for v in value]
        except ValueError:
            wrong(name, _("Must be a list of dates (YYYY-MM-DD)."))
    for name in ("sessions", "meals"):
        value = body.get(name, [])
        if not isinstance(value, list) or not all(is_id(v) for v in value):
            wrong(name, _("Must be a list of session ids."))
            continue
        setattr(data, name, value)
    for source, target in (("consent", "privacy_consent"), ("photo_consent", "photo_consent")):
        value = body.get(source, False)
        if not isinstance(value, bool):
            wrong(source, _("Must be true or false."))
            continue
        setattr(data, target, value)
    return data, errors


@bp.post("/editions/<slug>/registrations")
@limiter.limit(API_LIMIT)
@operation(
    "post",
    "/editions/{slug}/registrations",
    "Register a participant, with the same rules as the form",
    request="RegistrationRequest",
    responses={"201": ("Registered", "RegistrationCreated")},
    errors={
        "403": "Registration is closed, not open yet, or the School is full",
        "409": "Already registered: the private link was e-mailed again",
    },
)
def create_registration(slug: str):
    edition = catalogue.get_edition(db.session, slug, preview=may_preview())
    body = json_object()
    data, errors = parse_registration(body)
    if errors:
        raise InvalidInput(errors)
    if body.get("consent") is not True:
        data.privacy_consent = False
    outcome = registrations.register(db.session, edition, data, now=utcnow())
    # Written before the commit, which would expire what it reads and load it all again.
    answer = registration_json(outcome.registration, outcome.positions) if outcome.created else None
    db.session.commit()  # an address already registered: its private link is e-mailed again
    outbox.wake(current_app._get_current_object())
    if answer is None:
        raise DomainError(
            _("This address is already registered: we have e-mailed its private link to it."),
            code="already_registered",
        )
    return jsonify(answer), 201


def registration_json(registration, positions: dict[int, int]) -> dict[str, Any]:
    manage_url = absolute_url("participant.manage", token=registration.manage_token)
    choices = sorted(registration.choices, key=lambda c: c.session.starts_at)
    return {
        "id": registration.id,
        "status": registration.status,
        "manage_url": manage_url,
        "badge_url": printing.badge_url(registration),
        "agenda_url": absolute_url("participant.agenda", token=registration.manage_token),
        "choices": [
            {
                "session_id": c.session_id,
                "status": c.status,
                "waitlist_position": positions.get(c.id),
            }
            for c in choices
        ],
    }
