"""A participant's private space at ``/my/<manage-token>`` (no password, an unguessable
link): their registration, its changes, its cancellation and their data."""

from __future__ import annotations

from flask import flash, jsonify, redirect, render_template, url_for
from flask_babel import gettext as _

from school import i18n
from school.database import utcnow
from school.extensions import db, limiter
from school.forms.registration import CancelForm, ChoiceActionForm, RegistrationForm
from school.services.programme import catalogue
from school.services.registration import (
    cancelling,
    groups,
    offer,
    privacy,
    registrations,
    self_service,
    waiting_lines,
)
from school.services.registration.data import data_of
from school.web.actions import form_action
from school.web.participant.blueprint import bp
from school.web.participant.choices import summary
from school.web.registration import (
    FORM_LIMIT,
    choice_page_context,
    ranking_groups,
    read_form,
    show_session_errors,
)


@bp.get("/<token>")
def manage(token: str):
    registration = registrations.get_by_manage_token(db.session, token)
    edition = registration.edition
    choices = waiting_lines.choices_in_line(db.session, registration)
    # What one tap may change: swap a choice for a session at the same time, or join one.
    offered = offer.choosable_sessions(db.session, edition)
    ranked = {s.id for g in ranking_groups(edition, utcnow()) for s in g.sessions}
    offered = [s for s in offered if s.id not in ranked]
    plan = catalogue.Programme(
        edition, offered, catalogue.seats_taken(db.session, [s.id for s in offered])
    )
    return render_template(
        "participant/manage.html",
        registration=registration,
        edition=edition,
        choices=choices,
        meals=sorted((m.session for m in registration.meals), key=lambda s: s.starts_at),
        programme=plan,
        swaps={
            c.session_id: self_service.alternatives(registration, offered, c.session)
            for c, _place in choices
        },
        joinable=self_service.joinable(registration, offered),
        tap_form=ChoiceActionForm(),
        ranked=groups.pending_rankings(registration),
        held_before=(
            cancelling.held_before(db.session, registration) if registration.is_cancelled else []
        ),
    )


@bp.route("/<token>/edit", methods=["GET", "POST"])
@limiter.limit(FORM_LIMIT, methods=["POST"])
def edit(token: str):
    registration = registrations.get_by_manage_token(db.session, token)
    edition = registration.edition
    if registration.is_cancelled:
        return redirect(url_for(".manage", token=token))
    sessions = offer.choosable_sessions(db.session, edition)
    held = {c.session_id for c in registration.choices}
    meals = offer.meal_sessions(db.session, edition)
    form = RegistrationForm()
    if not form.is_submitted():
        form.fill(data_of(registration))
    form.prepare(edition, i18n.language(), meals, sessions)
    ranked = ranking_groups(edition, utcnow())
    read_form(form, ranked)
    if form.validate_on_submit():
        with form_action(form) as action:
            changes = self_service.update(db.session, registration, form.to_data(), now=utcnow())
        show_session_errors(form, action.refusal)
        if action.done:
            flash(_("Your changes are saved."))
            if not changes:
                return redirect(url_for(".manage", token=token))
            flash(summary(changes), "tap")  # where the sessions are, as for a single change
            return redirect(url_for(".manage", token=token, _anchor="my-sessions"))
        registration = registrations.get_by_manage_token(db.session, token)
        sessions = offer.choosable_sessions(db.session, registration.edition)
        held = {c.session_id for c in registration.choices}
    context = choice_page_context(registration.edition, form, sessions, meals, ranked)
    return render_template("participant/edit.html", registration=registration, held=held, **context)


@bp.route("/<token>/cancel", methods=["GET", "POST"])
def cancel(token: str):
    registration = registrations.get_by_manage_token(db.session, token)
    form = CancelForm()
    if form.validate_on_submit():
        with form_action() as action:
            cancelling.cancel(db.session, registration, now=utcnow())
        if action.done:
            flash(_("Your registration is cancelled. Thank you for freeing your seats."))
            return redirect(url_for(".manage", token=token))
    return render_template(
        "participant/cancel.html",
        registration=registration,
        edition=registration.edition,
        form=form,
    )


@bp.get("/<token>/data.json")
def data(token: str):
    """Everything we keep about the participant, for them to download."""
    registration = registrations.get_by_manage_token(db.session, token)
    response = jsonify(privacy.participant_data(db.session, registration))
    response.headers["Content-Disposition"] = 'attachment; filename="my-registration.json"'
    return response
