"""Organisers: the rooms of the venue and the speakers of the programme."""

from __future__ import annotations

import sqlalchemy as sa
from flask import flash, redirect, render_template, url_for
from flask_babel import gettext as _
from flask_babel import ngettext
from sqlalchemy.orm import selectinload

from school.database import utcnow
from school.extensions import db
from school.forms.organiser_programme import ConfirmForm, InviteForm, PersonForm, RoomForm
from school.models import Person, Room, Session, SessionPerson
from school.services.errors import NotFound
from school.services.programme import people
from school.services.programme import speakers as speakers_service
from school.urls import absolute_url
from school.web.actions import form_action
from school.web.organiser.blueprint import actor, bp, load_edition


def _room(edition, room_id: int) -> Room:
    room = db.session.scalar(
        sa.select(Room).where(Room.id == room_id, Room.edition_id == edition.id)
    )
    if room is None:
        raise NotFound("no such room")
    return room


def _person(edition, person_id: int) -> Person:
    person = db.session.scalar(
        sa.select(Person).where(Person.id == person_id, Person.edition_id == edition.id)
    )
    if person is None:
        raise NotFound("no such person")
    return person


@bp.get("/<slug>/rooms")
def rooms(slug: str):
    edition = load_edition(slug)
    used = dict(
        db.session.execute(
            sa.select(Session.room_id, sa.func.count())
            .where(Session.edition_id == edition.id, Session.room_id.is_not(None))
            .group_by(Session.room_id)
        ).all()
    )
    return render_template("organiser/rooms.html", edition=edition, used=used)


def _edit(slug: str, edition, form, current, *, entry, save, saved: str, done: str, page: str,
          **context):  # fmt: skip
    """The create/edit page of a room or a speaker: the same checks as the programme
    file (``save(entry, …)`` raises InvalidProgramme), problems shown beside their fields."""
    if not form.is_submitted() and current is not None:
        form.fill(entry(current))
    if form.validate_on_submit():
        with form_action(form) as action:
            save(form.entry(), actor=actor(), now=utcnow(), translate=_)
        if action.done:
            flash(saved)
            return redirect(url_for(done, slug=slug))
        edition = load_edition(slug)
    return render_template(
        page, edition=edition, form=form, actions=ConfirmForm(prefix="action"), **context
    )


@bp.route("/<slug>/rooms/new", methods=["GET", "POST"], endpoint="new_room")
@bp.route("/<slug>/rooms/<int:room_id>", methods=["GET", "POST"])
def room(slug: str, room_id: int | None = None):
    edition = load_edition(slug)
    current = _room(edition, room_id) if room_id else None
    return _edit(
        slug, edition, RoomForm(), current,
        entry=people.room_entry,
        save=lambda entry, **kw: people.save_room(
            db.session, edition, entry, room=current, **kw),
        saved=_("The room is saved."), done=".rooms", page="organiser/room_form.html",
        room=current,
    )  # fmt: skip


@bp.post("/<slug>/rooms/<int:room_id>/delete")
def delete_room(slug: str, room_id: int):
    edition = load_edition(slug)
    current = _room(edition, room_id)
    if ConfirmForm(prefix="action").validate_on_submit():
        with form_action() as action:
            people.delete_room(db.session, edition, current, actor=actor(), now=utcnow())
        if not action.done:
            return redirect(url_for(".room", slug=slug, room_id=room_id))
        flash(_("The room is deleted."))
    return redirect(url_for(".rooms", slug=slug))


@bp.get("/<slug>/speakers")
def speakers(slug: str):
    edition = load_edition(slug)
    found = db.session.scalars(
        sa.select(Person)
        .where(Person.edition_id == edition.id)
        .options(selectinload(Person.sessions).joinedload(SessionPerson.session))
    ).all()
    return render_template(
        "organiser/speakers.html",
        edition=edition,
        people=sorted(found, key=lambda p: p.sort_key),
        invite=InviteForm(),
    )


@bp.route("/<slug>/speakers/new", methods=["GET", "POST"], endpoint="new_speaker")
@bp.route("/<slug>/speakers/<int:person_id>", methods=["GET", "POST"])
def speaker(slug: str, person_id: int | None = None):
    edition = load_edition(slug)
    current = _person(edition, person_id) if person_id else None
    return _edit(
        slug, edition, PersonForm(), current,
        entry=people.person_entry,
        save=lambda entry, **kw: people.save_person(
            db.session, edition, entry, person=current, **kw),
        saved=_("The speaker is saved."), done=".speakers", page="organiser/speaker_form.html",
        person=current, invite=InviteForm(),
    )  # fmt: skip


@bp.post("/<slug>/speakers/invite", endpoint="invite_speakers")
@bp.post("/<slug>/speakers/<int:person_id>/invite", endpoint="invite_speaker")
def invite_speakers(slug: str, person_id: int | None = None):
    """E-mail speakers the link to their page: everyone not yet written to (or everyone,
    ``again``), or one speaker, again."""
    edition = load_edition(slug)
    if person_id is not None:
        _person(edition, person_id)
    form = InviteForm()
    if form.validate_on_submit():
        with form_action() as action:
            report = speakers_service.invite(
                db.session, edition,
                link_for=lambda p: absolute_url("speaker.corner", token=p.speaker_token),
                now=utcnow(), again=form.again.data, person_id=person_id,
                actor=actor(),
            )  # fmt: skip
        if action.done:
            _flash_invited(report)
    if person_id is not None:
        return redirect(url_for(".speaker", slug=slug, person_id=person_id))
    return redirect(url_for(".speakers", slug=slug))


def _flash_invited(report: speakers_service.InviteReport) -> None:
    if report.invited:
        flash(
            ngettext(
                "The link to their page was e-mailed to %(num)d speaker.",
                "The link to their page was e-mailed to %(num)d speakers.",
                len(report.invited),
            )
        )
    else:
        flash(_("No link was e-mailed."))
    if report.already_invited:
        flash(
            ngettext(
                "%(num)d speaker already had it and was not written to again.",
                "%(num)d speakers already had it and were not written to again.",
                len(report.already_invited),
            )
        )
    if report.without_email:
        names = ", ".join(p.full_name for p in report.without_email)
        flash(_("No e-mail address for: %(names)s.", names=names), "error")
    if report.without_session:
        names = ", ".join(p.full_name for p in report.without_session)
        flash(_("Not written to, as they have no session yet: %(names)s.", names=names))


@bp.post("/<slug>/speakers/<int:person_id>/delete")
def delete_speaker(slug: str, person_id: int):
    edition = load_edition(slug)
    current = _person(edition, person_id)
    if ConfirmForm(prefix="action").validate_on_submit():
        with form_action() as action:
            people.delete_person(db.session, edition, current, actor=actor(), now=utcnow())
        if action.done:
            flash(_("The speaker is deleted."))
    return redirect(url_for(".speakers", slug=slug))
