"""Check-in API for scanners: ``POST …/checkins``, ``POST …/checkins/<id>/undo``,
``GET …/roster``. Staff only (bearer token, or the logged-in scanner page)."""

from __future__ import annotations

import functools
import re
from datetime import UTC, date, datetime
from typing import Any

from flask import Response, jsonify, request
from flask_babel import get_locale
from flask_babel import gettext as _

from school.database import is_id, utcnow
from school.extensions import db
from school.labels import VERDICT_LABELS
from school.services.checkin import batches, roster, scanning
from school.services.checkin.scanning import ScanResult
from school.services.programme import catalogue
from school.web.api.blueprint import bp
from school.web.api.errors import InvalidInput, json_object, refusal_json
from school.web.api.openapi import operation
from school.web.auth import staff_api, staff_to_read

_CLIENT_ID = re.compile(r"^[A-Za-z0-9_.:-]{8,64}$")


def verdict_message(verdict: str) -> str:
    return _message(str(get_locale()), verdict)


@functools.cache  # six messages a language, asked at every scan
def _message(language: str, verdict: str) -> str:
    # Translated when read, in the scanner's language: only the one a scan says (a batch
    # translated all six for each of its scans).
    return str(VERDICT_LABELS[verdict])  # in the request's language, ``language``


def scan_json(result: ScanResult, tz) -> dict[str, Any]:
    registration, first = result.registration, result.first
    participant = None
    if registration is not None:
        participant = {
            "id": registration.id,
            "first_name": registration.first_name,
            "last_name": registration.last_name,
            "organisation": registration.organisation,
            "cite": registration.cite,
            "category": registration.category,
            "dietary": registration.dietary,
            "attends_today": result.attends_today,
            "today": [s.shown for s in result.today],
        }
    return {
        "verdict": result.verdict,
        "message": verdict_message(result.verdict),
        "checkpoint": {
            "id": result.checkpoint.key,
            "session_id": result.checkpoint.session_id,
            "day": result.checkpoint.day.isoformat(),
        },
        "participant": participant,
        "first_checkin_at": first.scanned_at.astimezone(tz).isoformat() if first else None,
        "first_checkin": {
            "at": first.scanned_at.astimezone(tz).isoformat(),
            "checkpoint": first.checkpoint,
            "by": first.by,
            "device": first.device,
        }
        if first
        else None,
        "expected": [s.shown for s in result.expected],
        "waitlist_position": result.waitlist_position,
        "checkin_id": result.record.id if result.record else None,
        "replayed": result.replayed,
        "arrivals": result.arrivals,
        "badge_edition": result.badge_edition,
    }


def parse_scan(body: Any, now: datetime) -> tuple[dict[str, Any], dict[str, list[str]]]:
    errors: dict[str, list[str]] = {}
    values: dict[str, Any] = {}

    def wrong(name: str, message: str) -> None:
        errors.setdefault(name, []).append(message)

    token = body.get("token")
    if not isinstance(token, str) or not token or len(token) > 200:
        wrong("token", _("Must be the text read from the badge."))
    values["token"] = token if isinstance(token, str) else ""
    client_id = body.get("client_id")
    if not isinstance(client_id, str) or not _CLIENT_ID.match(client_id):
        wrong("client_id", _("Must be the scan's unique id (a UUID)."))
    values["client_id"] = client_id
    session_id = body.get("session_id")
    if session_id is not None and not is_id(session_id):
        wrong("session_id", _("Must be a session id, or null for the entrance."))
    values["session_id"] = session_id
    values["day"] = None
    if body.get("day") is not None:
        try:
            values["day"] = date.fromisoformat(str(body["day"]))
        except ValueError:
            wrong("day", _("Must be a date (YYYY-MM-DD)."))
    values["scanned_at"] = now
    if body.get("scanned_at") is not None:
        try:
            scanned_at = datetime.fromisoformat(str(body["scanned_at"]).replace("Z", "+00:00"))
            if scanned_at.tzinfo is None:
                raise ValueError
            values["scanned_at"] = scanned_at.astimezone(UTC)  # the service clamps the future
        except ValueError:
            wrong("scanned_at", _("Must be a date and time with its offset (ISO 8601)."))
    device = body.get("device")
    values["device"] = device[:120] if isinstance(device, str) else None
    return values, errors


