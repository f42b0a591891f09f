"""Sessions from a spreadsheet (CSV or XLSX): one row per session, in the columns of
``COLUMNS`` (the template and the sessions as a sheet: ``sheet_export``).

Rows become entries in the programme file's shape and go through
``editing.save_session``, the service the session form uses: the same checks, keys,
SEQUENCE and change notices. ``apply_rows`` saves them all in the caller's transaction
and reports, row by row, what would be created or changed and what is wrong; the
caller commits only when asked to and nothing is wrong, so a sheet is taken whole or
not at all, and a preview is the same run rolled back.
"""

from __future__ import annotations

import csv
import io
from dataclasses import dataclass, field
from datetime import date, datetime, time
from typing import Any

import sqlalchemy as sa
from flask_babel import gettext as _
from openpyxl import load_workbook
from sqlalchemy.orm import Session as DbSession

from school.models import Edition, Person, Session
from school.services import audit
from school.services.errors import DomainError
from school.services.programme import editing, parallel
from school.services.programme.fields import Translate
from school.services.registration import seats

COLUMNS = [
    "id", "date", "start", "end", "kind", "title_fr", "title_en", "room", "capacity",
    "requires_registration", "audience", "status", "meal", "speakers",
    "description_fr", "description_en",
]  # fmt: skip
MAX_ROWS = 1000
MAX_BYTES = 2_000_000
_TRUE = {"yes", "y", "oui", "o", "true", "vrai", "1", "x", "sì", "si", "sí", "sim"}
_FALSE = {"no", "n", "non", "false", "faux", "0", "", "não", "nao"}
# The file's field names (what the checks name) → the sheet's columns.
_COLUMN_OF = {
    "title": "title_fr",
    "title.fr": "title_fr",
    "title.en": "title_en",
    "description": "description_fr",
    "description.fr": "description_fr",
    "description.en": "description_en",
    "person": "speakers",
}


class SheetError(DomainError):
    """The file cannot be read as a sheet of sessions at all."""

    code = "invalid_file"


@dataclass
class RowResult:
    number: int  # as the spreadsheet numbers it: the header is row 1
    title: str
    action: str = "unchanged"  # "create", "change", "unchanged"
    changed: list[str] = field(default_factory=list)
    errors: dict[str, list[str]] = field(default_factory=dict)
    warnings: list[str] = field(default_factory=list)


@dataclass
class SheetResult:
    rows: list[RowResult]

    @property
    def ok(self) -> bool:
        return not any(row.errors for row in self.rows)

    def count(self, action: str) -> int:
        return sum(1 for row in self.rows if row.action == action and not row.errors)


# -- reading


def read_rows(filename: str, data: bytes) -> list[dict[str, Any]]:
    """The rows of a CSV or XLSX file as {column: value}, each with its ``_row`` number."""
    if len(data) > MAX_BYTES:
        raise SheetError(_("The file is too large (at most 2 MB)."))
    name = filename.lower()
    if name.endswith(".xlsx"):
        table = _xlsx_table(data)
    elif name.endswith(".csv") or name.endswith(".txt"):
        table = _csv_table(data)
    else:
        raise SheetError(_("Send a .csv or .xlsx file."))
    if not table:
        raise SheetError(_("The file is empty."))
    header = [str(cell or "").strip().lower() for cell in table[0]]
    unknown = [name for name in header if name and name not in COLUMNS]
    if unknown:
        raise SheetError(
            _(
                "Unknown columns: %(names)s. Use the template's columns.",
                names=", ".join(unknown),
            )
        )
    if not {"date", "start", "end", "title_fr"} <= set(header):
        raise SheetError(_("The first row must name the columns, as in the template."))
    rows = []
    for number, cells in enumerate(table[1:], start=2):
        if all(_blank(cell) for cell in cells):
            continue
        row = {
            name: _CELL.get(name, _plain_cell)(cell)
            for name, cell in zip(header, cells, strict=False)
            if name
        }
        row["_row"] = number
        rows.append(row)
    if len(rows) > MAX_ROWS:
        raise SheetError(_("At most %(num)d sessions per file.", num=MAX_ROWS))
    return rows


def _blank(cell: Any) -> bool:
    return cell is None or (isinstance(cell, str) and not cell.strip())


