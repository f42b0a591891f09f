"""Flask-WTF forms, one module per blueprint that needs them; the checks that matter live in
the services, which the forms call so a page and the API refuse the same input."""

from __future__ import annotations

from collections.abc import Callable

from wtforms import Form


def place_errors(
    form: Form, errors: dict[str, list[str]], field_of: Callable[[str], str] = str
) -> list[str]:
    """Put a refusal's messages beside the fields they are about (``field_of``: the form's
    field for a name the service used); return those that belong to no field, for the
    top of the form."""
    unplaced = []
    for name, messages in errors.items():
        field = form._fields.get(field_of(name))
        if field is None:
            unplaced.extend(messages)
        else:
            field.errors = list(field.errors or []) + messages
    return unplaced
