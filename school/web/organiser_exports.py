"""Organisers: downloads of registrations, session lists, catering and check-ins."""

from __future__ import annotations

from flask import abort, render_template, request
from werkzeug.wrappers import Response

from school.database import utcnow
from school.extensions import db
from school.services import audit, exports
from school.services.registration_list import RegistrationQuery
from school.web.organiser import actor, bp, load_edition

FORMATS = ("csv", "xlsx")
KINDS = ("registrations", "sessions", "catering", "checkins")


@bp.get("/<slug>/exports", endpoint="exports")
def exports_page(slug: str):
    return render_template("organiser/exports.html", edition=load_edition(slug), kinds=KINDS)


@bp.get("/<slug>/exports/<what>.<fmt>", endpoint="export")
def export(slug: str, what: str, fmt: str):
    if what not in KINDS or fmt not in FORMATS:
        abort(404)
    edition = load_edition(slug)
    if what == "registrations":
        query = RegistrationQuery.from_args(request.args)
        tables = exports.registrations(db.session, edition, query)
    elif what == "sessions":
        session = request.args.get("session", "")
        ids = [int(session)] if session.isdigit() and len(session) < 10 else None
        tables = exports.session_lists(db.session, edition, ids)
    elif what == "catering":
        tables = exports.catering(db.session, edition)
    else:
        tables = exports.checkins(db.session, edition)
    body, media_type = exports.render(tables, fmt)
    # Personal data leaves the application: who took it, and when, is kept.
    details = {"format": fmt, "filters": dict(request.args)}
    audit.record(
        db.session, actor(), "export.downloaded", what, details, edition=edition, now=utcnow()
    )
    db.session.commit()
    filename = f"{edition.slug}-{what}-{utcnow():%Y%m%d-%H%M}.{fmt}"
    return Response(
        body,
        mimetype=media_type,
        headers={"Content-Disposition": f'attachment; filename="{filename}"'},
    )
