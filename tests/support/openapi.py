"""Checking an API answer against the OpenAPI document that describes it."""

from __future__ import annotations

import jsonschema


def response_matches(openapi: dict, path: str, method: str, status: int, body) -> None:
    """Validate ``body`` against the document's schema for that response."""
    response = openapi["paths"][path][method]["responses"][str(status)]
    if "$ref" in response:  # one of the error responses every operation shares
        response = openapi["components"]["responses"][response["$ref"].rsplit("/", 1)[1]]
    schema = response["content"]["application/json"]["schema"]
    resolver_doc = {"components": openapi["components"]} | schema
    jsonschema.validate(body, _nullable_to_jsonschema(resolver_doc))


def _nullable_to_jsonschema(node):
    """OpenAPI 3.0's ``nullable`` in plain JSON Schema terms."""
    if isinstance(node, dict):
        node = {k: _nullable_to_jsonschema(v) for k, v in node.items()}
        if node.pop("nullable", False):
            if "$ref" in node:
                return {"anyOf": [{"$ref": node.pop("$ref")}, {"type": "null"}]} | node
            if "allOf" in node:
                return {"anyOf": [{"allOf": node.pop("allOf")}, {"type": "null"}]} | node
            if "type" in node:
                node["type"] = [node["type"], "null"]
            if "enum" in node:
                node["enum"] = [*node["enum"], None]
        return node
    if isinstance(node, list):
        return [_nullable_to_jsonschema(v) for v in node]
    return node
