"""JSON Schemas (OpenAPI 3.0 dialect) of what the API takes and returns."""

from __future__ import annotations

from typing import Any

_text = {
    "type": "object",
    "properties": {"fr": {"type": "string"}, "en": {"type": "string"}},
    "required": ["fr", "en"],
}
_nullable_text = _text | {"nullable": True}

SCHEMAS: dict[str, Any] = {
    "Error": {
        "type": "object",
        "properties": {"error": {"type": "string"}, "status": {"type": "integer"}},
        "required": ["error"],
    },
    "SessionSpeaker": {
        "type": "object",
        "properties": {
            "id": {"type": "string", "description": "the person's key in the programme file"},
            "name": {"type": "string"},
            "role": {"type": "string", "enum": ["speaker", "moderator", "witness", "welcome"]},
            "tentative": {"type": "boolean"},
            "function": {"type": "string", "nullable": True},
            "organisation": {"type": "string", "nullable": True},
        },
        "required": ["id", "name", "role", "tentative"],
    },
    "Room": {
        "type": "object",
        "nullable": True,
        "properties": {
            "id": {"type": "string"},
            "name": _text,
            "capacity": {"type": "integer", "nullable": True},
        },
        "required": ["id", "name"],
    },
    "Session": {
        "type": "object",
        "properties": {
            "id": {"type": "integer"},
            "key": {"type": "string"},
            "uid": {"type": "string"},
            "kind": {
                "type": "string",
                "enum": [
                    "plenary",
                    "conference",
                    "round_table",
                    "workshop",
                    "visit",
                    "meeting",
                    "social",
                    "break",
                ],
            },
            "title": _text,
            "description": _nullable_text,
            "starts_at": {"type": "string", "format": "date-time"},
            "ends_at": {"type": "string", "format": "date-time"},
            "room": {"$ref": "#/components/schemas/Room"},
            "capacity": {"type": "integer", "nullable": True},
            "seats_left": {"type": "integer", "nullable": True},
            "requires_registration": {"type": "boolean"},
            "audience": {"type": "string", "enum": ["everyone", "members", "invited"]},
            "status": {"type": "string", "enum": ["scheduled", "cancelled"]},
            "meal": {"type": "boolean"},
            "url": {"type": "string"},
            "speakers": {
                "type": "array",
                "items": {"$ref": "#/components/schemas/SessionSpeaker"},
            },
        },
        "required": [
            "id",
            "kind",
            "title",
            "starts_at",
            "ends_at",
            "room",
            "capacity",
            "seats_left",
            "requires_registration",
            "audience",
            "status",
            "speakers",
        ],
    },
    "Programme": {
        "type": "object",
        "properties": {
            "edition": {
                "type": "object",
                "properties": {
                    "slug": {"type": "string"},
                    "title": _text,
                    "timezone": {"type": "string"},
                    "starts_on": {"type": "string", "format": "date"},
                    "ends_on": {"type": "string", "format": "date"},
                    "venue": {"type": "string"},
                    "address": {"type": "string"},
                    "city": {"type": "string"},
                },
                "required": ["slug", "title", "timezone", "starts_on", "ends_on"],
            },
            "sessions": {"type": "array", "items": {"$ref": "#/components/schemas/Session"}},
        },
        "required": ["edition", "sessions"],
    },
}
