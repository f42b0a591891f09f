"""After the School, for organisers: ``/organiser/<slug>/aftercare``, the edition's figures
and the satisfaction survey (its questions, the invitations and reminders, the results
per question and per session with the comments); the survey's results as XLSX; the
report as PDF and its figures as XLSX.

Check-in staff may read the figures and the results, never with names: the names of
those who wrote a comment are shown to admins only. Everything that changes something
(questions, invitations, reminders) is for admins.
"""

from __future__ import annotations

from flask import flash, redirect, render_template, request, url_for
from flask_babel import gettext as _
from flask_babel import ngettext
from flask_login import current_user
from werkzeug.wrappers import Response

from school import i18n
from school.database import utcnow
from school.extensions import db
from school.services import audit
from school.services.aftercare import figures, invitations, report_pdf, report_xlsx, results
from school.services.aftercare import survey as survey_service
from school.services.aftercare.survey import QUESTIONS
from school.services.backoffice import exports
from school.services.network.countries import country_names
from school.web.actions import form_action
from school.web.auth import allow_checkin_staff
from school.web.organiser.blueprint import actor, bp, load_edition


@bp.get("/<slug>/aftercare")
@allow_checkin_staff
def aftercare(slug: str):
    edition = load_edition(slug)
    survey = survey_service.survey_of(db.session, edition)
    found = figures.figures(db.session, edition)
    return render_template(
        "organiser/aftercare.html",
        edition=edition,
        figures=found,
        survey=survey,
        asked=survey.questions if survey else survey_service.DEFAULT_QUESTIONS,
        questions=list(QUESTIONS.values()),
        results=results.results(db.session, edition, with_names=current_user.is_admin),
        checked_in=invitations.checked_in(db.session, edition),
        is_admin=current_user.is_admin,
        again_label=survey_service.again_label,
        sessions_held=report_pdf.sessions_held_text(found),
        country_names=country_names(i18n.language()),
        lang=i18n.language(),
    )


@bp.post("/<slug>/aftercare/questions")
def survey_questions(slug: str):
    edition = load_edition(slug)
    with form_action():
        survey_service.set_questions(db.session, edition, request.form.getlist("questions"))
        audit.record(
            db.session, actor(), "survey.questions", None,
            {"questions": request.form.getlist("questions")}, edition=edition, now=utcnow(),
        )  # fmt: skip
        flash(_("The survey's questions are saved."), "success")
    return redirect(url_for(".aftercare", slug=slug, _anchor="survey"))


@bp.post("/<slug>/aftercare/invite")
def survey_invite(slug: str):
    edition = load_edition(slug)
    with form_action() as action:
        sent = invitations.invite(db.session, edition, now=utcnow())
        audit.record(
            db.session, actor(), "survey.invited", None, {"sent": sent.sent},
            edition=edition, now=utcnow(),
        )  # fmt: skip
    if action.done:
        flash(
            ngettext(
                "%(num)d person invited to the survey.",
                "%(num)d people invited to the survey.",
                sent.sent,
            )
            + " "
            + _("Those invited before are not written to again."),
            "success",
        )
    return redirect(url_for(".aftercare", slug=slug, _anchor="survey"))


@bp.post("/<slug>/aftercare/remind")
def survey_remind(slug: str):
    edition = load_edition(slug)
    with form_action() as action:
        sent = invitations.remind(db.session, edition, now=utcnow())
        audit.record(
            db.session, actor(), "survey.reminded", None, {"sent": sent.sent},
            edition=edition, now=utcnow(),
        )  # fmt: skip
    if action.done:
        flash(
            ngettext(
                "%(num)d reminder sent to those who have not answered.",
                "%(num)d reminders sent to those who have not answered.",
                sent.sent,
            )
            + (
                " "
                + _("%(num)d written to less than 12 hours ago were left alone.", num=sent.skipped)
                if sent.skipped
                else ""
            ),
            "success",
        )
    return redirect(url_for(".aftercare", slug=slug, _anchor="survey"))


@bp.get("/<slug>/survey.xlsx")
@allow_checkin_staff
def survey_xlsx(slug: str):
    edition = load_edition(slug)
    found = results.results(db.session, edition, with_names=current_user.is_admin)
    if found is None:
        flash(_("There is no survey yet."), "error")
        return redirect(url_for(".aftercare", slug=slug))
    tables = report_xlsx.survey_tables(found, i18n.language())
    return _download(exports.to_xlsx(tables), exports.XLSX_MEDIA_TYPE, f"{slug}-survey.xlsx")


@bp.get("/<slug>/report.xlsx")
@allow_checkin_staff
def report_xlsx_download(slug: str):
    edition = load_edition(slug)
    tables = report_xlsx.figures_tables(figures.figures(db.session, edition))
    return _download(exports.to_xlsx(tables), exports.XLSX_MEDIA_TYPE, f"{slug}-figures.xlsx")


@bp.get("/<slug>/report.pdf")
@allow_checkin_staff
def report_pdf_download(slug: str):
    edition = load_edition(slug)
    lang = request.args.get("lang") if request.args.get("lang") in ("fr", "en") else None
    pdf = report_pdf.report_pdf(db.session, edition, lang=lang, now=utcnow())
    return _download(pdf, "application/pdf", f"{slug}-report.pdf")


def _download(body: bytes, media_type: str, filename: str) -> Response:
    return Response(
        body,
        mimetype=media_type,
        headers={"Content-Disposition": f'attachment; filename="{filename}"'},
    )
