"""Headers every response carries: no third-party resource, no inline script,
no framing, and no Referer that could carry a private link's token elsewhere."""

from __future__ import annotations

from typing import Any

from flask import Flask, Response, abort, request
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


class Unprintable(BadRequest):
    """A NUL character in what was sent: no text of ours holds one, and PostgreSQL
    cannot even compare one; refused before any view sees it (errors.py says so)."""


def _holds_nul(value: Any) -> bool:
    if isinstance(value, str):
        return "\x00" in value
    if isinstance(value, dict):
        return any(_holds_nul(k) or _holds_nul(v) for k, v in value.items())
    if isinstance(value, list):
        return any(_holds_nul(v) for v in value)
    return False


def register_security(app: Flask) -> None:
    @app.before_request
    def _refuse_nul_characters() -> None:
        if "\x00" in request.path:
            abort(404)  # no page has such an address
        sent = [*request.args.items(multi=True), *request.form.items(multi=True)]
        if any(_holds_nul(key) or _holds_nul(value) for key, value in sent):
            raise Unprintable()
        if request.is_json and _holds_nul(request.get_json(silent=True)):
            raise Unprintable()

    @app.after_request
    def _security_headers(response: Response) -> Response:
        headers = response.headers
        headers.setdefault("Content-Security-Policy", CONTENT_SECURITY_POLICY)
        headers.setdefault("X-Content-Type-Options", "nosniff")
        # Never to another site (a private link's token stays here), but to this one:
        # over HTTPS, Flask-WTF refuses a form sent without a Referer of this site.
        headers.setdefault("Referrer-Policy", "same-origin")
        headers.setdefault("X-Frame-Options", "DENY")
        headers.setdefault("Permissions-Policy", "camera=(self), microphone=(), geolocation=()")
        headers.setdefault("Cross-Origin-Opener-Policy", "same-origin")
        return response
