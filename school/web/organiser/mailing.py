"""Organisers: e-mails to participants and speakers, queued in the outbox and sent in
the background; the messages that could not be delivered, and sending one again."""

from __future__ import annotations

import sqlalchemy as sa
from flask import flash, redirect, render_template, request, url_for
from flask_babel import gettext as _
from flask_babel import ngettext

from school import i18n
from school.database import utcnow
from school.extensions import db
from school.forms.organiser_mailing import MailingForm
from school.forms.organiser_programme import ConfirmForm
from school.models import Session
from school.services.mail import audience, failures, mailing
from school.web.actions import form_action
from school.web.organiser.blueprint import actor, bp, load_edition


def _sessions(edition) -> list[Session]:
    return list(
        db.session.scalars(
            sa.select(Session)
            .where(Session.edition_id == edition.id)
            .order_by(Session.starts_at, Session.id)
        )
    )


@bp.route("/<slug>/mailings", methods=["GET", "POST"])
def mailings(slug: str):
    edition = load_edition(slug)
    form = MailingForm().prepare(_sessions(edition), i18n.language())
    previews, recipients, confirm = [], None, None
    if form.validate_on_submit():
        draft = form.draft()
        sending = False
        # A preview writes nothing: its commit is empty, and it is refused the same way.
        with form_action(form) as action:
            mailing.check(db.session, edition, draft)
            recipients = audience.count_recipients(db.session, edition, draft)
            key = mailing.confirmation(draft, recipients)
            asked = request.form.get("action") == "send"
            if asked and request.form.get("confirmed") == key:
                sending = True
                sent = mailing.queue(db.session, edition, draft, actor=actor(), now=utcnow())
            else:
                # "Send" first shows what would go and to how many, to be confirmed.
                previews = mailing.preview(db.session, edition, draft)
                confirm = key if asked and recipients else None
        if action.done and sending:
            flash(
                ngettext(
                    "%(num)d message is queued: it is being sent.",
                    "%(num)d messages are queued: they are being sent.",
                    sent.recipients,
                )
            )
            return redirect(url_for(".mailing", slug=slug, mailing_id=sent.id))
    return render_template(
        "organiser/mailings.html",
        edition=edition,
        form=form,
        previews=previews,
        recipients=recipients,
        confirm=confirm,
        placeholders=mailing.PLACEHOLDERS,
        history=mailing.mailings(db.session, edition),
        failed=failures.failed_messages(db.session, edition),
        actions=ConfirmForm(prefix="action"),
    )


@bp.get("/<slug>/mailings/<int:mailing_id>", endpoint="mailing")
def mailing_page(slug: str, mailing_id: int):
    edition = load_edition(slug)
    sent, progress = mailing.get_mailing(db.session, edition, mailing_id)
    return render_template(
        "organiser/mailing.html", edition=edition, mailing=sent, progress=progress
    )


@bp.post("/<slug>/messages/<int:message_id>/resend")
def resend_message(slug: str, message_id: int):
    """Send a message that could not be delivered again, to its participant's address
    as it is now; back to the page the button was on."""
    edition = load_edition(slug)
    message = failures.get_message(db.session, edition, message_id)
    back = (
        url_for(".registration", slug=slug, registration_id=message.registration_id)
        if request.form.get("back") == "registration" and message.registration_id
        else url_for(".mailings", slug=slug) + "#failed-title"
    )
    if ConfirmForm(prefix="action").validate_on_submit():
        with form_action() as action:
            failures.resend(db.session, message, now=utcnow(), actor=actor())
        if action.done:
            flash(_("The message is sent again to %(email)s.", email=message.to_address))
    return redirect(back)