def _csv_table(data: bytes) -> list[list[Any]]:
    try:
        text = data.decode("utf-8-sig")
    except UnicodeDecodeError:
        raise SheetError(_("The CSV file must be in UTF-8.")) from None
    # Only the delimiter varies (a French Excel writes ";"); quoting is always Excel's.
    first = text.split("\n", 1)[0]
    delimiter = max(",;\t", key=first.count)
    return [list(row) for row in csv.reader(io.StringIO(text), delimiter=delimiter)]


def _xlsx_table(data: bytes) -> list[list[Any]]:
    try:
        book = load_workbook(io.BytesIO(data), read_only=True, data_only=True)
    except Exception:  # openpyxl raises many kinds for a file that is not XLSX
        raise SheetError(_("This is not an XLSX file that can be read.")) from None
    sheet = book.worksheets[0]
    table = [list(row) for row in sheet.iter_rows(values_only=True, max_row=MAX_ROWS + 2)]
    book.close()
    return table


# -- rows to entries


def _text(value: Any) -> str | None:
    if value is None:
        return None
    if isinstance(value, float) and value.is_integer():
        value = int(value)
    return str(value).strip() or None


def _cell_date(value: Any) -> Any:
    if isinstance(value, datetime):
        return value.date().isoformat()
    if isinstance(value, date):
        return value.isoformat()
    return _text(value)


def _cell_time(value: Any) -> Any:
    if isinstance(value, datetime | time):
        return value.strftime("%H:%M")
    text = _text(value)
    return text.replace("h", ":").replace(".", ":") if text else text


def _plain_cell(value: Any) -> Any:
    """What JSON keeps (the preview carries the rows to the confirmation)."""
    if isinstance(value, datetime | date | time):
        return value.isoformat()
    return value


_CELL = {"date": _cell_date, "start": _cell_time, "end": _cell_time}


def _cell_bool(value: Any, problems: dict, column: str) -> bool:
    if isinstance(value, bool):
        return value
    text = (_text(value) or "").lower()
    if text in _TRUE:
        return True
    if text not in _FALSE:
        problems.setdefault(column, []).append(_("write yes or no: %(value)r", value=text))
    return False


def _cell_capacity(value: Any) -> Any:
    text = _text(value)
    if text is None:
        return None
    return int(text) if text.isdigit() else text


class _Lookup:
    """Rooms and people named by key or by name, as organisers type them."""

    def __init__(self, db: DbSession, edition: Edition):
        self.rooms: dict[str, str] = {}
        for room in edition.rooms:
            for name in (room.key, room.name_fr, room.name_en):
                if name:
                    self.rooms.setdefault(name.strip().casefold(), room.key)
        self.people: dict[str, str] = {}
        for person in db.scalars(sa.select(Person).where(Person.edition_id == edition.id)):
            for name in (person.key, person.full_name, f"{person.last_name} {person.first_name}"):
                self.people.setdefault(" ".join(name.split()).casefold(), person.key)

    def room(self, value: Any, problems: dict) -> str | None:
        text = _text(value)
        if text is None:
            return None
        key = self.rooms.get(text.casefold())
        if key is None:
            problems.setdefault("room", []).append(_("unknown room %(value)r", value=text))
        return key

    def speakers(self, value: Any, problems: dict) -> list[dict[str, Any]]:
        links = []
        for part in (_text(value) or "").split(";"):
            name, _sep, role = part.partition(":")
            name = " ".join(name.split())
            if not name:
                continue
            key = self.people.get(name.casefold())
            if key is None:
                problems.setdefault("speakers", []).append(
                    _("unknown person %(value)r (add them to the speakers first)", value=name)
                )
                continue
            tentative = role.strip().endswith("?")
            links.append(
                {
                    "person": key,
                    "role": role.strip().rstrip("?").strip() or "speaker",
                    "tentative": tentative,
                }
            )
        return links


