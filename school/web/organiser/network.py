"""The network's exchange in the back office: the directory of Cités (list, edit) and an
edition's initiatives (the call's dates, moderation: edit, translate, decide; the guide)."""

from __future__ import annotations

from datetime import UTC, datetime

from flask import Response, abort, flash, redirect, render_template, request, url_for
from flask_babel import gettext as _

from school import i18n
from school.database import utcnow
from school.extensions import db
from school.forms.initiative import CallForm, CiteForm, DecisionForm, InitiativeForm
from school.models.vocabulary import Decision
from school.services.errors import NotFound
from school.services.network import cites, guide, initiatives, moderation, pictures
from school.services.network.countries import country_names
from school.web.actions import form_action
from school.web.organiser.blueprint import actor, bp, load_edition
from school.web.security import takes_picture

# -- the directory


@bp.get("/cites")
def cites_page():
    return render_template(
        "organiser/cites.html",
        cites=cites.directory(db.session),
        countries=country_names(i18n.language()),
        status_labels=cites.STATUS_LABELS,
    )


@bp.route("/cites/new", methods=["GET", "POST"], defaults={"cite_key": None})
@bp.route("/cites/<cite_key>", methods=["GET", "POST"])
def cite_page(cite_key: str | None):
    key = cite_key
    form = CiteForm().prepare(i18n.language())
    cite = None
    if key is not None:
        cite = next((c for c in cites.directory(db.session) if c.key == key), None)
        if cite is None:
            abort(404)
        if request.method == "GET":
            for name in ("key", "name", "city", "country", "status", "website"):
                getattr(form, name).data = getattr(cite, name)
    if form.validate_on_submit():
        values = {name: getattr(form, name).data for name in ("name", "city", "country",
                                                               "status", "website")}  # fmt: skip
        with form_action(form) as action:
            cites.update(db.session, key or (form.key.data or "").strip(), values, actor=actor())
        if action.done:
            flash(_("The directory is saved."))
            return redirect(url_for(".cites_page"))
    return render_template("organiser/cite_form.html", form=form, cite=cite)


# -- an edition's initiatives


@bp.route("/<slug>/initiatives", methods=["GET", "POST"])
def initiatives_page(slug: str):
    edition = load_edition(slug)
    form = CallForm()
    if request.method == "GET":
        form.opens_at.data = _local(edition, edition.initiatives_open_at)
        form.closes_at.data = _local(edition, edition.initiatives_close_at)
    if form.validate_on_submit():
        with form_action(form) as action:
            opens = _parse(edition, form.opens_at.data, "opens_at")
            closes = _parse(edition, form.closes_at.data, "closes_at")
            moderation.set_call(db.session, edition, opens, closes, actor=actor())
        if action.done:
            flash(_("The call's dates are saved."))
            return redirect(url_for(".initiatives_page", slug=slug))
    decision = request.args.get("decision") or ""
    if decision not in {d.value for d in Decision}:
        decision = ""
    return render_template(
        "organiser/initiatives.html",
        edition=edition,
        form=form,
        decision=decision,
        rows=initiatives.listing(db.session, edition, decision or None),
        counts=initiatives.counts(db.session, edition),
        call=initiatives.call_state(edition, utcnow()),
        cite_names=cites.by_key(db.session),
        decision_labels=initiatives.DECISION_LABELS,
        kinds=initiatives.KIND_LABELS,
    )


@bp.route("/<slug>/initiatives/<int:initiative_id>", methods=["GET", "POST"])
@takes_picture(pictures.REQUEST_MAX)
def initiative_page(slug: str, initiative_id: int):
    edition = load_edition(slug)
    initiative = _initiative(edition, initiative_id)
    form = InitiativeForm().prepare(i18n.language())
    decision_form = DecisionForm(prefix="d")
    decision_form.decision.choices = [(d.value, initiatives.DECISION_LABELS[d]) for d in
                                      moderation.DECIDABLE]  # fmt: skip
    if request.method == "GET":
        form.fill(initiatives.data_of(initiative))
    elif form.validate_on_submit():
        with form_action(form) as action:
            moderation.update_by_organiser(
                db.session, initiative, form.to_data(), actor=actor(), now=utcnow()
            )
        if action.done:
            flash(_("The initiative is saved."))
            return redirect(url_for(".initiative_page", slug=slug, initiative_id=initiative_id))
    return _initiative_template(edition, initiative, form, decision_form)


@bp.post("/<slug>/initiatives/<int:initiative_id>/decision")
def decide_initiative(slug: str, initiative_id: int):
    edition = load_edition(slug)
    initiative = _initiative(edition, initiative_id)
    decision_form = DecisionForm(prefix="d")
    decision_form.decision.choices = [(d.value, initiatives.DECISION_LABELS[d]) for d in
                                      moderation.DECIDABLE]  # fmt: skip
    if decision_form.validate_on_submit():
        with form_action(decision_form) as action:
            moderation.decide(
                db.session, initiative, decision_form.decision.data or "",
                decision_form.message.data, actor=actor(), now=utcnow(),
            )  # fmt: skip
        if action.done:
            flash(_("The decision is saved and e-mailed to the submitter."))
            return redirect(url_for(".initiative_page", slug=slug, initiative_id=initiative_id))
    form = InitiativeForm().prepare(i18n.language())
    form.fill(initiatives.data_of(initiative))
    return _initiative_template(edition, initiative, form, decision_form)


@bp.get("/<slug>/initiatives/<int:initiative_id>/picture")
def initiative_picture(slug: str, initiative_id: int):
    initiative = _initiative(load_edition(slug), initiative_id)
    if not initiative.picture:
        abort(404)
    response = Response(initiative.picture, mimetype=initiative.picture_type or "image/jpeg")
    response.headers["X-Content-Type-Options"] = "nosniff"
    return response


@bp.get("/<slug>/initiatives/guide.pdf")
def initiatives_guide(slug: str):
    edition = load_edition(slug)
    lang = request.args.get("lang") if request.args.get("lang") in ("fr", "en") else "fr"
    pdf = guide.render(db.session, edition, lang, now=utcnow())
    name = f"{edition.slug}-guide-{lang}.pdf"
    return Response(
        pdf,
        mimetype="application/pdf",
        headers={"Content-Disposition": f'attachment; filename="{name}"'},
    )


def _initiative_template(edition, initiative, form, decision_form):
    return render_template(
        "organiser/initiative.html",
        edition=edition,
        initiative=initiative,
        form=form,
        decision_form=decision_form,
        decision_labels=initiatives.DECISION_LABELS,
        picture_url=url_for(".initiative_picture", slug=edition.slug, initiative_id=initiative.id),
    )


def _initiative(edition, initiative_id: int):
    try:
        return initiatives.get(db.session, edition, initiative_id)
    except NotFound:
        abort(404)


def _local(edition, moment: datetime | None) -> str:
    # The value a datetime-local field shows (and sends back).
    return moment.astimezone(edition.tz).strftime("%Y-%m-%dT%H:%M") if moment else ""


def _parse(edition, value: str | None, field: str) -> datetime | None:
    value = (value or "").strip()
    if not value:
        return None
    try:
        # The date picker sends "2027-09-30T23:59"; a person may type a space.
        local = datetime.strptime(value.replace("T", " ", 1), "%Y-%m-%d %H:%M")
    except ValueError:
        raise initiatives.InvalidInitiative(
            {field: [_("Please write the date and time as YYYY-MM-DD HH:MM.")]}
        ) from None
    return local.replace(tzinfo=edition.tz).astimezone(UTC)
