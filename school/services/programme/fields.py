"""Reading one field of a programme item: a value of the right type, or a problem
recorded with the item and field it belongs to (and None), so a whole file's problems
are told at once. ``checks`` builds the programme's items from these.
"""

from __future__ import annotations

import re
from collections.abc import Callable
from datetime import UTC, date, datetime, time
from typing import Any
from zoneinfo import ZoneInfo

from school.database import MAX_ID
from school.services.email_addresses import EMAIL_MAX, normalized_email
from school.services.programme.spec import Problem, Text

KEY_PATTERN = re.compile(r"^[a-z0-9][a-z0-9_-]{0,79}$")
TIME_PATTERN = re.compile(r"^([01]?\d|2[0-3]):([0-5]\d)$")

Translate = Callable[..., str]


def N_(message: str) -> str:
    """Mark a message for the catalogue; it is translated when shown."""
    return message


def untranslated(message: str, **params: Any) -> str:
    """A message as written (no catalogue: the command line, a programme file checked)."""
    return message % params if params else message


class FieldReader:
    """Reads fields of parsed data, collecting problems instead of stopping at the first."""

    def __init__(self, translate: Translate | None = None) -> None:
        self.problems: list[Problem] = []
        self.translate = translate or untranslated

    def fail(self, item: str, fld: str, message: str, **params: Any) -> None:
        self.problems.append(Problem(item, fld, self.translate(message, **params)))

    # -- scalar readers: each returns a usable value or None after recording a problem

    def required_str(self, data: dict, key: str, item: str, max_len: int = 300) -> str:
        value = data.get(key)
        if value is None or (isinstance(value, str) and not value.strip()):
            self.fail(item, key, N_("missing"))
            return ""
        if not isinstance(value, str | int | float):
            self.fail(item, key, N_("must be text"))
            return ""
        value = str(value).strip()
        if len(value) > max_len:
            self.fail(item, key, N_("longer than %(max)d characters"), max=max_len)
        return value

    def optional_str(self, data: dict, key: str, item: str, max_len: int = 300) -> str | None:
        if data.get(key) in (None, ""):
            return None
        return self.required_str(data, key, item, max_len)

    def text(
        self,
        data: dict,
        key: str,
        item: str,
        required: bool,
        max_len=300,
        languages: tuple[str, ...] = ("fr", "en"),
    ) -> Text:
        """A text per language; sessions take ``languages=CONTENT_LANGUAGES`` (it, es, pt too)."""
        empty: Text = dict.fromkeys(languages)
        value = data.get(key)
        if value is None:
            if required:
                self.fail(item, key, N_("missing (give at least the French text: {fr: …})"))
            return empty
        if isinstance(value, str):
            value = {"fr": value}
        if not isinstance(value, dict):
            self.fail(item, key, N_("must be {fr: …, en: …}"))
            return empty
        unknown = set(value) - set(languages)
        if unknown:
            self.fail(
                item,
                key,
                N_("unknown language(s) %(names)s; use %(known)s"),
                names=sorted(unknown),
                known=", ".join(languages),
            )
        text = {lang: self.optional_str(value, lang, item, max_len) for lang in languages}
        if required and not text["fr"]:
            self.fail(item, f"{key}.fr", N_("missing"))
        return text

    def date_value(self, data: dict, key: str, item: str) -> date | None:
        value = data.get(key)
        if isinstance(value, date) and not isinstance(value, datetime):
            return value
        if isinstance(value, str):
            try:
                return date.fromisoformat(value.strip())
            except ValueError:
                pass
        if value is None:
            self.fail(item, key, N_("missing"))
        else:
            self.fail(item, key, N_("not a date (YYYY-MM-DD): %(value)r"), value=value)
        return None

    def time_value(self, data: dict, key: str, item: str) -> time | None:
        value = data.get(key)
        match = TIME_PATTERN.match(value.strip()) if isinstance(value, str) else None
        if not match:
            if value is None:
                self.fail(item, key, N_("missing"))
            else:
                self.fail(item, key, N_('not a time (write "HH:MM"): %(value)r'), value=value)
            return None
        return time(int(match.group(1)), int(match.group(2)))

    def local_datetime(self, data: dict, key: str, item: str, tz: ZoneInfo | None):
        value = data.get(key)
        if value is None or value == "":
            return None
        if isinstance(value, datetime):
            moment = value
        else:
            try:
                moment = datetime.fromisoformat(str(value).strip())
            except ValueError:
                message = N_('not a date and time ("YYYY-MM-DD HH:MM"): %(value)r')
                self.fail(item, key, message, value=value)
                return None
        if moment.tzinfo is None:
            if tz is None:
                return None
            moment = moment.replace(tzinfo=tz)
        return moment.astimezone(UTC)

    def capacity(self, data: dict, key: str, item: str) -> int | None:
        value = data.get(key)
        if value is None:
            return None
        if isinstance(value, bool) or not isinstance(value, int) or not 0 <= value <= MAX_ID:
            self.fail(item, key, N_("must be a whole number ≥ 0, or empty: %(value)r"), value=value)
            return None
        return value

    def boolean(self, data: dict, key: str, item: str) -> bool:
        value = data.get(key, False)
        if value is None:
            return False
        if not isinstance(value, bool):
            self.fail(item, key, N_("must be true or false: %(value)r"), value=value)
            return False
        return value

    def choice(self, data: dict, key: str, item: str, allowed: type, default: str | None) -> str:
        if default is None and data.get(key) is None:
            self.fail(item, key, N_("missing"))
            return ""
        value = data.get(key, default)
        values = [member.value for member in allowed]
        if value not in values:
            message = N_("unknown value %(value)r (expected one of %(values)s)")
            self.fail(item, key, message, value=value, values=", ".join(values))
            return default or ""
        return value

    def key(self, data: dict, item: str, seen: set[str]) -> str:
        value = data.get("id")
        if not isinstance(value, str) or not KEY_PATTERN.match(value):
            message = N_("missing or not a key (a-z, 0-9, - and _): %(value)r")
            self.fail(item, "id", message, value=value)
            return ""
        if value in seen:
            self.fail(item, "id", N_("duplicate id %(value)r"), value=value)
        seen.add(value)
        return value

    def email(self, data: dict, key: str, item: str) -> str | None:
        value = self.optional_str(data, key, item, EMAIL_MAX)
        if value and normalized_email(value) is None:
            self.fail(item, key, N_("not an e-mail address: %(value)r"), value=value)
        return value

    def items(self, data: dict, key: str) -> list[tuple[str, dict]]:
        value = data.get(key) or []
        if not isinstance(value, list):
            self.fail(key, "-", N_("must be a list"))
            return []
        result = []
        for index, entry in enumerate(value):
            label = f"{key}[{index + 1}]"
            if isinstance(entry, dict) and isinstance(entry.get("id"), str):
                label += f" ({entry['id']})"
            if not isinstance(entry, dict):
                self.fail(label, "-", N_("must be a mapping of fields"))
                continue
            result.append((label, entry))
        return result

    # -- sections of a file
