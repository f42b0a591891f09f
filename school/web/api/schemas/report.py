"""The edition's figures (GET …/report)."""

from __future__ import annotations

from typing import Any

from school.models.vocabulary import SessionKind
from school.web.api.schemas.fields import TEXT, one_of

_count = {"type": "integer", "minimum": 0}
_share = {"type": "number", "minimum": 0, "maximum": 1, "nullable": True}
_average = {"type": "number", "minimum": 1, "maximum": 5, "nullable": True}
SCHEMAS: dict[str, Any] = {
    "Report": {
        "type": "object",
        "description": "The edition's figures, computed from registrations, check-ins and the"
        " survey's answers. `initiatives_shared` appears once the edition has a wall of"
        " initiatives.",
        "properties": {
            "edition": {
                "type": "object",
                "properties": {"slug": {"type": "string"}, "title": TEXT},
                "required": ["slug", "title"],
            },
            "registered": _count | {"description": "confirmed registrations"},
            "cancelled": _count,
            "present": _count | {"description": "people checked in at least once"},
            "no_shows": _count | {"description": "confirmed registrations never checked in"},
            "present_per_day": {
                "type": "object",
                "description": "ISO date -> people checked in somewhere that day",
                "additionalProperties": _count,
            },
            "sessions_held": _count | {"description": "sessions not cancelled"},
            "sessions_held_by_kind": {"type": "object", "additionalProperties": _count},
            "workshops": _count,
            "attendance_per_session": {
                "type": "array",
                "items": {
                    "type": "object",
                    "properties": {
                        "session_id": {"type": "integer"},
                        "key": {"type": "string"},
                        "title": TEXT,
                        "kind": one_of(SessionKind),
                        "starts_at": {"type": "string", "format": "date-time"},
                        "present": _count,
                        "average_rating": _average,
                    },
                    "required": ["session_id", "key", "title", "kind", "starts_at", "present"],
                },
            },
            "cites_present": _count,
            "countries_present": _count,
            "participants_per_cite": {
                "type": "array",
                "items": {
                    "type": "object",
                    "properties": {"cite": {"type": "string"}, "present": _count},
                    "required": ["cite", "present"],
                },
            },
            "participants_per_country": {
                "type": "array",
                "items": {
                    "type": "object",
                    "properties": {"country": {"type": "string"}, "present": _count},
                    "required": ["country", "present"],
                },
            },
            "survey": {
                "type": "object",
                "nullable": True,
                "properties": {
                    "invited": _count,
                    "answered": _count,
                    "response_rate": _share,
                    "overall_average": _average,
                },
                "required": ["invited", "answered", "response_rate", "overall_average"],
            },
            "initiatives_shared": _count,
        },
        "required": [
            "edition",
            "registered",
            "present",
            "no_shows",
            "present_per_day",
            "sessions_held",
            "sessions_held_by_kind",
            "workshops",
            "attendance_per_session",
            "cites_present",
            "countries_present",
            "participants_per_cite",
            "participants_per_country",
            "survey",
        ],
    }
}
