"""Files that calendars and conference apps poll: the programme as iCalendar, one
session as iCalendar, and the frab schedule (JSON and XML).

Every feed answers ``304 Not Modified`` to a client that already has it
(``If-None-Match`` with its ETag, or ``If-Modified-Since``), after one small query.
The helpers here serve the personal feeds too (participant and speaker blueprints).
"""

from __future__ import annotations

import hashlib
import json
from collections.abc import Callable

from flask import Blueprint, Flask, Response, current_app, request, url_for
from flask_babel import force_locale
from flask_babel import gettext as _

from school import i18n
from school.extensions import db
from school.labels import AUDIENCE_LABELS, KIND_LABELS, ROLE_LABELS
from school.models import Edition, Session
from school.services.errors import NotFound
from school.services.programme import catalogue
from school.services.publishing import calendar, feeds, frab
from school.services.publishing.feeds import FeedState
from school.web.auth import may_preview
from school.web.render_cache import RENDER_CACHE, render_cache

bp = Blueprint("feeds", __name__)
# A feed of someone's own: clients may keep it, but must ask again each time (cheap:
# usually a 304), and no shared cache may.
PRIVATE_FEED = "private, no-cache"


# --- Helpers shared by every feed -------------------------------------------------------


def wording() -> calendar.Wording:
    return calendar.Wording(kinds=KIND_LABELS, roles=ROLE_LABELS, audiences=AUDIENCE_LABELS)


def feed_language(default: str | None = None) -> str:
    """``?lang=``, else the reader's own language, else the client's preference.

    Calendar clients keep no cookie, so the remembered choice of the site is not used.
    """
    languages = current_app.config["LANGUAGES"]
    asked = request.args.get("lang")
    if asked in languages:
        return asked
    if default in languages:
        return default
    return i18n.best_language(request.accept_languages, languages)


def session_url(slug: str, lang: str) -> Callable[[Session], str]:
    def url(session: Session) -> str:
        return url_for(
            "public.session_page", slug=slug, session_id=session.id, lang=lang, _external=True
        )

    return url


def webcal(url: str) -> str:
    """The same address for calendar apps: ``webcal://`` opens their subscribe dialog."""
    return "webcal://" + url.split("://", 1)[1]


def _feed_key(state: FeedState, lang: str, url: str) -> str:
    return state.etag(lang, url)


def kept_feed(app: Flask, state: FeedState, lang: str, url: str) -> tuple[str, bytes] | None:
    """The ETag and body this process built for the feed at ``url`` in this state and
    language, if it still has them."""
    cache = app.extensions.get(RENDER_CACHE)
    kept = cache.get(_feed_key(state, lang, url)) if cache is not None else None
    return None if kept is None else (kept[:40].decode(), kept[40:])  # digest, then body


def conditional(
    state: FeedState,
    build: Callable[[], bytes],
    *,
    mimetype: str,
    filename: str | None = None,
    private: bool = False,
    lang: str,
) -> Response:
    """The feed, or ``304 Not Modified`` when the client's copy is current.

    The ETag is a digest of the bytes served, so it changes when they do and only then
    (a change to another session leaves a session's file and its ETag alone). The
    state's key (the feed's state, the language and the address asked) names the build
    in the render cache: a client polling a feed that did not change gets its 304 after
    the one small query of the state.
    """
    kept = kept_feed(current_app, state, lang, request.url)
    if kept is None:
        with force_locale(lang):
            body = build()
        etag = hashlib.sha256(body).hexdigest()[:40]
        render_cache().put(_feed_key(state, lang, request.url), etag.encode() + body)
    else:
        etag, body = kept
    last_modified = state.last_modified.replace(microsecond=0)
    if request.if_none_match:
        fresh = request.if_none_match.contains_weak(etag)
    else:
        since = request.if_modified_since
        fresh = bool(state.dates_are_enough and since and last_modified <= since)
    if fresh:
        response = Response(status=304)
    else:
        response = Response(body, mimetype=mimetype)
        if filename:
            response.headers["Content-Disposition"] = f'attachment; filename="{filename}"'
    response.set_etag(etag)
    response.last_modified = last_modified
    # Clients may keep it, but must ask again each time (cheap: usually a 304).
    response.headers["Cache-Control"] = PRIVATE_FEED if private else "public, no-cache"
    if "lang" not in request.args and not state.language:
        response.vary.add("Accept-Language")
    return response


# --- The whole programme and one session ------------------------------------------------


def _programme_state(slug: str) -> FeedState:
    state = feeds.programme_state(db.session, slug, preview=may_preview())
    if state is None:
        raise NotFound(f"no edition {slug!r}")
    return state


@bp.get("/<slug>/programme.ics")
def programme_ics(slug: str):
    state = _programme_state(slug)
    lang = feed_language()

    def build() -> bytes:
        edition = db.session.get(Edition, state.edition_id)
        return calendar.render(
            edition,
            feeds.programme_items(db.session, edition),
            name=edition.text("title", lang),
            description=_("Programme of %(edition)s", edition=edition.text("title", lang)),
            lang=lang,
            wording=wording(),
            session_url=session_url(slug, lang),
            source=request.url,
        )

    return conditional(
        state, build, mimetype=calendar.CONTENT_TYPE, filename=f"{slug}.ics", lang=lang
    )


@bp.get("/<slug>/sessions/<int:session_id>.ics")
def session_ics(slug: str, session_id: int):
    """The "Add to calendar" button of a session page."""
    state = _programme_state(slug)
    state = FeedState(state.edition_id, (*state.key, session_id), state.last_modified)
    lang = feed_language()

    def build() -> bytes:
        edition = db.session.get(Edition, state.edition_id)
        session = catalogue.get_session(db.session, edition, session_id)
        return calendar.render(
            edition,
            [calendar.session_item(session)],
            name=session.text("title", lang),
            lang=lang,
            wording=wording(),
            session_url=session_url(slug, lang),
        )

    return conditional(
        state,
        build,
        mimetype=calendar.CONTENT_TYPE,
        filename=f"{slug}-{session_id}.ics",
        lang=lang,
    )


# --- Conference apps (frab / c3voc schedule) -------------------------------------------


def _schedule(slug: str, render: Callable[..., object], mimetype: str):
    state = _programme_state(slug)
    lang = feed_language()

    def build() -> bytes:
        edition = catalogue.get_edition(db.session, slug)
        sessions = feeds.load_sessions(db.session, Session.edition_id == edition.id)
        links = frab.Links(
            base=url_for("public.index", _external=True),
            programme=url_for("public.programme_page", slug=slug, lang=lang, _external=True),
            session=session_url(slug, lang),
            xml=url_for("feeds.schedule_xml", slug=slug, _external=True),
        )
        result = render(edition, sessions, lang=lang, kinds=KIND_LABELS, links=links)
        if isinstance(result, bytes):
            return result
        return json.dumps(result, ensure_ascii=False, indent=1).encode()

    return conditional(state, build, mimetype=mimetype, lang=lang)


@bp.get("/<slug>/schedule.json")
def schedule_json(slug: str):
    return _schedule(slug, frab.schedule_json, "application/json")


@bp.get("/<slug>/schedule.xml")
def schedule_xml(slug: str):
    return _schedule(slug, frab.schedule_xml, "application/xml")
