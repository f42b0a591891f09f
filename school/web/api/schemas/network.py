"""The network's exchange: the directory of Cités and the initiatives."""

from __future__ import annotations

from typing import Any

from school.models.vocabulary import LANGUAGES, CiteStatus, Decision, InitiativeKind
from school.web.api.schemas.fields import one_of

_LOCALIZED = {
    "type": "object",
    "properties": {
        "fr": {"type": "string", "nullable": True},
        "en": {"type": "string", "nullable": True},
    },
    "description": "the text in French and in English; one may be left for the organisers",
}
SCHEMAS: dict[str, Any] = {
    "Cite": {
        "type": "object",
        "properties": {
            "key": {"type": "string"},
            "name": {"type": "string", "description": "in the Cité's own language"},
            "country": {"type": "string", "description": "ISO 3166-1 alpha-2"},
            "city": {"type": "string"},
            "status": one_of(CiteStatus),
            "website": {"type": "string", "nullable": True},
        },
        "required": ["key", "name", "country", "city", "status", "website"],
    },
    "Cites": {"type": "array", "items": {"$ref": "#/components/schemas/Cite"}},
    "InitiativeRequest": {
        "type": "object",
        "properties": {
            "title": _LOCALIZED,
            "summary": _LOCALIZED,
            "cite": {"type": "string", "description": "a key of GET /cites"},
            "organisation": {"type": "string", "description": "when not from a Cité"},
            "country": {"type": "string", "description": "ISO 3166-1 alpha-2"},
            "kind": one_of(InitiativeKind),
            "themes": {"type": "array", "items": {"type": "string"}},
            "contact_name": {"type": "string"},
            "contact_email": {"type": "string", "format": "email"},
            "language": {"type": "string", "enum": list(LANGUAGES)},
            "consent_publish": {"type": "boolean", "description": "must be true"},
            "picture": {
                "type": "string",
                "description": "optional JPEG, PNG or WebP image in base64 (8 MB at most)",
            },
        },
        "required": [
            "title",
            "summary",
            "country",
            "kind",
            "themes",
            "contact_name",
            "contact_email",
            "consent_publish",
        ],
    },
    "InitiativeCreated": {
        "type": "object",
        "properties": {
            "id": {"type": "integer"},
            "decision": one_of(Decision),
            "edit_url": {"type": "string", "description": "the submitter's private link"},
        },
        "required": ["id", "decision", "edit_url"],
    },
    "Initiative": {
        "type": "object",
        "properties": {
            "id": {"type": "integer"},
            "title": _LOCALIZED,
            "summary": _LOCALIZED,
            "cite": {"type": "string", "nullable": True},
            "cite_name": {"type": "string", "nullable": True},
            "organisation": {"type": "string", "nullable": True},
            "country": {"type": "string"},
            "kind": one_of(InitiativeKind),
            "themes": {"type": "array", "items": {"type": "string"}},
            "contact_name": {"type": "string"},
            "picture_url": {"type": "string", "nullable": True},
        },
        "required": ["id", "title", "summary", "cite", "country", "kind", "themes"],
    },
    "Initiatives": {"type": "array", "items": {"$ref": "#/components/schemas/Initiative"}},
    "DecisionRequest": {
        "type": "object",
        "properties": {
            "decision": {
                "type": "string",
                "enum": ["accepted", "declined", "changes_requested"],
            },
            "message": {"type": "string", "description": "e-mailed to the submitter"},
        },
        "required": ["decision"],
    },
    "DecisionResult": {
        "type": "object",
        "properties": {"id": {"type": "integer"}, "decision": one_of(Decision)},
        "required": ["id", "decision"],
    },
}
