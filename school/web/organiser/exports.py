"""Organisers: downloads of registrations, session lists, catering, check-ins, and the
badges to print (``badges.printing``, as ``flask badges print`` does)."""

from __future__ import annotations

from flask import abort, flash, redirect, render_template, request, url_for
from flask_babel import gettext as _
from werkzeug.wrappers import Response

from school.database import utcnow
from school.extensions import db
from school.services import audit
from school.services.backoffice import exports
from school.services.badges import printing
from school.services.errors import DomainError
from school.services.registration import listing
from school.services.registration.listing import RegistrationQuery
from school.web.organiser.blueprint import actor, bp, load_edition

FORMATS = ("csv", "xlsx")
KINDS = ("registrations", "sessions", "catering", "checkins")


@bp.get("/<slug>/exports", endpoint="exports")
def exports_page(slug: str, refusal: DomainError | None = None):
    """The downloads; with ``refusal``, the badge filters that were refused, kept as chosen
    and the reason beside them."""
    kept_size = request.args.get("size") if refusal and refusal.field != "size" else None
    return render_template(
        "organiser/exports.html",
        edition=load_edition(slug),
        kinds=KINDS,
        sizes=printing.badge_sizes(),
        asked=request.args if refusal else {},
        refusal=refusal,
        chosen_size=printing.badge_size(kept_size, sheet=True).name,
    ), 422 if refusal else 200


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


@bp.get("/<slug>/badges.pdf", endpoint="print_badges")
def print_badges(slug: str):
    """One participant's badge (``?registration=``), or sheets of badges by category
    and day, sorted by last name. Filters that are refused print nothing: the sheets'
    form says why beside them, a single badge's page says it at its top."""
    edition = load_edition(slug)
    one = request.args.get("registration", "")
    sheet = not (one.isdigit() and len(one) < 10)
    if not sheet:
        chosen = [listing.get_registration(db.session, edition, int(one))]
        if not printing.has_badge(chosen[0]):
            abort(404)
    try:
        size = printing.badge_size(request.args.get("size"), sheet=sheet).name
        if sheet:
            chosen = printing.registrations_to_print(
                db.session,
                edition,
                categories=request.args.getlist("category"),
                day=printing.day_to_print(edition, request.args.get("day")),
            )
            if not chosen:
                raise DomainError(
                    _("No confirmed registration matches: nothing to print."), code="nothing"
                )
    except DomainError as exc:
        if sheet:
            return exports_page(slug, refusal=exc)
        flash(exc.message, "error")
        return redirect(url_for(".registration", slug=slug, registration_id=int(one)))
    pdf = printing.pdf_for(chosen, size=size, sheet=sheet)
    details = {"count": len(chosen), "size": size, "filters": dict(request.args)}
    audit.record(
        db.session, actor(), "badges.printed", None, details, edition=edition, now=utcnow()
    )
    db.session.commit()
    name = f"{edition.slug}-badge-{chosen[0].id}" if not sheet else f"{edition.slug}-badges"
    return Response(
        pdf,
        mimetype="application/pdf",
        headers={"Content-Disposition": f'attachment; filename="{name}.pdf"'},
    )
