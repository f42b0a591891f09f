"""Where the JSON API's error body comes from: one handler makes it (no route, nor the
staff gate, catches a domain error or writes an error body), the OpenAPI document
describes each error once, and the HTML pages keep their own error pages."""

from __future__ import annotations

import ast
import importlib
import inspect
import pkgutil

import pytest

import school.web.api
from school.services.errors import DomainError
from school.web import auth


@pytest.fixture
def openapi(client):
    return client.get("/api/v1/openapi.json").get_json()


def test_pages_keep_their_html_error_pages(client, demo):
    for response, status in (
        (client.get("/no-such-school/programme?lang=en"), 404),
        (client.get("/no/such/page?lang=en"), 404),
        (client.post(f"/{demo.slug}/programme?lang=en"), 405),
    ):
        assert response.status_code == status and response.mimetype == "text/html"
        assert "<html" in response.get_data(as_text=True)


def test_the_document_describes_every_error_once(openapi):
    error = openapi["components"]["schemas"]["Error"]
    assert error["required"] == ["code", "message"] and "errors" in error["properties"]
    shared = openapi["components"]["responses"]
    for path, operations in openapi["paths"].items():
        for method, operation in operations.items():
            for status, response in operation["responses"].items():
                if status.startswith(("4", "5")):
                    if "$ref" in response:
                        assert response["$ref"].rsplit("/", 1)[1] in shared
                        continue
                    schema = response["content"]["application/json"]["schema"]
                    refs = [schema, *schema.get("allOf", [])]
                    assert {"$ref": "#/components/schemas/Error"} in refs, (path, method, status)
            for status in ("400", "404", "413", "429", "500", "503"):
                assert status in operation["responses"], (path, method, status)


def test_only_the_handler_makes_an_error_body():
    """No API route, nor the staff gate, catches a domain error or writes an error body:
    whatever a service raises reaches the client through the one handler."""
    modules = [
        importlib.import_module(f"school.web.api.{info.name}")
        for info in pkgutil.iter_modules(school.web.api.__path__)
    ]
    modules = [m for m in modules if hasattr(m, "bp")] + [auth]  # the routes' modules
    assert len(modules) >= 5
    for module in modules:
        for node in ast.walk(ast.parse(inspect.getsource(module))):
            if isinstance(node, ast.ExceptHandler) and node.type is not None:
                caught = node.type.elts if isinstance(node.type, ast.Tuple) else [node.type]
                for name in caught:
                    found = getattr(module, ast.unparse(name).split(".")[-1], None)
                    is_domain = isinstance(found, type) and issubclass(found, DomainError)
                    assert not is_domain, f"{module.__name__} catches {ast.unparse(name)}"
            if isinstance(node, ast.Dict):
                keys = {k.value for k in node.keys if isinstance(k, ast.Constant)}
                assert not keys & {"error", "errors"}, f"{module.__name__} builds an error body"
