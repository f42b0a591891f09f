"""The JSON API fuzzed from its own OpenAPI document (schemathesis): whatever is sent,
valid or not, no 500, and every answer is one the document lists, with the body it
describes.

Bounded and repeatable: a fixed number of examples per operation and mode, derandomized.
The edition in the path is the demo's (a random one would only ever be a 404); the staff
calls carry a check-in token."""

from __future__ import annotations

import pytest
import schemathesis
from hypothesis import HealthCheck, given, settings
from schemathesis import GenerationMode
from schemathesis.checks import (
    content_type_conformance,
    not_a_server_error,
    response_schema_conformance,
    status_code_conformance,
)

from school.web.api import checkin, registrations  # noqa: F401 - they declare operations
from school.web.api.openapi import API_PREFIX, OPERATIONS

CHECKS = [
    not_a_server_error,
    status_code_conformance,
    content_type_conformance,
    response_schema_conformance,
]
# What the document cannot say (a country the School knows, a day of this edition): half
# the generated registrations get these, so the 201 answer is fuzzed too.
PLAUSIBLE = {"country": "PT", "category": "member", "days": ["2019-06-19"], "consent": True}


# schemathesis' own pytest plugin does not run under pytest 9: Hypothesis drives it here.
# Negative data needs something to break: a body or an id (a path's text accepts anything).
@pytest.mark.parametrize(
    ("method", "path", "mode"),
    [
        (op.method, API_PREFIX + op.path, mode)
        for op in OPERATIONS
        for mode in (GenerationMode.POSITIVE, GenerationMode.NEGATIVE)
        if op.request or "_id}" in op.path or mode == GenerationMode.POSITIVE
    ],
)
def test_the_api_answers_as_documented(app, world, method, path, mode):
    schema = schemathesis.openapi.from_wsgi(f"{API_PREFIX}/openapi.json", app)
    operation = schema[path][method]
    seen: set[int] = set()
    calls = []

    @given(case=operation.as_strategy(generation_mode=mode))
    @settings(
        max_examples=20,
        deadline=None,
        derandomize=True,
        database=None,
        suppress_health_check=list(HealthCheck),
    )
    def call(case):
        if "slug" in (case.path_parameters or {}):
            case.path_parameters["slug"] = world.slug
        calls.append(case)
        plausible = mode == GenerationMode.POSITIVE and len(calls) % 2
        if path.endswith("/registrations") and isinstance(case.body, dict) and plausible:
            case.body.update(PLAUSIBLE)
        if "checkin_id" in (case.path_parameters or {}) and plausible:
            case.path_parameters["checkin_id"] = world.params["checkin_id"]  # 200, then 409
        seen.add(case.call_and_validate(headers=world.auth, checks=CHECKS).status_code)

    call()
    assert 500 not in seen and seen
