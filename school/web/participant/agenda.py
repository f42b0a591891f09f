"""``/my/<token>/agenda.ics``: the participant's calendar, to subscribe to once.
A route of the participant blueprint."""

from __future__ import annotations

from flask import request
from flask_babel import gettext as _

from school.extensions import db
from school.services.errors import NotFound
from school.services.publishing import calendar, feeds
from school.web import feeds as feed_views
from school.web.participant.blueprint import bp


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
