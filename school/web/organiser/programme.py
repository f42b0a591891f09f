"""Organisers: the programme, and its sessions (create, edit, move, cancel)."""

from __future__ import annotations

import sqlalchemy as sa
from flask import current_app, flash, redirect, render_template, request, url_for
from flask_babel import gettext as _
from flask_babel import ngettext

from school import i18n
from school.database import utcnow
from school.extensions import db
from school.forms.organiser_programme import ConfirmForm, SessionForm
from school.models import Choice, Person, Session
from school.models.vocabulary import ChoiceStatus
from school.services.mail import change_notices
from school.services.programme import catalogue, editing, people, rules
from school.services.programme.editing import SessionOutcome
from school.services.registration import seats
from school.web.actions import form_action
from school.web.organiser.blueprint import actor, bp, load_edition


@bp.get("/<slug>/programme")
def programme(slug: str):
    edition = load_edition(slug)
    plan = catalogue.load_programme(db.session, edition)
    return render_template(
        "organiser/programme.html",
        edition=edition,
        programme=plan,
        days=plan.days(),
        waiting=_waiting(plan.sessions),
        clashes=rules.room_clashes(plan.sessions),
        changes=change_notices.net_changes(change_notices.pending(db.session, edition.id)),
        confirm_form=ConfirmForm(),
    )


def _waiting(sessions: list[Session]) -> dict[int, int]:
    """The length of each session's waiting line."""
    ids = [s.id for s in sessions if s.is_offered_for_choice]
    if not ids:
        return {}
    return dict(
        db.session.execute(
            sa.select(Choice.session_id, sa.func.count())
            .where(Choice.session_id.in_(ids), Choice.status == ChoiceStatus.WAITLISTED)
            .group_by(Choice.session_id)
        ).all()
    )


def _form(edition, session: Session | None) -> SessionForm:
    form = SessionForm()
    if not form.is_submitted():
        if session is not None:
            form.fill(editing.session_entry(edition, session))
        else:  # a cell of the timetable editor may give the day, time and room
            form.day.data = request.args.get("day") or edition.starts_on.isoformat()
            form.start.data = request.args.get("start")
            form.room.data = request.args.get("room") or ""
    return form.prepare(edition, edition.rooms, _people(edition), i18n.language())


def _report(outcome: SessionOutcome) -> None:
    flash(_("The session is saved."))
    if outcome.moved_to_waitlist:
        names = ", ".join(
            f"{c.registration.full_name} <{c.registration.email}>"
            for c in outcome.moved_to_waitlist
        )
        flash(
            ngettext(
                "Moved to the waiting list and told by e-mail: %(names)s.",
                "Moved to the waiting list (latest confirmed first) and told by e-mail: %(names)s.",
                len(outcome.moved_to_waitlist),
                names=names,
            )
        )
    if outcome.promoted:
        flash(
            ngettext(
                "%(num)d person from the waiting list got a seat.",
                "%(num)d people from the waiting list got a seat.",
                len(outcome.promoted),
            )
        )
    _flash_notice(outcome)
    for warning in outcome.warnings:
        flash(warning, "warning")


def _flash_notice(outcome: SessionOutcome) -> None:
    if outcome.notice is not None and outcome.notice.send:
        flash(
            _(
                "The people concerned will be told in one e-mail once you send the change"
                " notices (or by themselves after %(minutes)d minutes without edits).",
                minutes=current_app.config["CHANGE_NOTICE_QUIET_MINUTES"],
            )
        )


@bp.post("/<slug>/changes/notify")
def notify_changes(slug: str):
    """The organiser has finished editing: tell everyone concerned, one e-mail each."""
    edition = load_edition(slug)
    if ConfirmForm().validate_on_submit():
        with form_action() as action:
            seats.lock_edition(db.session, edition.id)
            count = change_notices.notify(
                db.session, db.session.get(type(edition), edition.id), now=utcnow()
            )
        if action.done:
            flash(
                ngettext(
                    "%(num)d person is told of the changes by e-mail.",
                    "%(num)d people are told of the changes by e-mail.",
                    count,
                )
            )
    return redirect(url_for(".programme", slug=slug))


