"""Absolute links for e-mails and API answers, inside a request or not (CLI, workers)."""

from __future__ import annotations

from urllib.parse import urlsplit

from flask import current_app, has_request_context, url_for


def absolute_url(endpoint: str, **values) -> str:
    if has_request_context():
        return url_for(endpoint, _external=True, **values)
    # Outside a request, BASE_URL says where the site lives. Bind the URL map directly:
    # a made-up request context would end the caller's database session on teardown.
    base = urlsplit(current_app.config.get("BASE_URL") or "http://127.0.0.1:5000")
    adapter = current_app.url_map.bind(
        base.netloc, script_name=base.path or "/", url_scheme=base.scheme or "http"
    )
    return adapter.build(endpoint, values, force_external=True)
