"""Organiser pages for groups of parallel sessions and their allocation by preference.
Routes of the organiser blueprint (admins only)."""

from __future__ import annotations

from flask import flash, redirect, render_template, url_for
from flask_babel import gettext as _

from school.database import as_id, utcnow
from school.extensions import db
from school.forms.organiser import AdjustForm, ConfirmForm, GroupForm, RunForm
from school.services.programme import catalogue
from school.services.registration import group_editing, groups, offer
from school.web.actions import form_action
from school.web.organiser.blueprint import bp


def _local_to_utc(edition, value):
    return value.replace(tzinfo=edition.tz) if value else None


def _group_values(edition, form: GroupForm) -> dict:
    return {
        "key": (form.key.data or "").strip(),
        "title_fr": (form.title_fr.data or "").strip(),
        "title_en": (form.title_en.data or "").strip() or None,
        "session_ids": form.sessions.data or [],
        "mode": form.mode.data,
        "cutoff": _local_to_utc(edition, form.preferences_close_at.data),
        "now": utcnow(),
    }


@bp.route("/<slug>/groups/<int:group_id>/edit", methods=["GET", "POST"])
def edit_group(slug: str, group_id: int):
    """Change a group until its allocation is published."""
    edition = catalogue.get_edition(db.session, slug)
    group = groups.get_group(db.session, edition.id, group_id)
    form = GroupForm()
    candidates = offer.choosable_sessions(db.session, edition)
    form.sessions.choices = [(s.id, s.text("title", "fr")) for s in candidates]
    if not form.is_submitted():
        form.key.data, form.title_fr.data, form.title_en.data = (
            group.key, group.title_fr, group.title_en,
        )  # fmt: skip
        form.mode.data = group.mode
        if group.preferences_close_at:
            local = group.preferences_close_at.astimezone(edition.tz).replace(tzinfo=None)
            form.preferences_close_at.data = local
        form.sessions.data = [s.id for s in group.sessions]
    elif form.validate():
        with form_action() as action:
            group_editing.update(db.session, group, **_group_values(edition, form))
        if action.done:
            flash(_("The group is saved."), "success")
            return redirect(url_for(".group_page", slug=slug, group_id=group_id))
        group = groups.get_group(db.session, edition.id, group_id)
    return render_template(
        "organiser/group_edit.html",
        edition=edition,
        group=group,
        form=form,
        candidates=candidates,
        chosen=set(form.sessions.data or []),
        confirm_form=ConfirmForm(),
    )


@bp.post("/<slug>/groups/<int:group_id>/delete")
def delete_group(slug: str, group_id: int):
    edition = catalogue.get_edition(db.session, slug)
    group = groups.get_group(db.session, edition.id, group_id)
    if ConfirmForm().validate_on_submit():
        title = group.text("title", "fr")
        with form_action() as action:
            group_editing.delete(db.session, group, now=utcnow())
        if action.done:
            flash(_("The group “%(title)s” is deleted; its sessions stay.", title=title))
            return redirect(url_for(".groups_page", slug=slug))
    return redirect(url_for(".group_page", slug=slug, group_id=group_id))


@bp.route("/<slug>/groups", methods=["GET", "POST"])
def groups_page(slug: str):
    edition = catalogue.get_edition(db.session, slug)
    form = GroupForm()
    candidates = offer.choosable_sessions(db.session, edition)
    form.sessions.choices = [(s.id, s.text("title", "fr")) for s in candidates]
    if form.validate_on_submit():
        with form_action() as action:
            group = group_editing.create(db.session, edition, **_group_values(edition, form))
        if action.done:
            return redirect(url_for(".group_page", slug=slug, group_id=group.id))
    return render_template(
        "organiser/groups.html",
        edition=edition,
        groups=groups.groups_of(db.session, edition.id),
        candidates=candidates,
        form=form,
    )


@bp.get("/<slug>/groups/<int:group_id>")
def group_page(slug: str, group_id: int):
    edition = catalogue.get_edition(db.session, slug)
    group = groups.get_group(db.session, edition.id, group_id)
    draft = group.draft or {}
    applicants = groups.applicants_view(db.session, group)
    people = {r.id: r for r in applicants["registrations"]}
    return render_template(
        "organiser/group.html",
        edition=edition,
        group=group,
        draft=draft,
        people=people,
        rankings=applicants["rankings"],
        assigned={int(k): v for k, v in draft.get("assigned", {}).items()},
        sessions={s.id: s for s in group.sessions},
        still_ranking=groups.takes_rankings(group, utcnow()),
        run_form=RunForm(),
        adjust_form=AdjustForm(),
        confirm_form=ConfirmForm(),
    )


@bp.post("/<slug>/groups/<int:group_id>/run")
def run_allocation(slug: str, group_id: int):
    edition = catalogue.get_edition(db.session, slug)
    group = groups.get_group(db.session, edition.id, group_id)
    form = RunForm()
    if form.validate_on_submit():
        with form_action() as action:
            groups.run(
                db.session, group, now=utcnow(), seed=form.seed.data, mix=form.mix.data or None
            )
        if action.done:
            flash(_("Draft computed. Review it, adjust it, then publish it."))
    return redirect(url_for(".group_page", slug=slug, group_id=group_id))


@bp.post("/<slug>/groups/<int:group_id>/adjust")
def adjust_allocation(slug: str, group_id: int):
    edition = catalogue.get_edition(db.session, slug)
    group = groups.get_group(db.session, edition.id, group_id)
    form = AdjustForm()
    if form.validate_on_submit() and form.registration_id.data:
        with form_action() as action:
            groups.adjust(db.session, group, form.registration_id.data, as_id(form.session_id.data))
        if action.done:
            flash(_("The draft is changed."))
    return redirect(url_for(".group_page", slug=slug, group_id=group_id))


@bp.post("/<slug>/groups/<int:group_id>/publish")
def publish_allocation(slug: str, group_id: int):
    edition = catalogue.get_edition(db.session, slug)
    group = groups.get_group(db.session, edition.id, group_id)
    if ConfirmForm().validate_on_submit():
        with form_action() as action:
            created = groups.publish(db.session, group, now=utcnow())
        if action.done:
            flash(_("Published: %(num)d participants are told their result.", num=len(created)))
    return redirect(url_for(".group_page", slug=slug, group_id=group_id))
