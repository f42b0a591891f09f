"""Attendance for organisers: ``/organiser/<slug>/attendance``, the live page (arrivals per
checkpoint, a chart of arrivals over time, no-shows per session) and its numbers as JSON;
the list and the attendance sheet (PDF) of a session or of the entrance on a day; the
certificates of attendance (PDF), one participant's or everyone's.

The live page and its JSON carry numbers only, never a name, so check-in staff may open
them: the people at the door and in the rooms see when the flow peaks and how many are
still expected. Lists, sheets and certificates name people: admins only (the default).
"""

from __future__ import annotations

import io
from datetime import date, datetime

from flask import current_app, jsonify, make_response, render_template, request, send_file
from flask_babel import gettext as _
from flask_babel import ngettext
from flask_login import current_user

from school import i18n
from school.database import utcnow
from school.extensions import db
from school.models import Edition, Registration
from school.services.checkin import attendance, attendance_pdf
from school.services.checkin import certificates as certificate_service
from school.services.checkin.attendance import Attendance, Bucket, CheckpointAttendance
from school.services.errors import NotFound
from school.services.programme import catalogue
from school.web.auth import allow_checkin_staff
from school.web.organiser.blueprint import bp
from school.web.organiser.charts import Bar, bar_chart


@bp.get("/<slug>/attendance")
@allow_checkin_staff
def attendance_live(slug: str):
    edition = catalogue.get_edition(db.session, slug)
    seen = attendance.overview(db.session, edition)
    now = utcnow()
    day = _day_shown(edition, seen, request.args.get("day"), now)
    checkpoints = seen.on(day)
    shown = next((c for c in checkpoints if c.key == request.args.get("checkpoint")), None)
    shown = shown or checkpoints[0]
    series = shown.series(edition.tz)
    return render_template(
        "organiser/attendance.html",
        edition=edition,
        day=day,
        entrance=checkpoints[0],
        sessions=checkpoints[1:],
        shown=shown,
        series=series,
        chart=_chart(shown, series, edition) if series else None,
        now=now,
        refresh=current_app.config["ATTENDANCE_REFRESH_SECONDS"],
        is_admin=current_user.is_admin,
    )


def _day_shown(edition: Edition, seen: Attendance, asked: str | None, now: datetime) -> date:
    """The day asked for; else today during the edition; else the last day anyone came."""
    try:
        day = date.fromisoformat(asked or "")
    except ValueError:
        day = None
    if day in edition.dates:
        return day
    today = edition.local(now).date()
    if today in edition.dates:
        return today
    return seen.days_with_arrivals[-1] if seen.days_with_arrivals else edition.dates[0]


def checkpoint_name(checkpoint: CheckpointAttendance, lang: str) -> str:
    if checkpoint.session is None:
        return _("Entrance")
    return checkpoint.session.text("title", lang)


def _chart(checkpoint: CheckpointAttendance, series: list[Bucket], edition: Edition):
    lang = i18n.language()
    tz = edition.tz
    name = checkpoint_name(checkpoint, lang)
    peak = max(series, key=lambda b: b.count)
    bars = [
        Bar(
            bucket.count,
            i18n.local_time(bucket.starts_at, tz),
            ngettext(
                "%(start)s–%(end)s: %(num)d arrival",
                "%(start)s–%(end)s: %(num)d arrivals",
                bucket.count,
                start=i18n.local_time(bucket.starts_at, tz),
                end=i18n.local_time(bucket.ends_at, tz),
            ),
            tick=bucket.starts_at.minute == 0 or len(series) <= 12,
        )
        for bucket in series
    ]
    return bar_chart(
        bars,
        title=_(
            "Arrivals per 10 minutes: %(checkpoint)s, %(day)s",
            checkpoint=name,
            day=i18n.local_date(checkpoint.day, "full"),
        ),
        description=_(
            "%(total)d arrivals from %(first)s to %(last)s; the busiest 10 minutes began at"
            " %(peak)s, with %(count)d arrivals.",
            total=series[-1].total,
            first=i18n.local_time(series[0].starts_at, tz),
            last=i18n.local_time(series[-1].ends_at, tz),
            peak=i18n.local_time(peak.starts_at, tz),
            count=peak.count,
        ),
        chart_id="arrivals-chart",
    )


