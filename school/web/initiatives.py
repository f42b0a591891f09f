"""The call for initiatives in public: the submission form (``/<slug>/initiatives/submit``),
the submitter's private page, the wall (``/<slug>/initiatives``, accepted ones only) and
its screen mode for the big screen of the *place publique*."""

from __future__ import annotations

from flask import Blueprint, Response, abort, flash, redirect, render_template, request, url_for
from flask_babel import gettext as _

from school import i18n
from school.database import utcnow
from school.extensions import db, limiter
from school.forms.initiative import InitiativeForm
from school.models import Initiative
from school.services.errors import NotFound
from school.services.network import cites, initiatives, pictures
from school.services.network.countries import country_names
from school.services.programme import catalogue
from school.web.actions import form_action
from school.web.security import takes_picture

bp = Blueprint("initiatives", __name__)

SUBMIT_LIMIT = "20 per minute;200 per hour"
SCREEN_SECONDS = 12  # each card's time on the big screen


def _labels() -> dict:
    lang = i18n.language()
    return {
        "cite_names": cites.by_key(db.session),
        "countries": country_names(lang),
        "kinds": initiatives.KIND_LABELS,
        "themes": initiatives.THEME_LABELS,
        "decision_labels": initiatives.DECISION_LABELS,
    }


@bp.get("/<slug>/initiatives")
def wall(slug: str):
    edition = catalogue.get_edition(db.session, slug)
    if request.args.get("screen"):
        return screen(slug)
    every = initiatives.accepted(db.session, edition)
    chosen = initiatives.WallFilter.from_args(request.args)
    shown = [i for i in every if chosen.matches(i)]
    return render_template(
        "initiatives/wall.html",
        edition=edition,
        initiatives=shown,
        total=len(every),
        chosen=chosen,
        facets=initiatives.facets(every),
        call_open=initiatives.call_open(edition, utcnow()),
        **_labels(),
    )


@bp.get("/<slug>/initiatives/screen")
def screen(slug: str):
    edition = catalogue.get_edition(db.session, slug)
    chosen = initiatives.WallFilter.from_args(request.args)
    shown = initiatives.accepted(db.session, edition, chosen)
    at = request.args.get("at", "0")
    at = int(at) % len(shown) if at.isdigit() and len(at) < 6 and shown else 0
    args = {k: v for k, v in request.args.items() if k not in ("at", "screen")}
    return render_template(
        "initiatives/screen.html",
        edition=edition,
        initiatives=shown,
        at=at,
        next_url=url_for(".screen", slug=slug, **args, at=at + 1),
        seconds=SCREEN_SECONDS,
        **_labels(),
    )


@bp.get("/<slug>/initiatives/<int:initiative_id>/picture")
def picture(slug: str, initiative_id: int):
    edition = catalogue.get_edition(db.session, slug)
    try:
        initiative = initiatives.get(db.session, edition, initiative_id)
    except NotFound:
        abort(404)
    if not initiative.is_accepted:
        abort(404)  # nothing public before it is accepted
    return _picture_response(initiative, public=True)


@bp.route("/<slug>/initiatives/submit", methods=["GET", "POST"])
@takes_picture(pictures.REQUEST_MAX)
@limiter.limit(SUBMIT_LIMIT, methods=["POST"])
def submit(slug: str):
    edition = catalogue.get_edition(db.session, slug)
    now = utcnow()
    call = initiatives.call_state(edition, now)
    if not call.is_open:
        return render_template("initiatives/closed.html", edition=edition), 403
    form = InitiativeForm().prepare(i18n.language())
    if request.method == "GET":
        form.language.data = i18n.language()
    if form.validate_on_submit():
        with form_action(form) as action:
            initiative = initiatives.submit(db.session, edition, form.to_data(), now=now)
        if action.done:
            flash(
                _("Thank you: your initiative is received. We have e-mailed you its private link.")
            )
            return redirect(url_for(".edit", slug=slug, token=initiative.edit_token))
    return render_template("initiatives/submit.html", edition=edition, form=form, call=call)


@bp.route("/<slug>/initiatives/edit/<token>", methods=["GET", "POST"])
@takes_picture(pictures.REQUEST_MAX)
@limiter.limit(SUBMIT_LIMIT, methods=["POST"])
def edit(slug: str, token: str):
    edition = catalogue.get_edition(db.session, slug)
    initiative = _by_token(edition, token)
    form = InitiativeForm().prepare(i18n.language())
    if request.method == "GET":
        form.fill(initiatives.data_of(initiative))
    elif not initiative.is_decided and form.validate_on_submit():
        with form_action(form) as action:
            initiatives.update_by_submitter(db.session, initiative, form.to_data(), now=utcnow())
        if action.done:
            flash(_("Your changes are saved."))
            return redirect(url_for(".edit", slug=slug, token=token))
    response = Response(
        render_template(
            "initiatives/edit.html", edition=edition, form=form, initiative=initiative,
            **_labels(),
        )
    )  # fmt: skip
    response.headers["Referrer-Policy"] = "no-referrer"  # the link is the key
    return response


@bp.get("/<slug>/initiatives/edit/<token>/picture")
def own_picture(slug: str, token: str):
    edition = catalogue.get_edition(db.session, slug)
    return _picture_response(_by_token(edition, token), public=False)


def _by_token(edition, token: str) -> Initiative:
    try:
        initiative = initiatives.get_by_token(db.session, token)
    except NotFound:
        abort(404)
    if initiative.edition_id != edition.id:
        abort(404)
    return initiative


def _picture_response(initiative: Initiative, *, public: bool) -> Response:
    if not initiative.picture:
        abort(404)
    response = Response(initiative.picture, mimetype=initiative.picture_type or "image/jpeg")
    response.headers["X-Content-Type-Options"] = "nosniff"
    response.headers["Content-Security-Policy"] = "default-src 'none'; sandbox"
    response.headers["Cache-Control"] = "public, max-age=300" if public else "private, no-store"
    return response
