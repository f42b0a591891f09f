"""The edition's figures as JSON: ``GET /api/v1/editions/<slug>/report`` (staff)."""

from __future__ import annotations

from flask import jsonify

from school.extensions import db
from school.services.aftercare import figures
from school.services.programme import catalogue
from school.web.api.blueprint import bp
from school.web.api.openapi import operation
from school.web.auth import staff_api


@bp.get("/editions/<slug>/report")
@staff_api()
@operation(
    "get",
    "/editions/{slug}/report",
    "The edition's figures: registered, present, no-shows, sessions held, Cités and"
    " countries present, the survey's response rate and ratings",
    secured=True,
    responses={"200": ("The figures", "Report")},
)
def get_report(slug: str):
    edition = catalogue.get_edition(db.session, slug)
    response = jsonify(figures.as_json(figures.figures(db.session, edition)))
    response.headers["Cache-Control"] = "private, no-store"
    return response
