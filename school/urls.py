"""Absolute links for e-mails and API answers, inside a request or not (CLI, workers)."""

from __future__ import annotations

from urllib.parse import urlsplit

from flask import current_app, has_request_context, url_for


def absolute_url(endpoint: str, **values) -> str:
    """Where the site lives is ``BASE_URL`` when it is set, in a request too: a private
    link e-mailed during a request (a link sent again, a change of choices) must not be
    built on the ``Host`` the request claims, which whoever sends it chooses. Without it
    (a laptop), the request's address, else ``http://127.0.0.1:5000``."""
    configured = current_app.config.get("BASE_URL")
    if has_request_context() and not configured:
        return url_for(endpoint, _external=True, **values)
    # Bind the URL map directly: a made-up request context would end the caller's
    # database session on teardown.
    base = urlsplit(configured or "http://127.0.0.1:5000")
    adapter = current_app.url_map.bind(
        base.netloc, script_name=base.path or "/", url_scheme=base.scheme or "http"
    )
    return adapter.build(endpoint, values, force_external=True)
