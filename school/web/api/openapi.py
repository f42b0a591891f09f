"""The OpenAPI 3 document, built from the API's own routes.

Each API view declares what it takes and returns with ``@operation``; the schemas
live in ``schemas``. Tests validate real responses against this document, so
it cannot drift from what the API does.
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
    request: str | None = None
    secured: bool = False
    parameters: list[dict[str, Any]] = field(default_factory=list)


OPERATIONS: list[Operation] = []


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
            "responses": {
                status: {"description": description}
                | ({"content": {"application/json": {"schema": _ref(schema)}}} if schema else {})
                for status, (description, schema) in op.responses.items()
            },
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
            "securitySchemes": {"bearer": {"type": "http", "scheme": "bearer"}},
        },
    }


def _path_schema(name: str) -> dict[str, Any]:
    # Ids are the database's (the URL refuses larger ones: a 404); the rest is text.
    if name.endswith("_id"):
        return {"type": "integer", "minimum": 1, "maximum": MAX_ID}
    return {"type": "string"}


def _path_params(path: str) -> list[str]:
    return [part[1:-1] for part in path.split("/") if part.startswith("{")]
