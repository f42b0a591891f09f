"""The body of every error, and what an edition's programme and registrations take and
return."""

from __future__ import annotations

from typing import Any

from school.models.vocabulary import (
    LANGUAGES,
    Audience,
    ChoiceStatus,
    RegistrationStatus,
    Role,
    SessionKind,
    SessionStatus,
)
from school.services.registration.access import MEMBER_CODE_MAX, PUBLIC_CATEGORIES
from school.services.registration.data import NAME_MAX, NOTE_MAX, TEXT_MAX
from school.web.api.schemas.fields import TEXT, one_of

_nullable_text = TEXT | {"nullable": True}

SCHEMAS: dict[str, Any] = {
    "Error": {
        "type": "object",
        "description": "Every error, whatever the operation",
        "properties": {
            "code": {
                "type": "string",
                "description": "a machine word: not_found, invalid, already_registered…",
            },
            "message": {
                "type": "string",
                "description": "for people, in the request's language (?lang=, Accept-Language)",
            },
            "errors": {
                "type": "object",
                "description": "invalid input only (422): each wrong field's messages",
                "additionalProperties": {"type": "array", "items": {"type": "string"}},
            },
        },
        "required": ["code", "message"],
        "additionalProperties": False,
    },
    "SessionSpeaker": {
        "type": "object",
        "properties": {
            "id": {"type": "string", "description": "the person's key in the programme file"},
            "name": {"type": "string"},
            "role": one_of(Role),
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
            "name": TEXT,
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
            "kind": one_of(SessionKind),
            "title": TEXT,
            "description": _nullable_text,
            "starts_at": {"type": "string", "format": "date-time"},
            "ends_at": {"type": "string", "format": "date-time"},
            "room": {"$ref": "#/components/schemas/Room"},
            "capacity": {"type": "integer", "nullable": True},
            "seats_left": {
                "type": "integer",
                "nullable": True,
                "description": "null: no cap; for a meal, how many more may take it",
            },
            "requires_registration": {
                "type": "boolean",
                "description": "people come by choosing it (marked so, or its seats are"
                " counted); never a meal, which is taken (`meal`)",
            },
            "audience": one_of(Audience),
            "status": one_of(SessionStatus),
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
                    "title": TEXT,
                    "timezone": {"type": "string"},
                    "starts_on": {"type": "string", "format": "date"},
                    "ends_on": {"type": "string", "format": "date"},
                    "venue": {"type": "string"},
                    "address": {"type": "string"},
                    "city": {"type": "string", "description": "Its own name (Bruxelles)"},
                    "city_en": {"type": "string", "nullable": True},
                    "state": {
                        "type": "string",
                        "enum": ["draft", "opens_on", "open", "closed", "under_way", "held"],
                        "description": "Registration opens on… / open / closed, then the"
                        " School under way or held; draft for an organiser's preview",
                    },
                    "registration_opens_at": {
                        "type": "string",
                        "format": "date-time",
                        "nullable": True,
                    },
                    "registration_closes_at": {
                        "type": "string",
                        "nullable": True,
                        "format": "date-time",
                        "description": "When the School starts unless the organisers chose",
                    },
                    "demo": {"type": "boolean"},
                },
                "required": ["slug", "title", "timezone", "starts_on", "ends_on", "state"],
            },
            "sessions": {"type": "array", "items": {"$ref": "#/components/schemas/Session"}},
        },
        "required": ["edition", "sessions"],
    },
    "RegistrationRequest": {
        "type": "object",
        "properties": {
            "first_name": {"type": "string", "maxLength": NAME_MAX},
            "last_name": {"type": "string", "maxLength": NAME_MAX},
            "email": {"type": "string", "format": "email"},
            "organisation": {"type": "string", "maxLength": TEXT_MAX},
            "cite": {
                "type": "string",
                "maxLength": TEXT_MAX,
                "description": "the Cité des métiers",
            },
            "country": {"type": "string", "description": "ISO 3166-1 alpha-2", "example": "PT"},
            "category": {
                "type": "string",
                "enum": [c.value for c in PUBLIC_CATEGORIES],
                "description": "what the public may declare; speaker, staff and press are"
                " given by a speaker's link or the organisers (422 on `category`)",
            },
            "member_code": {
                "type": "string",
                "maxLength": MEMBER_CODE_MAX,
                "description": "the edition's member code, sent to the network's Cités:"
                " needed for a members-only session (422 on `member_code` without a valid one)",
            },
            "language": {"type": "string", "enum": list(LANGUAGES)},
            "days": {"type": "array", "items": {"type": "string", "format": "date"}},
            "sessions": {"type": "array", "items": {"type": "integer"}},
            "meals": {"type": "array", "items": {"type": "integer"}},
            "dietary": {"type": "string", "maxLength": NOTE_MAX},
            "accessibility": {"type": "string", "maxLength": NOTE_MAX},
            "consent": {"type": "boolean", "description": "privacy consent, required (true)"},
            "photo_consent": {"type": "boolean"},
        },
        "required": [
            "first_name",
            "last_name",
            "email",
            "country",
            "category",
            "days",
            "consent",
        ],
    },
    "RegistrationCreated": {
        "type": "object",
        "properties": {
            "id": {"type": "integer"},
            "status": one_of(RegistrationStatus),
            "manage_url": {"type": "string"},
            "badge_url": {"type": "string"},
            "agenda_url": {"type": "string"},
            "choices": {
                "type": "array",
                "items": {
                    "type": "object",
                    "properties": {
                        "session_id": {"type": "integer"},
                        "status": one_of(ChoiceStatus),
                        "waitlist_position": {"type": "integer", "nullable": True},
                    },
                    "required": ["session_id", "status", "waitlist_position"],
                },
            },
        },
        "required": ["id", "status", "manage_url", "badge_url", "agenda_url", "choices"],
    },
}
