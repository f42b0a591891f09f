"""The body of every error, and what an edition's programme, registrations and check-in
take and return."""

from __future__ import annotations

from typing import Any

from school.models.vocabulary import (
    LANGUAGES,
    Admission,
    Audience,
    ChoiceStatus,
    RegistrationStatus,
    Role,
    SessionKind,
    SessionStatus,
    Verdict,
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
            "requires_registration": {"type": "boolean"},
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
    "CheckinRequest": {
        "type": "object",
        "properties": {
            "token": {"type": "string", "description": "exactly the text of the badge's QR code"},
            "session_id": {
                "type": "integer",
                "nullable": True,
                "description": "null: the venue entrance",
            },
            "day": {"type": "string", "format": "date", "description": "entrance day"},
            "client_id": {"type": "string", "description": "the scan's UUID; a replay counts once"},
            "scanned_at": {"type": "string", "format": "date-time"},
            "device": {"type": "string"},
        },
        "required": ["token", "client_id"],
    },
    "CheckinSession": {
        "type": "object",
        "properties": {
            "session_id": {"type": "integer"},
            "title": TEXT,
            "starts_at": {"type": "string", "format": "date-time"},
            "ends_at": {"type": "string", "format": "date-time"},
            "room": {**TEXT, "nullable": True, "description": "the room's name in both languages"},
        },
        "required": ["session_id", "title", "starts_at", "ends_at"],
    },
    "CheckinResult": {
        "type": "object",
        "properties": {
            "verdict": one_of(Verdict),
            "message": {"type": "string"},
            "checkpoint": {
                "type": "object",
                "properties": {
                    "id": {"type": "string"},
                    "session_id": {"type": "integer", "nullable": True},
                    "day": {"type": "string", "format": "date"},
                },
                "required": ["id", "session_id", "day"],
            },
            "participant": {
                "type": "object",
                "nullable": True,
                "properties": {
                    "id": {"type": "integer"},
                    "first_name": {"type": "string"},
                    "last_name": {"type": "string"},
                    "organisation": {"type": "string", "nullable": True},
                    "cite": {"type": "string", "nullable": True},
                    "category": {"type": "string"},
                    "dietary": {"type": "string", "nullable": True},
                    "attends_today": {"type": "boolean"},
                    "today": {
                        "type": "array",
                        "items": {"$ref": "#/components/schemas/CheckinSession"},
                    },
                },
                "required": ["id", "first_name", "last_name", "category"],
            },
            "first_checkin_at": {"type": "string", "format": "date-time", "nullable": True},
            "first_checkin": {
                "type": "object",
                "nullable": True,
                "properties": {
                    "at": {"type": "string", "format": "date-time"},
                    "checkpoint": {"type": "string"},
                    "by": {"type": "string", "nullable": True},
                    "device": {"type": "string", "nullable": True},
                },
            },
            "expected": {
                "type": "array",
                "items": {"$ref": "#/components/schemas/CheckinSession"},
            },
            "waitlist_position": {"type": "integer", "nullable": True},
            "checkin_id": {"type": "integer", "nullable": True},
            "replayed": {"type": "boolean"},
            "arrivals": {"type": "integer"},
        },
        "required": ["verdict", "participant", "first_checkin_at", "checkpoint", "replayed"],
    },
    "UndoResult": {
        "type": "object",
        "properties": {
            "checkin_id": {"type": "integer"},
            "undone": {"type": "boolean"},
            "arrivals": {"type": "integer"},
        },
        "required": ["checkin_id", "undone"],
    },
    "Roster": {
        "type": "object",
        "properties": {
            "edition": {"type": "object"},
            "generated_at": {"type": "string", "format": "date-time"},
            "complete": {
                "type": "boolean",
                "description": "false: only the participants that may have changed since"
                " the time asked (`since`), to put in place of those held",
            },
            "sessions": {
                "type": "array",
                "items": {
                    "type": "object",
                    "properties": {
                        "id": {"type": "integer"},
                        "checkpoint": {"type": "string"},
                        "day": {"type": "string", "format": "date"},
                        "admission": one_of(Admission),
                        "overlaps": {
                            "type": "array",
                            "items": {"type": "integer"},
                            "description": "the sessions that take place at the same time",
                        },
                    },
                    "required": ["id", "checkpoint", "day", "admission"],
                },
            },
            "participants": {
                "type": "array",
                "items": {
                    "type": "object",
                    "properties": {
                        "id": {"type": "integer"},
                        "token": {"type": "string"},
                        "first_name": {"type": "string"},
                        "last_name": {"type": "string"},
                        "category": {"type": "string"},
                        "member": {
                            "type": "boolean",
                            "description": "a network member who proved it: members-only doors",
                        },
                        "status": one_of(RegistrationStatus),
                        "days": {"type": "array", "items": {"type": "string", "format": "date"}},
                        "seats": {"type": "array", "items": {"type": "integer"}},
                        "meals": {
                            "type": "array",
                            "items": {"type": "integer"},
                            "description": "the meals taken: what a meal's door admits",
                        },
                        "waiting": {"type": "object", "additionalProperties": {"type": "integer"}},
                        "checked_in": {
                            "type": "object",
                            "additionalProperties": {"type": "string", "format": "date-time"},
                        },
                    },
                    "required": ["id", "token", "status", "days", "seats", "checked_in"],
                },
            },
        },
        "required": ["edition", "sessions", "participants"],
    },
}
