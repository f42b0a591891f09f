"""A participant's private space at ``/my/<manage-token>``: no password, an unguessable link."""

from __future__ import annotations

from flask import Blueprint, render_template, request
from flask_babel import gettext as _

from school.extensions import db
from school.services import calendar, feeds
from school.services import registration as registrations
from school.services.errors import NotFound
from school.web import feeds as feed_views

bp = Blueprint("participant", __name__, url_prefix="/my")


@bp.after_request
def _private(response):
    # Personal data: never kept by shared caches, never indexed. (The agenda feed says
    # "private, no-cache" itself: calendar clients keep it and ask with its ETag.)
    response.headers.setdefault("Cache-Control", "private, no-store")
    response.headers["X-Robots-Tag"] = "noindex"
    return response


@bp.get("/<token>")
def manage(token: str):
    registration = registrations.get_by_manage_token(db.session, token)
    return render_template(
        "participant/manage.html", registration=registration, edition=registration.edition
    )


# --- The personal calendar feed ---------------------------------------------------------


@bp.get("/<token>/agenda.ics")
def agenda(token: str):
    """The participant's days, choices and waiting-list places, as a calendar to subscribe to."""
    state = feeds.participant_state(db.session, token)
    if state is None:
        raise NotFound("no registration for this link")
    lang = feed_views.feed_language(state.language)

    def build() -> bytes:
        registration, items = feeds.participant_items(db.session, state)
        edition = registration.edition
        title = edition.text("title", lang)
        return calendar.render(
            edition,
            items,
            name=_("My agenda — %(edition)s", edition=title),
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
