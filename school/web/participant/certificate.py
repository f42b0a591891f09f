"""The certificate of attendance on the participant's page: ``/my/<token>/certificate.pdf``,
from the start of the edition's last day, for whoever was checked in somewhere.
Routes of the participant blueprint."""

from __future__ import annotations

import io

from flask import current_app, make_response, render_template, request, send_file

from school.database import utcnow
from school.extensions import db
from school.services.checkin import attendance_pdf, certificates
from school.services.registration import registrations
from school.web.participant.blueprint import bp


@bp.context_processor
def _certificate_helpers():
    def certificate_status(registration):
        return certificates.certificate_status(db.session, registration, utcnow())

    return {"certificate_status": certificate_status}


@bp.get("/<token>/certificate.pdf")
def certificate_pdf(token: str):
    registration = registrations.get_by_manage_token(db.session, token)
    now = utcnow()
    status = certificates.certificate_status(db.session, registration, now)
    found = certificates.certificate(db.session, registration) if status.state == "ready" else None
    if found is None:
        page = render_template(
            "participant/certificate_unavailable.html",
            registration=registration,
            edition=registration.edition,
            status=status,
        )
        return make_response(page, 404)
    asked = request.args.get("lang")
    language = asked if asked in current_app.config["LANGUAGES"] else registration.language
    response = send_file(
        io.BytesIO(attendance_pdf.certificates_pdf([found], now=now, lang=language)),
        mimetype="application/pdf",
        download_name=f"certificate-{registration.first_name}-{registration.last_name}.pdf",
    )
    response.headers["Cache-Control"] = "private, no-store"
    return response
