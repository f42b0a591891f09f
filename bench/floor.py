"""The floor of school's own API: school's app with one more route, for benchmarks only.

``POST /bench/floor/<slug>`` does what every check-in request does before its own work:
the request passes school's hooks (security headers, locale), the bearer token is
checked as for the check-in API, the edition is read, the transaction committed, and a
JSON answer of the size of a verdict goes back. Beside the ceiling (a bare Flask app)
it splits a check-in's cost into Flask and gunicorn, school's request path with the
token and edition, and the scan itself.
"""

from __future__ import annotations

from flask import Flask, jsonify, request

from school import create_app as create_school
from school.extensions import csrf, db
from school.services.programme import catalogue
from school.web.auth import staff_api, staff_to_read

VERDICT_SIZE = 400  # bytes, about a check-in answer


def create_app(config: dict | None = None) -> Flask:
    app = create_school(config)

    @staff_api()
    def floor(slug: str):
        request.get_json(silent=True)
        # As the check-in API reads them: as the process keeps them, only to read.
        edition = catalogue.read_only_edition(db.session, slug)
        staff = staff_to_read()
        answer = {"edition": edition.id, "staff": staff.id if staff else None}
        db.session.commit()
        return jsonify(answer | {"pad": "-" * VERDICT_SIZE})

    csrf.exempt(floor)  # a bearer-token API call, as the check-in API (its blueprint is exempt)
    app.add_url_rule("/bench/floor/<slug>", "bench_floor", floor, methods=["POST"])
    return app
