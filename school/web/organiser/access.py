"""Organisers: who may sit where (the edition's member code) and its privacy notice."""

from __future__ import annotations

from flask import flash, redirect, render_template, url_for
from flask_babel import gettext as _

from school.database import utcnow
from school.extensions import db
from school.forms.organiser import MemberCodeForm, PrivacyNoticeForm
from school.services.registration import access, privacy
from school.web.actions import form_action
from school.web.organiser.blueprint import actor, bp, load_edition


@bp.post("/<slug>/member-code")
def member_code(slug: str):
    edition = load_edition(slug)
    form = MemberCodeForm()
    if form.validate_on_submit():
        chosen = (form.code.data or "").strip() or None
        with form_action() as action:
            access.set_member_code(db.session, edition, chosen, actor=actor(), now=utcnow())
        if action.done:
            flash(_("The member code is changed. Send the new one to the Cités."), "success")
    return redirect(url_for(".edit_edition", slug=slug, _anchor="member-code"))


@bp.route("/<slug>/privacy", methods=["GET", "POST"])
def privacy_notice(slug: str):
    edition = load_edition(slug)
    form = PrivacyNoticeForm()
    if not form.is_submitted():
        form.notice_fr.data = edition.privacy_notice_fr
        form.notice_en.data = edition.privacy_notice_en
    if form.validate_on_submit():
        texts = {"fr": form.notice_fr.data, "en": form.notice_en.data}
        with form_action() as action:
            privacy.save_notice(db.session, edition, texts, actor=actor(), now=utcnow())
        if action.done:
            flash(_("The privacy notice is saved."), "success")
            return redirect(url_for(".privacy_notice", slug=slug))
        edition = load_edition(slug)
    return render_template("organiser/privacy.html", edition=edition, form=form)
