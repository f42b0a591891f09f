"""Organisers: the timetable editor — a day as a room × time grid; sessions added,
moved, resized and duplicated from it (``services.programme.timetable``).

The page works as a form without its script (a session is added by the form above
the grid, and edited by its own form). With the script, gestures post JSON here and
the answer is ``{"message", "id"}`` or the API's error body ``{"code", "message"[,
"errors"]}``; the script then reloads the grid.
"""

from __future__ import annotations

import contextlib
from datetime import date

from flask import flash, jsonify, redirect, render_template, request, url_for
from flask_babel import gettext as _
from flask_babel import ngettext

from school import i18n
from school.database import utcnow
from school.extensions import db
from school.forms.organiser_programme import capacity_value
from school.labels import KIND_LABELS, SESSION_STATUS_LABELS
from school.services.errors import DomainError
from school.services.programme import catalogue, editing, timetable
from school.web.organiser.blueprint import actor, bp, load_edition

_STATUS = {"not_found": 404, "invalid": 422, "clash": 409}


def _day(edition) -> date:
    with contextlib.suppress(ValueError):
        chosen = date.fromisoformat(request.args.get("day") or "")
        if chosen in edition.dates:
            return chosen
    return edition.dates[0]


@bp.get("/<slug>/timetable")
def timetable_page(slug: str):
    edition = load_edition(slug)
    day = _day(edition)
    grid = timetable.day_grid(db.session, edition, day)
    return render_template(
        "organiser/timetable.html",
        edition=edition,
        day=day,
        grid=grid,
        room_keys=[room.key if room else "" for room in grid.rooms],
        kinds=KIND_LABELS,
        statuses=SESSION_STATUS_LABELS,
    )


def _wants_json() -> bool:
    return request.is_json or request.accept_mimetypes.best == "application/json"


def _values() -> dict:
    data = request.get_json(silent=True) if request.is_json else request.form
    return data if isinstance(data, dict) or hasattr(data, "get") else {}


def _answer(run, message_of, day: str | None = None):
    """Run a gesture in the request's transaction: committed and told, or rolled back
    and refused with the service's reason (JSON, or flashed on the page)."""
    try:
        result = run()
    except DomainError as refusal:
        db.session.rollback()
        errors = getattr(refusal, "errors", None)
        if _wants_json():
            body = {"code": refusal.code, "message": refusal.message}
            if errors:
                body["errors"] = errors
            return jsonify(body), _STATUS.get(refusal.code, 409)
        flash(refusal.message, "error")
        for messages in (errors or {}).values():
            for text in messages:
                flash(text, "error")
        return redirect(
            request.referrer or url_for(".timetable_page", slug=request.view_args["slug"])
        )
    db.session.commit()
    message, session_id = message_of(result)
    if _wants_json():
        return jsonify({"message": message, "id": session_id})
    flash(message)
    return redirect(
        url_for(
            ".timetable_page", slug=request.view_args["slug"], day=day, _anchor=f"s{session_id}"
        )
    )


@bp.post("/<slug>/timetable/sessions")
def timetable_add(slug: str):
    edition = load_edition(slug)
    values = dict(_values())
    values["capacity"] = capacity_value(str(values.get("capacity") or ""))

    def run():
        return timetable.add_session(
            db.session, edition, values, actor=actor(), now=utcnow(), translate=_
        )

    def told(outcome: editing.SessionOutcome):
        return _added(outcome), outcome.session.id

    return _answer(run, told, day=values.get("date"))


def _added(outcome: editing.SessionOutcome) -> str:
    return " ".join([_("Added: %(title)s.", title=outcome.session.title_fr), *outcome.warnings])


@bp.post("/<slug>/timetable/sessions/<int:session_id>/place")
def timetable_place(slug: str, session_id: int):
    """Move or resize: ``{date, start, end, room}``."""
    edition = load_edition(slug)
    session = catalogue.get_session(db.session, edition, session_id)
    values = _values()

    def run():
        return timetable.place_session(
            db.session,
            edition,
            session,
            day=values.get("date"),
            start=values.get("start"),
            end=values.get("end"),
            room=values.get("room") or None,
            actor=actor(),
            now=utcnow(),
            translate=_,
        )

    def told(outcome: editing.SessionOutcome):
        s = outcome.session
        room = s.room.text("name", i18n.language()) if s.room else _("no room")
        start, end = s.starts_at.astimezone(edition.tz), s.ends_at.astimezone(edition.tz)
        text = _(
            "%(title)s: %(start)s–%(end)s, %(room)s.",
            title=s.title_fr,
            start=f"{start:%H:%M}",
            end=f"{end:%H:%M}",
            room=room,
        )
        if outcome.notice is not None and outcome.notice.send:
            text += " " + _("The people concerned will be told.")
        return " ".join([text, *outcome.warnings]), s.id

    return _answer(run, told, day=values.get("date"))


@bp.post("/<slug>/timetable/sessions/<int:session_id>/duplicate")
def timetable_duplicate(slug: str, session_id: int):
    """The session again in other rooms (``{rooms: [key…]}``), or its whole slot at
    another time (``{slot: true, date, start}``)."""
    edition = load_edition(slug)
    session = catalogue.get_session(db.session, edition, session_id)
    values = _values()
    rooms = values.get("rooms") if request.is_json else request.form.getlist("rooms")
    day = str(values.get("date") or "")

    def run():
        if values.get("slot"):
            return timetable.duplicate_slot(
                db.session, edition, session, day=day, start=str(values.get("start") or ""),
                actor=actor(), now=utcnow(), translate=_,
            )  # fmt: skip
        if not isinstance(rooms, list) or not all(isinstance(r, str) for r in rooms):
            raise DomainError(_("Choose at least one room."), code="invalid", field="rooms")
        return timetable.duplicate_session(
            db.session, edition, session, rooms, actor=actor(), now=utcnow(), translate=_
        )

    def told(copies):
        text = ngettext("%(num)d copy added.", "%(num)d copies added.", len(copies))
        return text, copies[0].id if copies else session.id

    return _answer(run, told, day=day or None)
