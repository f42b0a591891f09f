"""The JSON API (``/api/v1``), described by ``/api/v1/openapi.json``."""

from __future__ import annotations

from flask import Blueprint, jsonify

from school.extensions import csrf
from school.web.api.openapi import API_PREFIX, document

bp = Blueprint("api", __name__, url_prefix=API_PREFIX)
csrf.exempt(bp)


@bp.get("/openapi.json")
def openapi():
    return jsonify(document())
