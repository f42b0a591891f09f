"""What the API's schemas are built from: a closed list of the vocabulary, and a text in
the content languages (French and English always)."""

from __future__ import annotations

from enum import StrEnum
from typing import Any

from school.models.vocabulary import CONTENT_LANGUAGES


def one_of(vocabulary: type[StrEnum]) -> dict[str, Any]:
    return {"type": "string", "enum": [member.value for member in vocabulary]}


TEXT = {
    "type": "object",
    "properties": {lang: {"type": "string"} for lang in CONTENT_LANGUAGES},
    "required": ["fr", "en"],
}
