"""The programme as JSON: ``GET /api/v1/editions/<slug>/programme``."""

from __future__ import annotations

import hashlib
import json
from typing import Any

from flask import Response, request, url_for

from school.database import utcnow
from school.extensions import db
from school.models import Edition, Session
from school.models.vocabulary import CONTENT_LANGUAGES
from school.services.programme import catalogue, lifecycle
from school.web.api.blueprint import bp
from school.web.api.openapi import operation
from school.web.auth import may_preview
from school.web.render_cache import render_cache


@bp.get("/editions/<slug>/programme")
@operation(
    "get",
    "/editions/{slug}/programme",
    "The programme: every session with its time, room, seats left and speakers",
    responses={"200": ("The programme", "Programme")},
)
def programme_json(slug: str):
    # Absolute links inside: the address is part of what the body is made of. The key
    # names a state in this process only: the ETag is the body's digest, the same in
    # every process for the same body.
    state = catalogue.edition_state(db.session, slug, preview=may_preview())
    key = programme_json_key(state, request.host_url)
    cache = render_cache()
    kept = kept_programme_json(cache, state, request.host_url) if state is not None else None
    if kept is None:
        edition = catalogue.get_edition(db.session, slug, preview=may_preview())
        plan = catalogue.load_programme(db.session, edition)
        body = json.dumps(
            {
                "edition": edition_json(edition),
                "sessions": [session_json(s, plan) for s in plan.sessions],
            },
            ensure_ascii=False,
        ).encode()
        etag = hashlib.sha256(body).hexdigest()[:32]
        if state is not None:
            cache.put(key, etag.encode() + body)
    else:
        etag, body = kept
    # Weak comparison, as If-None-Match asks: a proxy that compresses the answer (nginx
    # with gzip) turns its ETag into W/"…", which must still match.
    if request.if_none_match.contains_weak(etag):
        response = Response(status=304)
    else:
        response = Response(body, mimetype="application/json")
    response.set_etag(etag)
    response.headers["Cache-Control"] = PROGRAMME_CACHING
    return response


# Anyone may keep it, and asks again each time whether it changed (a 304 if not).
PROGRAMME_CACHING = "public, no-cache"


def programme_json_key(state: str | None, host_url: str) -> str:
    """What the process keeps the programme's JSON under: its absolute links name the
    address it was asked at. ``state``: ``catalogue.edition_state``."""
    return f"programme-json:{state}:{host_url}"


def kept_programme_json(cache, state: str, host_url: str) -> tuple[str, bytes] | None:
    """The ETag and body of the programme's JSON, if the process keeps them."""
    kept = cache.get(programme_json_key(state, host_url))
    return None if kept is None else (kept[:32].decode(), kept[32:])


def edition_json(edition: Edition) -> dict[str, Any]:
    return {
        "slug": edition.slug,
        "title": {"fr": edition.title_fr, "en": edition.text("title", "en")},
        "timezone": edition.timezone,
        "starts_on": edition.starts_on.isoformat(),
        "ends_on": edition.ends_on.isoformat(),
        "city": edition.city,
        "city_en": edition.city_en,
        "venue": edition.venue,
        "address": edition.address,
        **_state_json(edition),
    }


def _state_json(edition: Edition) -> dict[str, Any]:
    state = lifecycle.state_of(edition, utcnow())
    tz = edition.tz

    def moment(value):
        return value.astimezone(tz).isoformat() if value else None

    return {
        "state": "draft" if state.is_draft else state.key,
        "registration_opens_at": moment(state.opens_at),
        "registration_closes_at": moment(state.closes_at),
        "demo": edition.is_demo,
    }


def _texts(session: Session, field: str) -> dict[str, str]:
    """French and English always (English falls back to French), other languages when written."""
    texts = {"fr": getattr(session, f"{field}_fr"), "en": session.text(field, "en")}
    for lang in CONTENT_LANGUAGES[2:]:
        if value := getattr(session, f"{field}_{lang}"):
            texts[lang] = value
    return texts


def session_json(session: Session, plan: catalogue.Programme) -> dict[str, Any]:
    tz = plan.edition.tz
    room = session.room
    return {
        "id": session.id,
        "key": session.key,
        "uid": session.uid,
        "kind": session.kind,
        "title": _texts(session, "title"),
        "description": _texts(session, "description") if session.description_fr else None,
        "starts_at": session.starts_at.astimezone(tz).isoformat(),
        "ends_at": session.ends_at.astimezone(tz).isoformat(),
        "room": {
            "id": room.key,
            "name": {"fr": room.name_fr, "en": room.text("name", "en")},
            "capacity": room.capacity,
        }
        if room
        else None,
        "capacity": session.capacity,
        "seats_left": plan.seats_left(session),
        # Whether people come by choosing it, as the page says "registration required":
        # marked so, or its seats counted (a tour in small groups).
        "requires_registration": bool(session.is_by_choice),
        "audience": session.audience,
        "status": session.status,
        "meal": session.is_meal,
        "url": url_for(
            "public.session_page", slug=plan.edition.slug, session_id=session.id, _external=True
        ),
        "speakers": [
            {
                "id": link.person.key,
                "name": link.person.full_name,
                "role": link.role,
                "tentative": link.is_tentative,
                "function": link.person.function_fr,
                "organisation": link.person.organisation,
            }
            for link in session.people
        ],
    }
