"""The requests that come most often, answered in front of Flask from what this
process keeps, when nothing about the visitor is needed:

- a calendar app asking whether a participant's agenda changed (``If-None-Match`` on
  ``/my/<token>/agenda.ics``): calendar apps poll a subscribed agenda all day long and
  almost always hold the current copy, so the answer is ``304 Not Modified``;
- the programme page, for a visitor without a cookie (no login, no message waiting, no
  language chosen on the site): everyone looking at the programme in the weeks before
  the School; and the programme's JSON (``/api/v1/editions/<slug>/programme``), which
  the Cités' own sites and apps ask for, and ask again whether it changed.

The answer is decided from the values the view would read (the participant's state and
the agenda built from it; the edition's state and the page built for it), by the same
functions, without a request context, a database session or the hooks a page needs.
Anything else, or a value not kept, is the view's: this only ever gives what the view
would give, with the same headers (tests/test_front.py compares both). So is everything
when the operators set a rate limit on every route (``RATELIMIT_DEFAULT``): these routes
have none of their own.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Iterable
from typing import Any

from flask import Flask
from werkzeug.exceptions import SecurityError
from werkzeug.http import parse_etags, quote_etag
from werkzeug.wrappers import Request

from school import i18n
from school.services.programme import catalogue
from school.services.publishing import feeds as feed_states
from school.web.api.programme import PROGRAMME_CACHING, kept_programme_json
from school.web.feeds import PRIVATE_FEED, kept_feed
from school.web.participant.blueprint import NOT_INDEXED
from school.web.public import programme_page_key
from school.web.render_cache import RENDER_CACHE
from school.web.security import SECURITY_HEADERS

AGENDA = re.compile(r"/my/([A-Za-z0-9_-]{1,64})/agenda\.ics")
PROGRAMME = re.compile(r"/([A-Za-z0-9_-]{1,100})/programme")
PROGRAMME_JSON = re.compile(r"/api/v1/editions/([A-Za-z0-9_-]{1,100})/programme")
# What Flask adds to a page whose session it opened (the language is looked up in it).
VARY = ("Vary", "Cookie")

Answer = tuple[str, list[tuple[str, str]], bytes]


def install(app: Flask) -> None:
    """Answer those requests in front of the app (inside any proxy fix, which gives the
    address and host the kept answers were made for)."""
    flask_app = app.wsgi_app

    def front(environ: dict[str, Any], start_response: Callable) -> Iterable[bytes]:
        answer = _kept_answer(app, environ)
        if answer is None:
            return flask_app(environ, start_response)
        status, headers, body = answer
        start_response(status, headers)
        return [] if environ["REQUEST_METHOD"] == "HEAD" else [body]

    app.wsgi_app = front  # type: ignore[method-assign]


def _kept_answer(app: Flask, environ: dict[str, Any]) -> Answer | None:
    if environ["REQUEST_METHOD"] not in ("GET", "HEAD") or environ.get("QUERY_STRING"):
        return None  # ?lang= and the like: the view
    if app.config.get("RATELIMIT_ENABLED") and app.config.get("RATELIMIT_DEFAULT"):
        return None  # a limit on every route: the limiter counts these requests too
    versions = app.extensions.get("school.data_versions")
    if versions is None:
        return None
    path = environ.get("PATH_INFO", "")
    try:
        if found := AGENDA.fullmatch(path):
            return _agenda_not_modified(app, versions, environ, found[1])
        if environ.get("HTTP_COOKIE"):
            return None  # who is asking may matter (an organiser sees a draft): the view
        if found := PROGRAMME.fullmatch(path):
            return _programme_page(app, versions, environ, found[1])
        if found := PROGRAMME_JSON.fullmatch(path):
            return _programme_json(app, versions, environ, found[1])
    except SecurityError:
        return None  # a host not trusted: the view refuses it
    return None


def _agenda_not_modified(app: Flask, versions, environ: dict, token: str) -> Answer | None:
    if_none_match = environ.get("HTTP_IF_NONE_MATCH")
    if not if_none_match:
        return None
    state = feed_states.kept_participant_state(versions, token)
    if not isinstance(state, feed_states.ParticipantState):
        return None
    if state.language not in app.config["LANGUAGES"]:
        return None  # the client's Accept-Language decides: the view
    url = _request(app, environ).url
    kept = kept_feed(app, state, state.language, url)
    if kept is None or not parse_etags(if_none_match).contains_weak(kept[0]):
        return None
    headers = [
        ("ETag", quote_etag(kept[0])),
        ("Cache-Control", PRIVATE_FEED),
        NOT_INDEXED,
        *SECURITY_HEADERS,
        VARY,
    ]
    return "304 NOT MODIFIED", headers, b""


def _kept_programme(app: Flask, versions, environ: dict, slug: str) -> tuple | None:
    """What the process keeps of the programme's answers, the edition's state they are
    kept under (if it is current and public), and the request."""
    cache = app.extensions.get(RENDER_CACHE)
    state = catalogue.kept_edition_state(versions, slug)
    if cache is None or state is None:
        return None
    return cache, state, _request(app, environ)


def _programme_page(app: Flask, versions, environ: dict, slug: str) -> Answer | None:
    if (kept := _kept_programme(app, versions, environ, slug)) is None:
        return None
    cache, state, request = kept
    lang = i18n.best_language(request.accept_languages, app.config["LANGUAGES"])
    page = cache.get(programme_page_key(state, lang, request.host, request.path))
    if not isinstance(page, bytes):
        return None
    headers = [
        ("Content-Type", "text/html; charset=utf-8"),
        ("Content-Length", str(len(page))),
        *SECURITY_HEADERS,
        ("Vary", "Accept-Language, Cookie"),  # its language is the browser's
    ]
    return "200 OK", headers, page


def _programme_json(app: Flask, versions, environ: dict, slug: str) -> Answer | None:
    if (kept := _kept_programme(app, versions, environ, slug)) is None:
        return None
    cache, state, request = kept
    if (answer := kept_programme_json(cache, state, request.host_url)) is None:
        return None
    etag, body = answer
    headers = [("ETag", quote_etag(etag)), ("Cache-Control", PROGRAMME_CACHING)]
    if request.if_none_match.contains_weak(etag):
        return "304 NOT MODIFIED", [*headers, *SECURITY_HEADERS, VARY], b""
    content = [("Content-Type", "application/json"), ("Content-Length", str(len(body)))]
    return "200 OK", [*content, *headers, *SECURITY_HEADERS, VARY], body


def _request(app: Flask, environ: dict) -> Request:
    """The request as the view would read it (its address, host, languages)."""
    request = Request(environ)
    request.trusted_hosts = app.config.get("TRUSTED_HOSTS")
    return request
