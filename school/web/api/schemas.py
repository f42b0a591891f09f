"""JSON Schemas (OpenAPI 3.0 dialect) of what the API takes and returns. Closed lists
and lengths come from where they are defined (``models.vocabulary``, the registration
data's limits), so the document cannot drift from what the API does."""

from __future__ import annotations

from enum import StrEnum
from typing import Any

from school.models.vocabulary import (
    CONTENT_LANGUAGES,
    LANGUAGES,
    Admission,
    Audience,
    ChoiceStatus,
    CiteStatus,
    Decision,
    InitiativeKind,
    RegistrationStatus,
    Role,
    SessionKind,
    SessionStatus,
    Verdict,
)
from school.services.registration.access import MEMBER_CODE_MAX, PUBLIC_CATEGORIES
from school.services.registration.data import NAME_MAX, NOTE_MAX, TEXT_MAX


def _one_of(vocabulary: type[StrEnum]) -> dict[str, Any]:
    return {"type": "string", "enum": [member.value for member in vocabulary]}


_text = {
    "type": "object",
    "properties": {lang: {"type": "string"} for lang in CONTENT_LANGUAGES},
    "required": ["fr", "en"],
}
_nullable_text = _text | {"nullable": True}

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
            "role": _one_of(Role),
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
            "kind": _one_of(SessionKind),
            "title": _text,
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
            "audience": _one_of(Audience),
            "status": _one_of(SessionStatus),
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
            "status": _one_of(RegistrationStatus),
            "manage_url": {"type": "string"},
            "badge_url": {"type": "string"},
            "agenda_url": {"type": "string"},
            "choices": {
                "type": "array",
                "items": {
                    "type": "object",
                    "properties": {
                        "session_id": {"type": "integer"},
                        "status": _one_of(ChoiceStatus),
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
            "title": _text,
            "starts_at": {"type": "string", "format": "date-time"},
            "ends_at": {"type": "string", "format": "date-time"},
            "room": {**_text, "nullable": True, "description": "the room's name in both languages"},
        },
        "required": ["session_id", "title", "starts_at", "ends_at"],
    },
    "CheckinResult": {
        "type": "object",
        "properties": {
            "verdict": _one_of(Verdict),
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
                        "admission": _one_of(Admission),
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
                        "status": _one_of(RegistrationStatus),
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

_count = {"type": "integer", "minimum": 0}
_share = {"type": "number", "minimum": 0, "maximum": 1, "nullable": True}
_average = {"type": "number", "minimum": 1, "maximum": 5, "nullable": True}
SCHEMAS["Report"] = {
    "type": "object",
    "description": "The edition's figures, computed from registrations, check-ins and the"
    " survey's answers. `initiatives_shared` appears once the edition has a wall of"
    " initiatives.",
    "properties": {
        "edition": {
            "type": "object",
            "properties": {"slug": {"type": "string"}, "title": _text},
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
                    "title": _text,
                    "kind": _one_of(SessionKind),
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

# The network's exchange: the directory and the initiatives.
_LOCALIZED = {
    "type": "object",
    "properties": {
        "fr": {"type": "string", "nullable": True},
        "en": {"type": "string", "nullable": True},
    },
    "description": "the text in French and in English; one may be left for the organisers",
}
SCHEMAS.update(
    {
        "Cite": {
            "type": "object",
            "properties": {
                "key": {"type": "string"},
                "name": {"type": "string", "description": "in the Cité's own language"},
                "country": {"type": "string", "description": "ISO 3166-1 alpha-2"},
                "city": {"type": "string"},
                "status": _one_of(CiteStatus),
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
                "kind": _one_of(InitiativeKind),
                "themes": {"type": "array", "items": {"type": "string"}},
                "contact_name": {"type": "string"},
                "contact_email": {"type": "string", "format": "email"},
                "language": {"type": "string", "enum": list(LANGUAGES)},
                "consent_publish": {"type": "boolean", "description": "must be true"},
                "picture": {
                    "type": "string",
                    "description": "optional JPEG, PNG or WebP image in base64 (1.5 MB at most)",
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
                "decision": _one_of(Decision),
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
                "kind": _one_of(InitiativeKind),
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
            "properties": {"id": {"type": "integer"}, "decision": _one_of(Decision)},
            "required": ["id", "decision"],
        },
    }
)
