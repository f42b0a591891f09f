"""Sessions as a spreadsheet, in the columns ``sheet`` reads: the template (one example
row) and the edition's sessions as they are, to edit and send back."""

from __future__ import annotations

import csv
import io
from typing import Any

import sqlalchemy as sa
from openpyxl import Workbook
from sqlalchemy.orm import Session as DbSession

from school.models import Edition, Person, Session
from school.services.programme import editing
from school.services.programme.sheet import COLUMNS


def template_rows(edition: Edition) -> list[list[Any]]:
    day = edition.starts_on.isoformat()
    room = edition.rooms[0].key if edition.rooms else ""
    return [
        COLUMNS,
        ["", day, "14:00", "15:30", "workshop", "Atelier : l'accueil des publics",
         "Workshop: welcoming the public", room, 25, "yes", "everyone", "scheduled", "no",
         "", "", ""],
    ]  # fmt: skip


def current_rows(db: DbSession, edition: Edition) -> list[list[Any]]:
    """The edition's sessions in the sheet's columns: edited and sent back, they change
    what they say (rows keep their session's id)."""
    names = {
        p.key: p.full_name
        for p in db.scalars(sa.select(Person).where(Person.edition_id == edition.id))
    }
    sessions = db.scalars(
        sa.select(Session)
        .where(Session.edition_id == edition.id)
        .order_by(Session.starts_at, Session.id)
    )
    rows: list[list[Any]] = [COLUMNS]
    for session in sessions:
        e = editing.session_entry(edition, session)
        speakers = "; ".join(
            f"{names[s['person']]}:{s['role']}{'?' if s['tentative'] else ''}"
            for s in e["speakers"]
        )
        rows.append(
            [e["id"], e["date"], e["start"], e["end"], e["kind"], e["title"]["fr"],
             e["title"]["en"], e["room"], e["capacity"],
             "yes" if e["requires_registration"] else "no", e["audience"], e["status"],
             "yes" if e["meal"] else "no", speakers, e["description"]["fr"],
             e["description"]["en"]]
        )  # fmt: skip
    return rows


def to_xlsx(rows: list[list[Any]]) -> bytes:
    book = Workbook()
    sheet = book.active
    sheet.title = "sessions"
    for row in rows:
        sheet.append(row)
    out = io.BytesIO()
    book.save(out)
    return out.getvalue()


def to_csv(rows: list[list[Any]]) -> bytes:
    out = io.StringIO()
    csv.writer(out).writerows(rows)
    return out.getvalue().encode("utf-8-sig")
