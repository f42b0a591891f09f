"""A calendar app asking whether a participant's agenda changed, answered before Flask.

Calendar apps poll a subscribed ``agenda.ics`` every few minutes to hours, all day long,
and almost always hold the current copy: the answer is ``304 Not Modified``. When this
process keeps the participant's state and the agenda built from it (what the view would
read), the answer is decided here from those two values, without a request context, a
database session or the hooks a page needs; the view decides everything else (a first
download, a copy that changed, a language asked by the client, a state not kept): this
only ever answers what the view would answer, with the same headers
(tests/test_feeds_revalidation.py compares both).
"""

from __future__ import annotations

import re
from collections.abc import Callable, Iterable
from typing import Any

from flask import Flask
from werkzeug.exceptions import SecurityError
from werkzeug.http import parse_etags, quote_etag
from werkzeug.wsgi import get_current_url

from school.services.publishing import feeds as feed_states
from school.web.feeds import PRIVATE_FEED, kept_feed
from school.web.participant.blueprint import NOT_INDEXED
from school.web.security import SECURITY_HEADERS

AGENDA = re.compile(r"/my/([A-Za-z0-9_-]{1,64})/agenda\.ics")


def install(app: Flask) -> None:
    """Answer revalidations of personal agendas in front of the app (inside any proxy
    fix, which gives the address the agenda was built for)."""
    flask_app = app.wsgi_app

    def revalidating(environ: dict[str, Any], start_response: Callable) -> Iterable[bytes]:
        headers = _not_modified(app, environ)
        if headers is None:
            return flask_app(environ, start_response)
        start_response("304 NOT MODIFIED", headers)
        return []

    app.wsgi_app = revalidating  # type: ignore[method-assign]


def _not_modified(app: Flask, environ: dict[str, Any]) -> list[tuple[str, str]] | None:
    """The 304's headers, or None when the view must decide."""
    if_none_match = environ.get("HTTP_IF_NONE_MATCH")
    if not if_none_match or environ["REQUEST_METHOD"] not in ("GET", "HEAD"):
        return None
    if environ.get("QUERY_STRING"):
        return None  # ?lang= and the like: the view
    found = AGENDA.fullmatch(environ.get("PATH_INFO", ""))
    versions = app.extensions.get("school.data_versions")
    if found is None or versions is None:
        return None
    state = feed_states.kept_participant_state(versions, found[1])
    if not isinstance(state, feed_states.ParticipantState):
        return None
    if state.language not in app.config["LANGUAGES"]:
        return None  # the client's Accept-Language decides: the view
    try:
        url = get_current_url(environ, trusted_hosts=app.config.get("TRUSTED_HOSTS"))
    except SecurityError:
        return None  # the view refuses it
    kept = kept_feed(app, state, state.language, url)
    if kept is None or not parse_etags(if_none_match).contains_weak(kept[0]):
        return None
    return [
        ("ETag", quote_etag(kept[0])),
        ("Cache-Control", PRIVATE_FEED),
        NOT_INDEXED,
        *SECURITY_HEADERS,
        ("Vary", "Cookie"),
    ]
