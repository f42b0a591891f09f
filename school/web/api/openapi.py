"""The OpenAPI 3 document, built from the API's own routes.

Each API view declares what it takes and returns with ``@operation``; the schemas
live in ``schemas``. Tests validate real responses against this document, so
it cannot drift from what the API does.

Errors are one body (``Error``, made in ``errors``) and a few shared responses that
every operation lists; an operation adds only the errors of its own, described.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

from school.database import MAX_ID
from school.web.api import schemas

API_PREFIX = "/api/v1"


@dataclass
class Operation:
    method: str
    path: str  # OpenAPI style: /editions/{slug}/programme
    summary: str
    responses: dict[str, tuple[str, str | None]]  # status -> (description, schema name)
    errors: dict[str, str] = field(default_factory=dict)  # status -> description, its own
    request: str | None = None
    secured: bool = False
    parameters: list[dict[str, Any]] = field(default_factory=list)


OPERATIONS: list[Operation] = []

# Errors any operation may answer: status -> (shared response's name, description).
SHARED_ERRORS: dict[str, tuple[str, str]] = {
    "400": (
        "BadRequest",
        "The body is not a JSON object (or nests deeper than 32 levels), or something sent"
        " holds a NUL",
    ),
    "401": (
        "Unauthorized",
        "No valid bearer token (nor a logged-in organiser); `token_expired`: the token's"
        " time is over",
    ),
    "403": (
        "Forbidden",
        "This account may not do this; `token_scope`: the token is for another edition;"
        " `csrf_missing`: a change asked with the session cookie lacks the page's"
        " `X-CSRFToken` header",
    ),
    "404": ("NotFound", "No such edition, or nothing at this address"),
    "413": ("TooLarge", "The body is larger than the server accepts"),
    "422": ("InvalidInput", "Some fields are wrong: `errors` gives the messages of each"),
    "429": ("TooManyRequests", "Too many requests from this address: wait for Retry-After"),
    "500": ("ServerError", "Something went wrong on the server"),
    "503": ("Unavailable", "The database is briefly unreachable: try again after Retry-After"),
}
_ALWAYS = ("400", "404", "413", "429", "500", "503")


def operation(method: str, path: str, summary: str, **kwargs: Any) -> Callable:
    def decorate(view: Callable) -> Callable:
        OPERATIONS.append(Operation(method, path, summary, **kwargs))
        return view

    return decorate


def _ref(name: str) -> dict[str, str]:
    return {"$ref": f"#/components/schemas/{name}"}


def document() -> dict[str, Any]:
    paths: dict[str, dict[str, Any]] = {}
    for op in OPERATIONS:
        params = [
            {"name": name, "in": "path", "required": True, "schema": _path_schema(name)}
            for name in _path_params(op.path)
        ] + op.parameters
        entry: dict[str, Any] = {
            "summary": op.summary,
            "operationId": f"{op.method}_{op.path.strip('/').replace('/', '_')}".replace(
                "{", ""
            ).replace("}", ""),
            "responses": _responses(op),
        }
        if params:
            entry["parameters"] = params
        if op.request:
            entry["requestBody"] = {
                "required": True,
                "content": {"application/json": {"schema": _ref(op.request)}},
            }
        if op.secured:
            entry["security"] = [{"bearer": []}]
        paths.setdefault(API_PREFIX + op.path, {})[op.method] = entry
    return {
        "openapi": "3.0.3",
        "info": {
            "title": "school — Spring/Autumn School of the Cités des métiers",
            "version": "1",
            "description": "Programme, registrations and check-in.",
        },
        "paths": paths,
        "components": {
            "schemas": schemas.SCHEMAS,
            "responses": {
                name: _error_response(status, description)
                for status, (name, description) in SHARED_ERRORS.items()
            },
            "securitySchemes": {"bearer": {"type": "http", "scheme": "bearer"}},
        },
    }


def _responses(op: Operation) -> dict[str, Any]:
    responses = {
        status: {"description": description}
        | ({"content": {"application/json": {"schema": _ref(schema)}}} if schema else {})
        for status, (description, schema) in op.responses.items()
    }
    shared = [*_ALWAYS, *(("401", "403") if op.secured else ()), *(("422",) if op.request else ())]
    for status in sorted(shared):
        responses[status] = {"$ref": f"#/components/responses/{SHARED_ERRORS[status][0]}"}
    for status, description in op.errors.items():
        responses[status] = _error_response(status, description)
    return dict(sorted(responses.items()))


def _error_response(status: str, description: str) -> dict[str, Any]:
    schema: dict[str, Any] = _ref("Error")
    if status == "422":
        schema = {"allOf": [schema, {"required": ["errors"]}]}
    response: dict[str, Any] = {
        "description": description,
        "content": {"application/json": {"schema": schema}},
    }
    header = {"401": "WWW-Authenticate", "429": "Retry-After", "503": "Retry-After"}.get(status)
    if header:
        response["headers"] = {header: {"schema": {"type": "string"}}}
    return response


def _path_schema(name: str) -> dict[str, Any]:
    # Ids are the database's (the URL refuses larger ones: a 404); the rest is text.
    if name.endswith("_id"):
        return {"type": "integer", "minimum": 1, "maximum": MAX_ID}
    return {"type": "string"}


def _path_params(path: str) -> list[str]:
    return [part[1:-1] for part in path.split("/") if part.startswith("{")]
