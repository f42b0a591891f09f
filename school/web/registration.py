"""Registering: the form at ``/<slug>/register`` and the "I lost my link" page."""

from __future__ import annotations

from flask import Blueprint, flash, redirect, render_template, request, url_for
from flask_babel import gettext as _

from school import i18n
from school.database import utcnow
from school.extensions import db, limiter
from school.forms.registration import LostLinkForm, RegistrationForm
from school.services.programme import catalogue
from school.services.registration import (
    access,
    cancelling,
    groups,
    links,
    offer,
    registrations,
)
from school.services.registration.rules import InvalidRegistration
from school.web.actions import form_action
from school.web.auth import may_preview

bp = Blueprint("registration", __name__)

FORM_LIMIT = "30 per minute;500 per hour"  # a registration desk may sit behind one address


def ranking_groups(edition, now) -> list:
    """Groups whose sessions are ranked (allocation by preference) rather than picked."""
    return [g for g in groups.groups_of(db.session, edition.id) if groups.takes_rankings(g, now)]


def read_form(form: RegistrationForm, ranked: list) -> None:
    if form.is_submitted():
        form.rankings = form.read_rankings([g.id for g in ranked])


def show_session_errors(form: RegistrationForm, refusal) -> None:
    """Beside each session, why it cannot be had (the form keeps everything typed)."""
    if isinstance(refusal, InvalidRegistration):
        form.session_errors = refusal.by_session


def choice_page_context(edition, form: RegistrationForm, plan_sessions, meals, ranked):
    """What the form shows beside the fields: sessions by day and slot, and meals, with
    seats left, and the groups to rank."""
    taken = catalogue.seats_taken(db.session, [s.id for s in [*plan_sessions, *meals]])
    alongside = offer.members_sessions_alongside(db.session, edition)
    plan = catalogue.Programme(edition, plan_sessions, taken, alongside)
    days = [day for day in plan.days() if day.slots]
    shown = {day.date for day in days}
    by_day: dict = {}
    for group in ranked:
        starts = [s.starts_at for s in group.sessions if not s.is_cancelled]
        on = edition.local(min(starts)).date() if starts else None
        if on in shown:
            by_day.setdefault(on, []).append(group)
    return {
        "form": form,
        "edition": edition,
        "programme": plan,
        "choice_days": days,
        # Each group to rank under the day of its sessions, not after the last day.
        "ranked_by_day": by_day,
        "ranked_on_a_day": {g.id for groups in by_day.values() for g in groups},
        "meals": meals,
        "ranked_groups": ranked,
        "ranked_sessions": {s.id for g in ranked for s in g.sessions},
        "rankings": form.rankings or {},
    }


@bp.route("/<slug>/register", methods=["GET", "POST"])
@limiter.limit(FORM_LIMIT, methods=["POST"])
def form(slug: str):
    edition = catalogue.get_edition(db.session, slug, preview=may_preview())
    now = utcnow()
    closed = offer.registration_window_error(edition, now)
    if closed:
        return render_template("registration/closed.html", edition=edition, message=closed)
    sessions = offer.choosable_sessions(db.session, edition)
    meals = offer.meal_sessions(db.session, edition)
    form = RegistrationForm()
    speaker_token = request.args.get("speaker") if not form.is_submitted() else None
    # A speaker's link: they register as a speaker (the service checks the token again).
    speaker = access.speaker_of(db.session, edition, speaker_token) if speaker_token else None
    if speaker is not None:
        form.speaker.data = speaker_token
        form.category.data = "speaker"
        # What the organisers already know of the speaker, not to be typed again.
        for name in ("first_name", "last_name", "email", "organisation"):
            form[name].data = form[name].data or getattr(speaker, name)
    form.prepare(edition, i18n.language(), meals, sessions)
    if not form.is_submitted():
        # Back from the private page of a cancelled registration: its answers again.
        again = cancelling.answers_to_offer_again(db.session, edition, request.args.get("again"))
        for name, value in again.items():
            form[name].data = value
    ranked = ranking_groups(edition, now)
    read_form(form, ranked)
    if form.validate_on_submit():
        with form_action(form) as action:
            outcome = registrations.register(db.session, edition, form.to_data(), now=now)
        show_session_errors(form, action.refusal)
        if action.done:
            if not outcome.created:
                return render_template(
                    "registration/check_inbox.html",
                    edition=edition,
                    email=form.email.data,
                    registering=True,
                )
            flash(_("Thank you! Your registration is confirmed. We have sent you an e-mail."))
            return redirect(url_for("participant.manage", token=outcome.registration.manage_token))
        # What could not be kept: the page is shown again with the answers as typed.
        sessions = offer.choosable_sessions(db.session, edition)
    return render_template(
        "registration/form.html", **choice_page_context(edition, form, sessions, meals, ranked)
    )


@bp.route("/<slug>/register/lost-link", methods=["GET", "POST"])
@limiter.limit("10 per minute;50 per hour", methods=["POST"])
def lost_link(slug: str):
    edition = catalogue.get_edition(db.session, slug, preview=may_preview())
    form = LostLinkForm()
    if form.validate_on_submit():
        with form_action() as action:
            links.send_lost_link(db.session, edition, form.email.data or "", now=utcnow())
        if action.done:  # the same answer whether or not the address is registered
            return render_template(
                "registration/check_inbox.html", edition=edition, email=form.email.data
            )
    return render_template("registration/lost_link.html", edition=edition, form=form)