def _people(edition) -> list[Person]:
    return list(db.session.scalars(sa.select(Person).where(Person.edition_id == edition.id)))


def _post(edition, session: Session | None, form: SessionForm):
    """The form's buttons: add a speaker row, add a person to the list (both keep what
    was typed, and save nothing else), or save the session."""
    if form.add_row.data:
        return None
    if form.add_person.data:
        with form_action(form) as action:
            person = people.save_person(
                db.session, edition, form.new_person_entry() or {}, actor=actor(),
                now=utcnow(), translate=_,
            )  # fmt: skip
            key, name = person.key, person.full_name
        if action.done:
            flash(_("%(name)s is added to the list and to the speakers.", name=name))
            form.take_new_person(key)
            form.prepare(edition, edition.rooms, _people(edition), i18n.language())
        return None
    return _save(edition, session, form)


def _save(edition, session: Session | None, form: SessionForm):
    with form_action(form) as action:
        entry = form.entry()
        newcomer = form.new_person_entry()
        if newcomer is not None:  # typed in "add a person" and saved with the session
            seats.lock_edition(db.session, edition.id)  # the session's save writes under it
            person = people.save_person(
                db.session, edition, newcomer, actor=actor(), now=utcnow(), translate=_
            )
            entry["speakers"].append({"person": person.key, "role": "speaker", "tentative": False})
        outcome = editing.save_session(
            db.session,
            edition,
            entry,
            session=session,
            actor=actor(),
            now=utcnow(),
            move_excess=bool(form.move_excess.data),
            notify=bool(form.notify.data),
            translate=_,
        )
    if not action.done:
        return None
    _report(outcome)
    return redirect(url_for(".programme", slug=edition.slug, _anchor=f"s{outcome.session.id}"))


@bp.route("/<slug>/sessions/new", methods=["GET", "POST"])
def new_session(slug: str):
    edition = load_edition(slug)
    form = _form(edition, None)
    if form.validate_on_submit():
        done = _post(edition, None, form)
        if done:
            return done
        edition = load_edition(slug)
    return render_template(
        "organiser/session_form.html", edition=edition, form=form, session=None, seats=None
    )


@bp.route("/<slug>/sessions/<int:session_id>", methods=["GET", "POST"])
def session(slug: str, session_id: int):
    edition = load_edition(slug)
    current = catalogue.get_session(db.session, edition, session_id)
    form = _form(edition, current)
    if form.validate_on_submit():
        done = _post(edition, current, form)
        if done:
            return done
        edition = load_edition(slug)
        current = catalogue.get_session(db.session, edition, session_id)
    taken = seats.seats_taken(db.session, [current.id]).get(current.id, 0)
    waiting = _waiting([current]).get(current.id, 0)
    return render_template(
        "organiser/session_form.html",
        edition=edition,
        form=form,
        session=current,
        seats=(taken, waiting),
        actions=ConfirmForm(prefix="action"),
    )


@bp.post("/<slug>/sessions/<int:session_id>/cancel")
def cancel_session(slug: str, session_id: int):
    edition = load_edition(slug)
    current = catalogue.get_session(db.session, edition, session_id)
    form = ConfirmForm(prefix="action")
    if form.validate_on_submit():
        with form_action() as action:
            outcome = editing.cancel_session(
                db.session, edition, current, actor=actor(), now=utcnow(), notify=form.notify.data
            )
        if action.done:
            flash(_("The session is cancelled. It stays in the programme, struck out."))
            _flash_notice(outcome)
    return redirect(url_for(".programme", slug=slug, _anchor=f"s{session_id}"))


@bp.post("/<slug>/sessions/<int:session_id>/delete")
def delete_session(slug: str, session_id: int):
    edition = load_edition(slug)
    current = catalogue.get_session(db.session, edition, session_id)
    if ConfirmForm(prefix="action").validate_on_submit():
        with form_action() as action:
            editing.delete_session(db.session, edition, current, actor=actor(), now=utcnow())
        if not action.done:
            return redirect(url_for(".session", slug=slug, session_id=session_id))
        flash(_("The session is deleted."))
    return redirect(url_for(".programme", slug=slug))
