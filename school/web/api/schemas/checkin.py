"""What the scanners take and send: a scan and its verdict, a batch of scans, the
roster they decide with offline."""

from __future__ import annotations

from typing import Any

from school.models.vocabulary import Admission, RegistrationStatus, Verdict
from school.services.checkin.scanning import BATCH_MAX
from school.web.api.schemas.fields import TEXT, one_of

SCHEMAS: dict[str, Any] = {
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
            "badge_edition": {
                "allOf": [{"$ref": "#/components/schemas/NamedEdition"}],
                "nullable": True,
                "description": "`wrong_edition`: the edition the badge is for (unless a draft)",
            },
        },
        "required": ["verdict", "participant", "first_checkin_at", "checkpoint", "replayed"],
    },
    "NamedEdition": {
        "type": "object",
        "properties": {
            "id": {"type": "integer"},
            "title": {
                "type": "object",
                "properties": {"fr": {"type": "string"}, "en": {"type": "string"}},
            },
        },
        "required": ["id", "title"],
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
            "edition": {
                "type": "object",
                "properties": {
                    "others": {
                        "type": "array",
                        "items": {"$ref": "#/components/schemas/NamedEdition"},
                        "description": "the other editions a badge may be for, to name them",
                    },
                },
            },
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
    "CheckinBatchRequest": {
        "type": "object",
        "description": "Scans a scanner held (made offline, or queued while the network was"
        " slow), sent together and decided in their order",
        "properties": {
            "scans": {
                "type": "array",
                "minItems": 1,
                "maxItems": BATCH_MAX,
                "items": {"$ref": "#/components/schemas/CheckinRequest"},
            },
        },
        "required": ["scans"],
    },
    "CheckinBatchResult": {
        "type": "object",
        "properties": {
            "results": {
                "type": "array",
                "description": "one per scan, in the order sent: its verdict, or why it was"
                " refused (`refusal`, the error it would get sent alone; the other scans are"
                " recorded all the same)",
                "items": {
                    "type": "object",
                    "properties": {
                        "client_id": {"type": "string"},
                        "result": {
                            "allOf": [{"$ref": "#/components/schemas/CheckinResult"}],
                            "nullable": True,
                        },
                        "refusal": {
                            "allOf": [{"$ref": "#/components/schemas/Error"}],
                            "nullable": True,
                        },
                    },
                    "required": ["client_id", "result", "refusal"],
                },
            },
        },
        "required": ["results"],
    },
}