def _entry(
    row: dict[str, Any], base: dict[str, Any] | None, lookup: _Lookup, problems: dict
) -> dict[str, Any]:
    """The row as a session entry; columns the sheet lacks keep ``base``'s values."""
    entry: dict[str, Any] = dict(base) if base else {
        "kind": "workshop", "audience": "everyone", "status": "scheduled",
        "requires_registration": False, "meal": False, "speakers": [], "room": None,
        "capacity": None, "title": {"fr": None, "en": None},
        "description": {"fr": None, "en": None},
    }  # fmt: skip
    entry["title"] = dict(entry["title"])
    entry["description"] = dict(entry["description"])
    setters = {
        "date": lambda v: entry.__setitem__("date", _cell_date(v)),
        "start": lambda v: entry.__setitem__("start", _cell_time(v)),
        "end": lambda v: entry.__setitem__("end", _cell_time(v)),
        "kind": lambda v: entry.__setitem__("kind", (_text(v) or "workshop").lower()),
        "audience": lambda v: entry.__setitem__("audience", (_text(v) or "everyone").lower()),
        "status": lambda v: entry.__setitem__("status", (_text(v) or "scheduled").lower()),
        "title_fr": lambda v: entry["title"].__setitem__("fr", _text(v)),
        "title_en": lambda v: entry["title"].__setitem__("en", _text(v)),
        "description_fr": lambda v: entry["description"].__setitem__("fr", _text(v)),
        "description_en": lambda v: entry["description"].__setitem__("en", _text(v)),
        "capacity": lambda v: entry.__setitem__("capacity", _cell_capacity(v)),
        "room": lambda v: entry.__setitem__("room", lookup.room(v, problems)),
        "speakers": lambda v: entry.__setitem__("speakers", lookup.speakers(v, problems)),
        "requires_registration": lambda v: entry.__setitem__(
            "requires_registration", _cell_bool(v, problems, "requires_registration")
        ),
        "meal": lambda v: entry.__setitem__("meal", _cell_bool(v, problems, "meal")),
    }
    for column, setter in setters.items():
        if column in row:
            setter(row[column])
    return entry


# -- applying


def apply_rows(
    db: DbSession,
    edition: Edition,
    rows: list[dict[str, Any]],
    *,
    actor: audit.Actor,
    now: datetime,
    translate: Translate | None = None,
) -> SheetResult:
    """Save every row through the session form's service, each in a savepoint: a wrong
    row is undone and named, the others stay in the transaction. The caller commits
    (when ``result.ok`` and asked to) or rolls back (a preview, or any error)."""
    seats.lock_edition(db, edition.id)
    lookup = _Lookup(db, edition)
    existing = {
        s.key: s for s in db.scalars(sa.select(Session).where(Session.edition_id == edition.id))
    }
    results, seen = [], set()
    saved: dict[int, RowResult] = {}  # session id: its row
    for row in rows:
        problems: dict[str, list[str]] = {}
        key = _text(row.get("id"))
        session = existing.get(key) if key else None
        result = RowResult(row["_row"], _text(row.get("title_fr")) or "")
        if key and session is None:
            problems.setdefault("id", []).append(_("no session has the id %(value)r", value=key))
        elif key and key in seen:
            problems.setdefault("id", []).append(_("the id %(value)r is twice", value=key))
        seen.add(key)
        base = editing.session_entry(edition, session) if session is not None else None
        entry = _entry(row, base, lookup, problems)
        if not problems:
            saved_id = _save(db, edition, entry, session, result, problems, actor, now, translate)
            if saved_id is not None:
                saved[saved_id] = result
        result.errors = {_COLUMN_OF.get(name, name): msgs for name, msgs in problems.items()}
        results.append(result)
    _refuse_groups_astray(db, edition, saved)
    return SheetResult(results)


def _refuse_groups_astray(db: DbSession, edition: Edition, saved: dict[int, RowResult]) -> None:
    """A sheet may move a whole group of parallel sessions at once: the groups are
    checked once every row is in, on the rows of the sessions astray (or, if the sheet
    did not move those, on the rows of the group it did change)."""
    for group_id, (message, astray) in parallel.groups_astray(db, edition, saved).items():
        rows = [saved[sid] for sid in astray if sid in saved] or [
            saved[sid]
            for sid in db.scalars(sa.select(Session.id).where(Session.group_id == group_id))
            if sid in saved
        ]
        for result in rows:
            result.errors.setdefault("start", []).append(message)


def _save(db, edition, entry, session, result, problems, actor, now, translate) -> int | None:
    """Save one row; the id of its session, or None when refused."""
    try:
        with db.begin_nested():
            outcome = editing.save_session(
                db, edition, entry, session=session, actor=actor, now=now, translate=translate,
                check_group=False,
            )  # fmt: skip
    except editing.InvalidProgramme as refusal:
        for name, messages in refusal.errors.items():
            problems.setdefault(name, []).extend(messages)
        return None
    except DomainError as refusal:
        problems.setdefault(refusal.field or "id", []).append(refusal.message)
        return None
    result.title = outcome.session.title_fr
    result.warnings = outcome.warnings
    if session is None:
        result.action = "create"
    elif outcome.changed:
        result.action = "change"
        result.changed = sorted(outcome.changed)
    return outcome.session.id
