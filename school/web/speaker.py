"""The speakers' corner at ``/speaker/<speaker-token>``: a private link, no password.

A speaker sees when and where they speak and with whom, downloads their agenda
(``agenda.ics``) and a one-page ``schedule.pdf``, confirms a session marked
"sous réserve", and corrects their function, organisation and short bio, their e-mail
address and the language we write to them in.
"""

from __future__ import annotations

from flask import (
    Blueprint,
    Response,
    current_app,
    flash,
    redirect,
    render_template,
    request,
    session,
    url_for,
)
from flask_babel import force_locale
from flask_babel import gettext as _

from school.database import utcnow
from school.extensions import db, limiter
from school.forms.speaker import ConfirmForm, DetailsForm
from school.models import Edition, Person
from school.services.errors import NotFound
from school.services.programme import speakers
from school.services.publishing import calendar, feeds, speaker_pdf
from school.web import feeds as feed_views
from school.web.actions import form_action
from school.web.registration import FORM_LIMIT

bp = Blueprint("speaker", __name__, url_prefix="/speaker")


@bp.after_request
def _private(response: Response) -> Response:
    response.headers.setdefault("Cache-Control", "private, no-store")
    response.headers["X-Robots-Tag"] = "noindex"
    return response


def _language(person: Person) -> str:
    """The page's language: ``?lang=`` (remembered), the site's remembered choice,
    else the speaker's own language rather than the browser's."""
    languages = current_app.config["LANGUAGES"]
    asked = request.args.get("lang")
    if asked in languages:
        session["lang"] = asked
        return asked
    for candidate in (session.get("lang"), person.language):
        if candidate in languages:
            return candidate
    return languages[0]


def _render(person: Person, edition: Edition, lang: str, details: DetailsForm, status=200):
    sessions = speakers.sessions_of(db.session, person)
    links = speakers.links_of(person, sessions)
    token = person.speaker_token
    feed_url = url_for("speaker.agenda", token=token, _external=True)
    with force_locale(lang):
        html = render_template(
            "speaker/corner.html",
            person=person,
            edition=edition,
            links=links,
            details=details,
            confirm=ConfirmForm(),
            feed_url=feed_url,
            webcal_url=feed_views.webcal(feed_url),
        )
    return html, status


@bp.get("/<token>")
def corner(token: str):
    person, edition = speakers.get_by_speaker_token(db.session, token)
    return _render(person, edition, _language(person), DetailsForm(obj=person))


@bp.post("/<token>/confirm")
def confirm(token: str):
    person, _edition = speakers.get_by_speaker_token(db.session, token)
    form = ConfirmForm()
    if form.validate_on_submit():
        session_ids = [int(form.session_id.data)] if form.session_id.data else None
        lang = _language(person)
        with force_locale(lang), form_action() as action:
            changed = speakers.confirm(db.session, person, session_ids, now=utcnow())
        if action.done and changed:
            with force_locale(lang):
                flash(_("Thank you: your participation is confirmed."), "success")
    return redirect(url_for("speaker.corner", token=token))


@bp.post("/<token>/details")
@limiter.limit(FORM_LIMIT)  # a changed address sends an e-mail
def details(token: str):
    person, edition = speakers.get_by_speaker_token(db.session, token)
    lang = _language(person)
    form = DetailsForm()
    if not form.validate_on_submit():
        return _render(person, edition, lang, form, status=422)
    # A field the form did not send (a page from before it had one) is left as it is.
    values = {name: form[name].data for name in speakers.DETAILS if name in request.form}
    with force_locale(lang), form_action(form) as action:
        changes = speakers.update_details(db.session, person, values, now=utcnow())
    if not action.done:
        return _render(person, edition, lang, form, status=422)
    if "language" in changes:  # chosen for the e-mails: the page follows
        lang = session["lang"] = person.language
    # Said beside the form ("tap" messages), where the page opens again, not at its top.
    with force_locale(lang):
        if changes.get("email", [None])[0]:
            flash(
                _(
                    "Thank you: from now on we write to %(email)s. A message tells your"
                    " previous address of the change.",
                    email=person.email,
                ),
                "tap",
            )
        elif changes:
            flash(_("Thank you: your details are updated."), "tap")
        else:
            flash(_("Nothing was changed."), "tap-info")
    return redirect(url_for("speaker.corner", token=token) + "#details")


@bp.get("/<token>/agenda.ics")
def agenda(token: str):
    state = feeds.speaker_state(db.session, token)
    if state is None:
        raise NotFound("no speaker for this link")
    lang = feed_views.feed_language(state.language)

    def build() -> bytes:
        person, edition = speakers.get_by_speaker_token(db.session, token)
        sessions = speakers.sessions_of(db.session, person)
        return calendar.render(
            edition,
            feeds.speaker_items(speakers.links_of(person, sessions)),
            name=_("My sessions — %(edition)s", edition=edition.text("title", lang)),
            lang=lang,
            wording=feed_views.wording(),
            session_url=feed_views.session_url(edition.slug, lang),
            source=request.url,
        )

    return feed_views.conditional(
        state,
        build,
        mimetype=calendar.CONTENT_TYPE,
        filename="agenda.ics",
        private=True,
        lang=lang,
    )


@bp.get("/<token>/schedule.pdf")
def schedule_pdf(token: str):
    person, edition = speakers.get_by_speaker_token(db.session, token)
    lang = feed_views.feed_language(person.language)
    sessions = speakers.sessions_of(db.session, person)
    with force_locale(lang):
        pdf = speaker_pdf.schedule_pdf(
            person,
            edition,
            speakers.links_of(person, sessions),
            lang=lang,
            wording=feed_views.wording(),
        )
    response = Response(pdf, mimetype="application/pdf")
    response.headers["Content-Disposition"] = 'inline; filename="schedule.pdf"'
    return response