@bp.get("/<slug>/attendance.json")
@allow_checkin_staff
def attendance_json(slug: str):
    """The live page's numbers, for a screen at the door or a script."""
    edition = catalogue.get_edition(db.session, slug)
    seen = attendance.overview(db.session, edition)
    tz = edition.tz

    def checkpoint_json(c: CheckpointAttendance) -> dict:
        session = c.session
        return {
            "id": c.key,
            "day": c.day.isoformat(),
            "session_id": session.id if session else None,
            "title": {"fr": session.title_fr, "en": session.text("title", "en")}
            if session
            else None,
            "starts_at": session.starts_at.astimezone(tz).isoformat() if session else None,
            "ends_at": session.ends_at.astimezone(tz).isoformat() if session else None,
            "admission": c.admission,
            "expected": len(c.expected),
            "present": c.present,
            "no_shows": len(c.no_shows),
            "unexpected": len(c.unexpected),
            "arrivals": [
                {"at": b.starts_at.isoformat(), "count": b.count, "total": b.total}
                for b in c.series(tz)
            ],
        }

    return jsonify(
        {
            "edition": edition.slug,
            "timezone": edition.timezone,
            "bucket_minutes": int(attendance.BUCKET.total_seconds() // 60),
            "generated_at": utcnow().isoformat(),
            "checkpoints": [checkpoint_json(c) for c in seen.checkpoints],
        }
    )


# -- who: lists and attendance sheets (admins)


@bp.get("/<slug>/attendance/sessions/<int:session_id>")
def attendance_session(slug: str, session_id: int):
    return _list_page(slug, f"session:{session_id}")


@bp.get("/<slug>/attendance/days/<day>")
def attendance_day(slug: str, day: str):
    return _list_page(slug, day)


def _list_page(slug: str, key: str):
    edition = catalogue.get_edition(db.session, slug)
    checkpoint = attendance.checkpoint_of(db.session, edition, key)
    sheet = attendance.sheet(db.session, edition, checkpoint)
    return render_template(
        "organiser/attendance_list.html", edition=edition, sheet=sheet, now=utcnow()
    )


@bp.get("/<slug>/attendance/sessions/<int:session_id>.pdf")
def attendance_session_sheet(slug: str, session_id: int):
    return _sheet_pdf(slug, f"session:{session_id}")


@bp.get("/<slug>/attendance/days/<day>.pdf")
def attendance_day_sheet(slug: str, day: str):
    return _sheet_pdf(slug, day)


def _sheet_pdf(slug: str, key: str):
    edition = catalogue.get_edition(db.session, slug)
    checkpoint = attendance.checkpoint_of(db.session, edition, key)
    sheet = attendance.sheet(db.session, edition, checkpoint)
    pdf = attendance_pdf.sheet_pdf(sheet, lang=i18n.language(), now=utcnow())
    name = checkpoint.session.key if checkpoint.session else checkpoint.day.isoformat()
    return _pdf(pdf, f"attendance-sheet-{name}.pdf")


# -- certificates of attendance (admins)


@bp.get("/<slug>/certificates.pdf")
def certificates(slug: str):
    edition = catalogue.get_edition(db.session, slug)
    found = certificate_service.certificates(db.session, edition)
    if not found:
        return _nothing(edition, _("Nobody has been checked in yet: there is no certificate."))
    return _pdf(
        attendance_pdf.certificates_pdf(found, now=utcnow()), f"certificates-{edition.slug}.pdf"
    )


@bp.get("/<slug>/certificates/<int:registration_id>.pdf")
def certificate(slug: str, registration_id: int):
    edition = catalogue.get_edition(db.session, slug)
    registration = db.session.get(Registration, registration_id)
    if registration is None or registration.edition_id != edition.id:
        raise NotFound(f"no registration {registration_id} in {edition.slug}")
    found = certificate_service.certificate(db.session, registration)
    if found is None:
        return _nothing(
            edition,
            _(
                "%(name)s was never checked in: there is no certificate.",
                name=registration.full_name,
            ),
        )
    pdf = attendance_pdf.certificates_pdf([found], now=utcnow())
    return _pdf(pdf, f"certificate-{registration.first_name}-{registration.last_name}.pdf")


def _nothing(edition: Edition, message: str):
    page = render_template("error.html", status=404, message=message, edition=edition)
    return make_response(page, 404)


def _pdf(data: bytes, name: str):
    response = send_file(io.BytesIO(data), mimetype="application/pdf", download_name=name)
    response.headers["Cache-Control"] = "private, no-store"
    return response
