"""Headers every response carries: no third-party resource, no inline script,
no framing, and no Referer that could carry a private link's token elsewhere."""

from __future__ import annotations

from collections.abc import Iterable, Iterator
from typing import Any

from flask import Flask, Request, Response, abort, request
from flask.json.provider import DefaultJSONProvider
from flask.sessions import SecureCookieSession, SecureCookieSessionInterface
from werkzeug.exceptions import BadRequest

CONTENT_SECURITY_POLICY = "; ".join(
    [
        "default-src 'self'",
        "script-src 'self' 'wasm-unsafe-eval'",
        "style-src 'self'",
        "img-src 'self' data: blob:",
        "media-src 'self' blob:",
        "connect-src 'self'",
        "worker-src 'self'",
        "object-src 'none'",
        "base-uri 'none'",
        "form-action 'self'",
        "frame-ancestors 'none'",
    ]
)
FORM_TYPES = frozenset(("application/x-www-form-urlencoded", "multipart/form-data"))

# On every answer, unless a view set its own.
SECURITY_HEADERS = (
    ("Content-Security-Policy", CONTENT_SECURITY_POLICY),
    ("X-Content-Type-Options", "nosniff"),
    # Never to another site (a private link's token stays here), but to this one:
    # over HTTPS, Flask-WTF refuses a form sent without a Referer of this site.
    ("Referrer-Policy", "same-origin"),
    ("X-Frame-Options", "DENY"),
    ("Permissions-Policy", "camera=(self), microphone=(), geolocation=()"),
    ("Cross-Origin-Opener-Policy", "same-origin"),
)
_SECURITY_LOWER = tuple((pair[0].lower(), pair) for pair in SECURITY_HEADERS)


# How deep a JSON body may nest: ours nest three levels at most. Deeper is refused (400)
# before anything walks it, rather than reaching Python's recursion limit (a 500).
MAX_JSON_DEPTH = 32


class Unprintable(BadRequest):
    """A NUL character in what was sent: no text of ours holds one, and PostgreSQL
    cannot even compare one; refused before any view sees it (errors.py says so)."""


class NotUnicode(BadRequest):
    """Text that is not Unicode: a lone surrogate (JSON's ``"\\ud800"``), which no
    database stores and no page prints. ``field`` names the body's field that holds it;
    the API answers 422 naming it."""

    def __init__(self, field: str):
        super().__init__()
        self.field = field


class BoundedJSONProvider(DefaultJSONProvider):
    """Flask's JSON, reading no body nested deeper than ``MAX_JSON_DEPTH``: such a body
    is not valid JSON for us (``get_json`` then gives nothing, and the API a 400)."""

    def loads(self, s: str | bytes, **kwargs: Any) -> Any:
        try:
            value = super().loads(s, **kwargs)
        except RecursionError as exc:  # the parser's own limit, far deeper than ours
            raise ValueError("JSON nested too deeply") from exc
        if _deeper_than(value, MAX_JSON_DEPTH):
            raise ValueError("JSON nested too deeply")
        return value


def _deeper_than(value: Any, limit: int) -> bool:
    """Walked without recursion, which is the point."""
    stack = [(value, 0)]
    while stack:
        item, depth = stack.pop()
        if depth > limit:
            return True
        if isinstance(item, dict):
            stack.extend((v, depth + 1) for v in item.values())
        elif isinstance(item, list):
            stack.extend((v, depth + 1) for v in item)
    return False


def _texts(value: Any, field: str = "") -> Iterator[tuple[str, str]]:
    """Every text in ``value`` (keys included), with the top-level field it is under."""
    stack = [(field, value)]
    while stack:
        where, item = stack.pop()
        if isinstance(item, str):
            yield where, item
        elif isinstance(item, dict):
            for key, inner in item.items():
                name = where or (key if isinstance(key, str) else "")
                stack.append((name, key))
                stack.append((name, inner))
        elif isinstance(item, list):
            stack.extend((where, inner) for inner in item)


def _is_unicode(text: str) -> bool:
    try:
        text.encode("utf-8")
    except UnicodeEncodeError:
        return False
    return True


def _printable_name(field: str) -> str:
    return field.encode("utf-8", "backslashreplace").decode("utf-8") or "body"


def _check_texts(texts: Iterable[tuple[str, str]]) -> None:
    for field, text in texts:
        if "\x00" in text:
            raise Unprintable()
        if not _is_unicode(text):
            raise NotUnicode(_printable_name(field))


class CookieSessions(SecureCookieSessionInterface):
    """Flask's signed-cookie sessions, where a request without the cookie (a scanner's API
    call, a calendar app, a first visit) gets its empty session without a signer being
    made for it."""

    def open_session(self, app: Flask, request: Request) -> SecureCookieSession | None:
        if app.secret_key and not request.cookies.get(self.get_cookie_name(app)):
            return self.session_class()
        return super().open_session(app, request)


def takes_picture(limit: int):
    """Mark a view that takes a picture: its requests may be up to ``limit`` bytes,
    not ``MAX_CONTENT_LENGTH``. Raised before anything reads the form (the CSRF check,
    the check of unprintable text below): raised in the view, it came too late, and a
    1.1 MB picture threw the whole form away with a bare 413."""

    def mark(view):
        view.max_content_length = limit
        return view

    return mark


def register_security(app: Flask) -> None:
    app.json = BoundedJSONProvider(app)
    app.session_interface = CookieSessions()

    def _raise_the_limit_for_a_picture() -> None:
        limit = getattr(app.view_functions.get(request.endpoint), "max_content_length", None)
        if limit is not None:
            request.max_content_length = limit

    # First of all: the CSRF check (Flask-WTF's, registered with the extensions) reads
    # the form too.
    app.before_request_funcs.setdefault(None, []).insert(0, _raise_the_limit_for_a_picture)

    @app.before_request
    def _refuse_unprintable_text() -> None:
        if "\x00" in request.path:
            abort(404)  # no page has such an address
        sent = list(request.args.items(multi=True))
        if request.mimetype in FORM_TYPES:  # else the form is empty: not parsed for nothing
            sent += request.form.items(multi=True)
        _check_texts(text for pair in sent for text in _texts(list(pair), pair[0]))
        if request.is_json:
            _check_texts(_texts(request.get_json(silent=True)))

    @app.after_request
    def _security_headers(response: Response) -> Response:
        # One pass over the answer's headers: six ``setdefault`` calls walked them six
        # times, lowercasing each name: 18 µs a request, 6–14 µs now (fifteenth round).
        headers = response.headers
        present = {name.lower() for name, _value in headers.items()}
        headers.extend(pair for lower, pair in _SECURITY_LOWER if lower not in present)
        return response
