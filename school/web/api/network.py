"""The network's exchange as JSON: ``GET /api/v1/cites`` (the directory), and an edition's
initiatives: submit (public), list (accepted only), decide (staff)."""

from __future__ import annotations

import base64
import binascii
from typing import Any

from flask import current_app, jsonify
from flask_babel import gettext as _

from school.database import utcnow
from school.extensions import db, limiter
from school.services.mail import outbox
from school.services.network import cites, initiatives, moderation, pictures
from school.services.network.initiatives import InitiativeData
from school.services.programme import catalogue
from school.urls import absolute_url
from school.web.api.blueprint import bp
from school.web.api.errors import InvalidInput, json_object
from school.web.api.openapi import operation
from school.web.auth import current_staff, staff_api
from school.web.security import takes_picture

SUBMIT_LIMIT = "10 per minute;100 per hour"
_TEXT = ("cite", "organisation", "country", "kind", "contact_name", "contact_email", "language")


@bp.get("/cites")
@operation(
    "get", "/cites", "The directory of the Cités des métiers",
    responses={"200": ("The Cités, by name", "Cites")},
)  # fmt: skip
def cites_json():
    return jsonify([cites.as_json(c) for c in cites.directory(db.session)])


def parse_initiative(body: dict[str, Any]) -> tuple[InitiativeData, dict[str, list[str]]]:
    """Check the JSON's shape (types); the service checks the content."""
    errors: dict[str, list[str]] = {}
    data = InitiativeData()

    def wrong(name: str, message: str) -> None:
        errors.setdefault(name, []).append(message)

    for name in ("title", "summary"):
        value = body.get(name)
        if not isinstance(value, dict) or not all(
            isinstance(v, str | None) for v in value.values()
        ):
            wrong(name, _("Must be an object with the text in French and English: {fr, en}."))
            continue
        setattr(data, f"{name}_fr", value.get("fr"))
        setattr(data, f"{name}_en", value.get("en"))
    for name in _TEXT:
        value = body.get(name)
        if value is None:
            continue
        if not isinstance(value, str):
            wrong(name, _("Must be text."))
            continue
        setattr(data, name, value)
    data.language = body.get("language") or "fr"
    themes = body.get("themes")
    if not isinstance(themes, list) or not all(isinstance(t, str) for t in themes):
        wrong("themes", _("Must be a list of themes."))
    else:
        data.themes = themes
    consent = body.get("consent_publish", False)
    if not isinstance(consent, bool):
        wrong("consent_publish", _("Must be true or false."))
    else:
        data.consent_publish = consent
    picture = body.get("picture")
    if picture is not None:
        if not isinstance(picture, str):
            wrong("picture", _("Must be the image in base64."))
        else:
            try:
                data.picture = base64.b64decode(picture.split(",", 1)[-1], validate=True)
            except (binascii.Error, ValueError):
                wrong("picture", _("Must be the image in base64."))
    return data, errors


@bp.post("/editions/<slug>/initiatives")
@takes_picture(pictures.REQUEST_MAX)
@limiter.limit(SUBMIT_LIMIT)
@operation(
    "post",
    "/editions/{slug}/initiatives",
    "Submit an initiative to the edition's call (the private edit link is e-mailed)",
    request="InitiativeRequest",
    responses={"201": ("Received", "InitiativeCreated")},
    errors={"403": "`call_closed`: the call for initiatives is not open"},
)
def submit_initiative(slug: str):
    edition = catalogue.get_edition(db.session, slug)
    data, errors = parse_initiative(json_object())
    if errors:
        raise InvalidInput(errors)
    initiative = initiatives.submit(db.session, edition, data, now=utcnow())
    answer = {
        "id": initiative.id,
        "decision": initiative.decision,
        "edit_url": absolute_url("initiatives.edit", slug=slug, token=initiative.edit_token),
    }
    db.session.commit()
    outbox.wake(current_app._get_current_object())
    return jsonify(answer), 201


@bp.get("/editions/<slug>/initiatives")
@operation(
    "get",
    "/editions/{slug}/initiatives",
    "The accepted initiatives of the edition (the wall)",
    responses={"200": ("The accepted initiatives", "Initiatives")},
)
def initiatives_json(slug: str):
    edition = catalogue.get_edition(db.session, slug)
    names = cites.by_key(db.session)
    return jsonify(
        [
            initiatives.public_json(i, names, _picture_url(slug, i))
            for i in initiatives.accepted(db.session, edition)
        ]
    )


def _picture_url(slug: str, initiative) -> str | None:
    if not initiative.picture_type:
        return None
    return absolute_url("initiatives.picture", slug=slug, initiative_id=initiative.id)


@bp.post("/editions/<slug>/initiatives/<int:initiative_id>/decision")
@staff_api(roles=("admin",))
@operation(
    "post",
    "/editions/{slug}/initiatives/{initiative_id}/decision",
    "Decide on an initiative; the submitter is e-mailed the decision in their language",
    request="DecisionRequest",
    secured=True,
    responses={"200": ("Decided", "DecisionResult")},
    errors={"404": "No such edition, or no such initiative in it"},
)
def decide_initiative(slug: str, initiative_id: int):
    edition = catalogue.get_edition(db.session, slug)
    initiative = initiatives.get(db.session, edition, initiative_id)
    body = json_object()
    decision, message = body.get("decision"), body.get("message")
    errors: dict[str, list[str]] = {}
    if not isinstance(decision, str):
        errors["decision"] = [_("Please choose accepted, declined or changes_requested.")]
    if message is not None and not isinstance(message, str):
        errors["message"] = [_("Must be text.")]
    if errors:
        raise InvalidInput(errors)
    moderation.decide(
        db.session, initiative, decision, message, actor=current_staff(), now=utcnow()
    )
    answer = {"id": initiative.id, "decision": initiative.decision}
    db.session.commit()
    outbox.wake(current_app._get_current_object())
    return jsonify(answer)
