"""Organisers: the table of registrations, one registration (edit, cancel, re-send the
link, move between sessions), a walk-in at the door, and each session's list."""

from __future__ import annotations

import sqlalchemy as sa
from flask import flash, redirect, render_template, request, url_for
from flask_babel import gettext as _
from flask_babel import ngettext
from flask_wtf import FlaskForm
from sqlalchemy.orm import joinedload
from wtforms import SelectField

from school import i18n
from school.database import utcnow
from school.extensions import db
from school.forms.organiser_programme import ConfirmForm
from school.forms.registration import RegistrationForm
from school.models import CheckIn, OutboxMessage
from school.services.backoffice import stats
from school.services.network.countries import country_names
from school.services.programme import catalogue
from school.services.registration import (
    cancelling,
    history,
    listing,
    offer,
    registrations,
    waiting_lines,
)
from school.services.registration.data import data_of
from school.services.registration.listing import RegistrationQuery
from school.web.actions import form_action
from school.web.organiser.blueprint import actor, bp, load_edition
from school.web.registration import choice_page_context, ranking_groups, read_form


class MoveForm(FlaskForm):
    from_session = SelectField(validate_choice=False, coerce=int)
    to_session = SelectField(validate_choice=False, coerce=int)


@bp.get("/<slug>/registrations", endpoint="registrations")
def registrations_table(slug: str):
    edition = load_edition(slug)
    query = RegistrationQuery.from_args(request.args)
    page = listing.search(db.session, edition, query)
    return render_template(
        "organiser/registrations.html",
        edition=edition,
        page=page,
        query=page.query,
        options=listing.filter_options(db.session, edition),
        sessions=offer.listed_sessions(db.session, edition),
        countries=country_names(i18n.language()),
        page_sizes=listing.PAGE_SIZES,
    )


def _form_page(edition, form, registration=None, **extra):
    """Prepare the registration form as participants see it (with the sessions by
    invitation), and what its page shows beside it."""
    sessions = offer.choosable_sessions(db.session, edition, by_organiser=True)
    meals = offer.meal_sessions(db.session, edition)
    form.prepare(edition, i18n.language(), meals, sessions, every_category=True)
    ranked = ranking_groups(edition, utcnow())
    read_form(form, ranked)
    held = {c.session_id for c in registration.choices} if registration else set()
    return choice_page_context(edition, form, sessions, meals, ranked) | {"held": held, **extra}


@bp.route("/<slug>/registrations/new", methods=["GET", "POST"])
def new_registration(slug: str):
    """A walk-in at the door: the registration window and the edition's cap do not
    apply (``force``); the sessions' seats still do."""
    edition = load_edition(slug)
    form = RegistrationForm()
    context = _form_page(edition, form)
    if form.validate_on_submit():
        with form_action(form) as action:
            outcome = registrations.register(
                db.session, edition, form.to_data(), now=utcnow(), actor=actor(), force=True
            )
        if action.done:
            registration = outcome.registration
            if outcome.created:
                flash(_("%(name)s is registered.", name=registration.full_name))
            else:
                flash(_("This address is already registered: here is the registration."))
            return redirect(url_for(".registration", slug=slug, registration_id=registration.id))
        edition = load_edition(slug)
        context = _form_page(edition, form)
    return render_template("organiser/registration_new.html", **context)


@bp.route("/<slug>/registrations/<int:registration_id>", methods=["GET", "POST"])
def registration(slug: str, registration_id: int):
    edition = load_edition(slug)
    current = listing.get_registration(db.session, edition, registration_id)
    form = RegistrationForm()
    if not form.is_submitted():
        form.fill(data_of(current))
    context = _form_page(edition, form, current)
    if form.validate_on_submit():
        with form_action(form) as action:
            outcome = registrations.update(
                db.session, current, form.to_data(), now=utcnow(), actor=actor()
            )
        if action.done:
            flash(_("The registration is saved."))
            _promoted(outcome.promoted)
            return redirect(url_for(".registration", slug=slug, registration_id=registration_id))
        edition = load_edition(slug)
        current = listing.get_registration(db.session, edition, registration_id)
        context = _form_page(edition, form, current)
    return render_template(
        "organiser/registration.html", registration=current, **context, **_details(current)
    )


def _details(registration) -> dict:
    listed = waiting_lines.choices_in_line(db.session, registration)
    choices = [choice for choice, _place in listed]
    lang = i18n.language()
    held = {c.session_id for c in choices}
    offered = offer.choosable_sessions(db.session, registration.edition, by_organiser=True)
    # "Move to" offers the sessions that run alongside: a move changes a workshop for
    # another in the same slot, not the participant's day.
    moves = {}
    for choice in choices:
        parallel = [
            s for s in offered if s.id not in held and not s.is_meal and s.overlaps(choice.session)
        ]
        if parallel:
            form = MoveForm(prefix=f"move{choice.session_id}")
            form.from_session.choices = [(choice.session_id, choice.session.text("title", lang))]
            form.from_session.data = choice.session_id
            form.to_session.choices = [(s.id, s.text("title", lang)) for s in parallel]
            moves[choice.session_id] = form
    return {
        "country_name": country_names(lang).get(registration.country, registration.country),
        "choices": listed,
        "held_before": cancelling.held_before(db.session, registration)
        if registration.is_cancelled
        else [],
        "ranked": _rankings(registration),
        "scans": db.session.scalars(
            sa.select(CheckIn)
            .where(CheckIn.registration_id == registration.id)
            .options(joinedload(CheckIn.session))
            .order_by(CheckIn.scanned_at)
        ).all(),
        "messages": db.session.scalars(
            sa.select(OutboxMessage)
            .where(OutboxMessage.registration_id == registration.id)
            .order_by(OutboxMessage.created_at.desc(), OutboxMessage.id.desc())
        ).all(),
        "history": history.history(db.session, registration),
        "moves": moves,
        "actions": ConfirmForm(prefix="action"),
    }


