"""Organisers: create, edit and clone editions; publish, archive or delete them; the audit
log."""

from __future__ import annotations

from flask import flash, redirect, render_template, request, url_for
from flask_babel import gettext as _

from school.database import utcnow
from school.extensions import db
from school.forms.organiser import ConfirmForm
from school.forms.organiser_programme import CloneForm, DaysForm, EditionForm
from school.services import audit
from school.services.backoffice import audit_words
from school.services.programme import editions, lifecycle
from school.web.actions import form_action
from school.web.organiser.blueprint import actor, bp, load_edition


@bp.route("/editions/new", methods=["GET", "POST"])
def new_edition():
    form = EditionForm()
    if form.validate_on_submit():
        with form_action(form) as action:
            edition = editions.create_edition(
                db.session, form.entry(), actor=actor(), now=utcnow(), translate=_
            )
        if action.done:
            flash(
                _(
                    "The edition is created as a draft: only organisers see it."
                    " Build its programme, then publish it."
                )
            )
            _warn_about_dates(edition)
            return redirect(url_for(".programme", slug=edition.slug))
    return render_template(
        "organiser/edition_form.html", form=form, edition=None, timezones=form.timezones()
    )


@bp.route("/<slug>/edit", methods=["GET", "POST"])
def edit_edition(slug: str):
    edition = load_edition(slug)
    form = EditionForm()
    if not form.is_submitted():
        form.fill(editions.edition_entry(edition))
    elif form.validate():
        with form_action(form) as action:
            editions.update_edition(
                db.session, edition, form.entry(), actor=actor(), now=utcnow(), translate=_
            )
        if action.done:
            flash(_("The edition is saved."))
            _warn_about_dates(load_edition(slug))
            return redirect(url_for(".dashboard", slug=slug))
        edition = load_edition(slug)
    form.slug.data = edition.slug
    return render_template(
        "organiser/edition_form.html",
        form=form,
        edition=edition,
        timezones=form.timezones(),
        confirm_form=ConfirmForm(),
    )


def _warn_about_dates(edition) -> None:
    for warning in lifecycle.date_warnings(edition, utcnow()):
        flash(warning, "warning")


@bp.post("/<slug>/publish")
def publish_edition(slug: str):
    edition = load_edition(slug)
    if ConfirmForm().validate_on_submit():
        with form_action() as action:
            lifecycle.publish(db.session, edition, actor=actor(), now=utcnow())
        if action.done:
            flash(_("The edition is published: everyone can see it now."), "success")
    return redirect(url_for(".edit_edition", slug=slug, _anchor="lifecycle"))


@bp.post("/<slug>/archive")
def archive_edition(slug: str):
    edition = load_edition(slug)
    if ConfirmForm().validate_on_submit():
        with form_action() as action:
            lifecycle.archive(db.session, edition, actor=actor(), now=utcnow())
        if action.done:
            flash(_("The edition is archived: its pages stay readable, it is no longer listed."))
    return redirect(url_for(".edit_edition", slug=slug, _anchor="lifecycle"))


@bp.post("/<slug>/delete")
def delete_edition(slug: str):
    edition = load_edition(slug)
    if ConfirmForm().validate_on_submit():
        title = edition.title_fr
        with form_action() as action:
            lifecycle.delete(db.session, edition, actor=actor(), now=utcnow())
        if action.done:
            flash(_("The draft “%(title)s” is deleted.", title=title))
            return redirect(url_for(".home"))
    return redirect(url_for(".edit_edition", slug=slug, _anchor="lifecycle"))


@bp.route("/<slug>/clone", methods=["GET", "POST"])
def clone_edition(slug: str):
    source = load_edition(slug)
    form = CloneForm()
    if form.validate_on_submit():
        with form_action(form) as action:
            edition = editions.clone_edition(
                db.session,
                source,
                slug=(form.slug.data or "").strip(),
                title={"fr": form.title_fr.data or None, "en": form.title_en.data or None},
                starts_on=form.starts_on.data,
                actor=actor(),
                now=utcnow(),
                translate=_,
            )
        if action.done:
            flash(
                _(
                    "%(title)s is ready: its rooms and sessions are copied to the new dates."
                    " Add the speakers, check the programme, then open registration.",
                    title=edition.title_fr,
                )
            )
            return redirect(url_for(".programme", slug=edition.slug))
        source = load_edition(slug)
    return render_template("organiser/clone.html", form=form, source=source, edition=source)


@bp.route("/<slug>/days", methods=["GET", "POST"])
def edition_days(slug: str):
    """The theme of each day, in French and English."""
    edition = load_edition(slug)
    form = DaysForm()
    entries = editions.day_entries(edition)
    if form.validate_on_submit():
        entries = [
            {
                "date": entry["date"],
                **{
                    name: {
                        lang: (request.form.get(f"{name}_{lang}-{entry['date']}") or "").strip()
                        or None
                        for lang in ("fr", "en")
                    }
                    for name in ("theme", "description")
                },
            }
            for entry in entries
        ]
        with form_action(form) as action:
            editions.save_days(db.session, edition, entries, actor=actor(), now=utcnow(),
                               translate=_)  # fmt: skip
        if action.done:
            flash(_("The days are saved."))
            return redirect(url_for(".programme", slug=slug))
        edition = load_edition(slug)
    errors = form.problems or {}
    return render_template(
        "organiser/days.html", edition=edition, form=form, entries=entries, errors=errors
    )


@bp.get("/<slug>/audit", endpoint="audit")
def audit_log(slug: str):
    edition = load_edition(slug)
    page = request.args.get("page", "1")
    entries = audit.entries(
        db.session,
        edition,
        page=int(page) if page.isdigit() and len(page) < 7 else 1,
        action=(request.args.get("action") or "").strip()[:40] or None,
    )
    words = audit_words.describe(db.session, edition, [item.entry for item in entries.entries])
    return render_template(
        "organiser/audit.html",
        edition=edition,
        log=entries,
        rows=list(zip(entries.entries, words, strict=True)),
    )
