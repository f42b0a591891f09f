"""The participant's blueprint: ``/my/<manage-token>``, private pages that no cache keeps."""

from __future__ import annotations

from flask import Blueprint

bp = Blueprint("participant", __name__, url_prefix="/my")
NOT_INDEXED = ("X-Robots-Tag", "noindex")


@bp.after_request
def _private(response):
    # Personal data: never kept by shared caches, never indexed.
    response.headers.setdefault("Cache-Control", "private, no-store")
    response.headers[NOT_INDEXED[0]] = NOT_INDEXED[1]
    return response