def _rankings(registration) -> list[tuple]:
    """Each group the participant ranked, with the sessions in their order."""
    groups: dict[int, tuple] = {}
    for place in registration.rankings:
        groups.setdefault(place.group_id, (place.group, []))[1].append(place)
    return list(groups.values())


def _promoted(promoted: list) -> None:
    if promoted:
        flash(
            ngettext(
                "%(num)d person from the waiting list got a seat.",
                "%(num)d people from the waiting list got a seat.",
                len(promoted),
            )
        )


@bp.route("/<slug>/registrations/<int:registration_id>/cancel", methods=["GET", "POST"])
def cancel_registration(slug: str, registration_id: int):
    """Asked first: the page says what cancelling will do; the button there does it."""
    edition = load_edition(slug)
    current = listing.get_registration(db.session, edition, registration_id)
    if request.method == "GET":
        if current.is_cancelled:
            return redirect(url_for(".registration", slug=slug, registration_id=registration_id))
        return render_template(
            "organiser/registration_cancel.html",
            edition=edition,
            registration=current,
            preview=cancelling.preview(db.session, current),
            actions=ConfirmForm(prefix="action"),
        )
    if ConfirmForm(prefix="action").validate_on_submit():
        with form_action() as action:
            outcome = cancelling.cancel(db.session, current, now=utcnow(), actor=actor())
        if action.done:
            flash(_("The registration is cancelled; its seats went to the waiting lines."))
            _promoted(outcome.promoted)
    return redirect(url_for(".registration", slug=slug, registration_id=registration_id))


@bp.post("/<slug>/registrations/<int:registration_id>/reinstate")
def reinstate_registration(slug: str, registration_id: int):
    edition = load_edition(slug)
    current = listing.get_registration(db.session, edition, registration_id)
    if ConfirmForm(prefix="action").validate_on_submit():
        with form_action() as action:
            back = cancelling.reinstate(db.session, current, now=utcnow(), actor=actor())
        if action.done:
            waiting = sum(1 for c in back.choices if not c.is_confirmed)
            flash(
                _("The registration is reinstated and the participant is told by e-mail.")
                + (
                    " "
                    + ngettext(
                        "%(num)d session was full: a place in its waiting line instead.",
                        "%(num)d sessions were full: a place in their waiting lines instead.",
                        waiting,
                    )
                    if waiting
                    else ""
                ),
                "success",
            )
    return redirect(url_for(".registration", slug=slug, registration_id=registration_id))


@bp.post("/<slug>/registrations/<int:registration_id>/resend")
def resend_link(slug: str, registration_id: int):
    edition = load_edition(slug)
    current = listing.get_registration(db.session, edition, registration_id)
    if ConfirmForm(prefix="action").validate_on_submit():
        with form_action() as action:
            registrations.resend_link(db.session, current, now=utcnow(), actor=actor())
        if action.done:
            flash(_("The private link is sent again to %(email)s.", email=current.email))
    return redirect(url_for(".registration", slug=slug, registration_id=registration_id))


@bp.post("/<slug>/registrations/<int:registration_id>/move")
def move_registration(slug: str, registration_id: int):
    edition = load_edition(slug)
    current = listing.get_registration(db.session, edition, registration_id)
    form = MoveForm(prefix=f"move{request.form.get('from', '')[:9]}")
    if form.validate_on_submit():
        # Its refusals name the registration form's fields, not this one's: flashed.
        with form_action() as action:
            outcome = registrations.move_choice(
                db.session, current, form.from_session.data, form.to_session.data,
                now=utcnow(), actor=actor(),
            )  # fmt: skip
        if action.done:
            moved = next(
                c for c in outcome.registration.choices if c.session_id == form.to_session.data
            )
            flash(
                _("Moved: the seat is confirmed.")
                if moved.is_confirmed
                else _("Moved: the session is full, so this is a place in its waiting line.")
            )
    return redirect(url_for(".registration", slug=slug, registration_id=registration_id))


@bp.get("/<slug>/lists")
def lists(slug: str):
    edition = load_edition(slug)
    return render_template(
        "organiser/lists.html",
        edition=edition,
        fills=stats.session_fill(db.session, edition, capped_only=False),
    )


@bp.get("/<slug>/sessions/<int:session_id>/list")
def session_list(slug: str, session_id: int):
    edition = load_edition(slug)
    session = catalogue.get_session(db.session, edition, session_id)
    roster = listing.session_rosters(db.session, [session.id]).get(session.id, [])
    positions = waiting_lines.waitlist_positions(db.session, [session.id])
    return render_template(
        "organiser/session_list.html",
        edition=edition,
        session=session,
        seated=[(c, checked) for c, checked in roster if c.is_confirmed],
        waiting=[(c, positions.get(c.id), checked) for c, checked in roster if not c.is_confirmed],
    )