@bp.post("/editions/<slug>/checkins")
@staff_api()
@operation(
    "post",
    "/editions/{slug}/checkins",
    "Check a badge in at the entrance or at a session (idempotent per client_id)",
    request="CheckinRequest",
    secured=True,
    responses={"200": ("The verdict", "CheckinResult")},
    errors={
        "404": "No such edition",
        "409": "`client_id_reused`: this client_id was recorded for another scan (another"
        " badge, checkpoint or edition); nothing is said of it",
    },
)
def post_checkin(slug: str):
    # Only read: the edition and the organiser as the process keeps them (taking them into
    # the request's session cost more than deciding the scan).
    edition = catalogue.read_only_edition(db.session, slug)
    body = json_object()
    now = utcnow()
    values, errors = parse_scan(body, now)
    if errors:
        raise InvalidInput(errors)
    organiser = staff_to_read()
    result = scanning.scan_alone(db.session, edition, now=now, organiser=organiser, **values)
    # Written before the commit (a late scan's, or SQLite's), which would expire what it
    # reads and load it all again.
    answer = scan_json(result, edition.tz)
    if db.session.registry.has() and db.session().get_transaction() is not None:
        # else the scan committed on its own, and made no session
        db.session.commit()
    return jsonify(answer)


@bp.post("/editions/<slug>/checkins/batch")
@staff_api()
@operation(
    "post",
    "/editions/{slug}/checkins/batch",
    "Check several badges in at once (a scanner's queue after an outage, or a busy door):"
    " each decided as if sent alone, in the order sent, idempotent per client_id",
    request="CheckinBatchRequest",
    secured=True,
    responses={"200": ("Each scan's verdict, or why it was refused", "CheckinBatchResult")},
    errors={"404": "No such edition"},
)
def post_checkin_batch(slug: str):
    edition = catalogue.read_only_edition(db.session, slug)
    body = json_object()
    now = utcnow()
    scans = body.get("scans")
    if not isinstance(scans, list) or not 1 <= len(scans) <= scanning.BATCH_MAX:
        message = _("Must be a list of 1 to %(max)d scans.", max=scanning.BATCH_MAX)
        raise InvalidInput({"scans": [message]})
    parsed, errors = [], {}
    for index, scan in enumerate(scans):
        values, wrong = parse_scan(scan if isinstance(scan, dict) else {}, now)
        errors |= {f"scans[{index}].{name}": messages for name, messages in wrong.items()}
        parsed.append(values)
    if errors:  # nothing is recorded: the scanner sent something it never makes
        raise InvalidInput(errors)
    organiser = staff_to_read()
    outcomes = batches.scan_many(db.session, edition, parsed, now=now, organiser=organiser)
    # Written before the commit, which would expire what it reads and load it all again.
    answer = {"results": [_scanned_json(outcome, edition.tz) for outcome in outcomes]}
    db.session.commit()
    return jsonify(answer)


def _scanned_json(outcome: batches.Scanned, tz) -> dict[str, Any]:
    refusal = outcome.refusal
    return {
        "client_id": outcome.client_id,
        "result": scan_json(outcome.result, tz) if outcome.result else None,
        "refusal": refusal_json(refusal) if refusal else None,
    }


@bp.post("/editions/<slug>/checkins/<int:checkin_id>/undo")
@staff_api()
@operation(
    "post",
    "/editions/{slug}/checkins/{checkin_id}/undo",
    "Take back a check-in made by mistake",
    secured=True,
    responses={"200": ("Undone", "UndoResult")},
    errors={
        "404": "No such edition, or no such check-in in it",
        "409": "Not a standing check-in (refused, or already undone)",
    },
)
def undo_checkin(slug: str, checkin_id: int):
    edition = catalogue.get_edition(db.session, slug)
    record = scanning.undo(db.session, edition, checkin_id, now=utcnow())
    count = scanning.arrivals(db.session, edition, record.checkpoint)
    db.session.commit()
    return jsonify({"checkin_id": record.id, "undone": True, "arrivals": count})


@bp.get("/editions/<slug>/roster")
@staff_api()
@operation(
    "get",
    "/editions/{slug}/roster",
    "Every badge of the edition and what admits it where: scanners decide offline with it."
    " With `since` (the `generated_at` of the roster held), only the participants that may"
    " have changed since (`complete: false`)",
    secured=True,
    parameters=[
        {
            "name": "since",
            "in": "query",
            "required": False,
            "schema": {"type": "string", "format": "date-time"},
            "description": "the `generated_at` of the roster the scanner holds",
        }
    ],
    responses={"200": ("The roster", "Roster")},
)
def get_roster(slug: str):
    edition = catalogue.get_edition(db.session, slug)
    since = None
    if "since" in request.args:
        since = _moment(request.args["since"])
        if since is None:
            raise InvalidInput(
                {"since": [_("Must be a date and time with its offset (ISO 8601).")]}
            )
    body = roster.roster_json(db.session, edition, now=utcnow(), since=since)
    response = Response(body, mimetype="application/json")
    response.headers["Cache-Control"] = "private, no-store"
    return response


def _moment(text: str) -> datetime | None:
    try:
        moment = datetime.fromisoformat(text.replace("Z", "+00:00"))
    except ValueError:
        return None
    return moment.astimezone(UTC) if moment.tzinfo is not None else None
