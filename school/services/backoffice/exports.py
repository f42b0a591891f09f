"""Exports for the organisers, caterers and funders: CSV and XLSX.

- CSV is UTF-8 with a byte-order mark (so Excel reads accents right) and ``;`` between
  fields, which is what Excel expects in French, Belgian, Swiss, Italian, Spanish and
  Portuguese settings, the network's languages.
- A CSV file is one table, as every reader (pandas, a spreadsheet, ``csv``) expects;
  summaries and per-session lists are sheets of the XLSX (``Table.csv`` false).
- XLSX is written by openpyxl, one sheet per table.
- A text that a spreadsheet would run as a formula (starting with ``=``, ``+``, ``-``,
  ``@``, a tab or a carriage return) is exported as inert text: in CSV behind an
  apostrophe, in XLSX as a string cell marked "quote prefix".

Totals come from ``stats``, the functions the dashboard uses.
"""

from __future__ import annotations

import csv
import io
import re
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from datetime import date, datetime

import sqlalchemy as sa
from flask_babel import gettext as _
from flask_babel import pgettext
from openpyxl import Workbook
from openpyxl.cell import WriteOnlyCell
from openpyxl.styles import Font
from sqlalchemy.orm import Session as DbSession
from sqlalchemy.orm import joinedload

from school import i18n
from school.labels import (
    CATEGORY_LABELS,
    CHOICE_STATUS_LABELS,
    SESSION_STATUS_LABELS,
    session_title,
)
from school.models import CheckIn, Edition, Session
from school.services.backoffice import stats
from school.services.network import cites
from school.services.network.countries import country_names
from school.services.registration import listing, waiting_lines
from school.services.registration.listing import RegistrationQuery

FORMULA_START = ("=", "+", "-", "@", "\t", "\r")
CSV_MEDIA_TYPE = "text/csv"  # Flask adds "; charset=utf-8"
XLSX_MEDIA_TYPE = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"

Value = str | int | float | date | datetime | None


@dataclass
class Table:
    title: str
    headers: list[str]
    rows: list[list[Value]] = field(default_factory=list)
    csv: bool = True  # the table of the CSV file; the others are XLSX sheets only


def is_formula_like(value: object) -> bool:
    return isinstance(value, str) and value.startswith(FORMULA_START)


# -- formats


def _csv_value(value: Value) -> str:
    if value is None:
        return ""
    if isinstance(value, datetime):
        return value.strftime("%Y-%m-%d %H:%M")
    if isinstance(value, date):
        return value.isoformat()
    text = str(value)
    return "'" + text if is_formula_like(text) else text


def to_csv(tables: Sequence[Table]) -> bytes:
    """The export's one CSV table: its header, then its rows."""
    (table,) = [t for t in tables if t.csv]
    out = io.StringIO()
    writer = csv.writer(out, delimiter=";", lineterminator="\r\n")
    writer.writerow([_csv_value(h) for h in table.headers])
    writer.writerows([_csv_value(v) for v in row] for row in table.rows)
    return ("\ufeff" + out.getvalue()).encode("utf-8")


_SHEET_FORBIDDEN = re.compile(r"[\[\]:*?/\\]")


def _sheet_title(title: str, taken: set[str]) -> str:
    base = _SHEET_FORBIDDEN.sub(" ", title).strip("' ")[:28] or "Sheet"
    name, number = base, 2
    while name.casefold() in taken:
        name, number = f"{base[:25]} {number}", number + 1
    taken.add(name.casefold())
    return name


def to_xlsx(tables: Sequence[Table]) -> bytes:
    workbook = Workbook(write_only=True)
    taken: set[str] = set()
    bold = Font(bold=True)
    for table in tables:
        sheet = workbook.create_sheet(_sheet_title(table.title, taken))
        header = []
        for text in table.headers:
            cell = _xlsx_cell(sheet, text)
            cell.font = bold
            header.append(cell)
        sheet.append(header)
        for row in table.rows:
            sheet.append([_xlsx_cell(sheet, v) if is_formula_like(v) else v for v in row])
    out = io.BytesIO()
    workbook.save(out)
    return out.getvalue()


def _xlsx_cell(sheet, value: Value) -> WriteOnlyCell:
    if isinstance(value, str):
        cell = WriteOnlyCell(sheet, value=value)
        cell.data_type = "s"  # never a formula, whatever the text starts with
        if is_formula_like(value):
            cell.quotePrefix = True
        return cell
    cell = WriteOnlyCell(sheet, value=value)
    if isinstance(value, datetime):
        cell.number_format = "yyyy-mm-dd hh:mm"
    elif isinstance(value, date):
        cell.number_format = "yyyy-mm-dd"
    return cell


def render(tables: Sequence[Table], fmt: str) -> tuple[bytes, str]:
    if fmt == "xlsx":
        return to_xlsx(tables), XLSX_MEDIA_TYPE
    return to_csv(tables), CSV_MEDIA_TYPE


# -- what is exported


def _local(edition: Edition, moment: datetime | None) -> datetime | None:
    return moment.astimezone(edition.tz).replace(tzinfo=None) if moment else None


def _counts(title: str, label: str, items: Iterable[tuple[str, int]]) -> Table:
    """A breakdown of confirmed registrations, headed as the dashboard heads it."""
    return Table(title, [label, _("Registrations")], [[k, n] for k, n in items], csv=False)


def registrations(db: DbSession, edition: Edition, query: RegistrationQuery) -> list[Table]:
    """Every registration the filters select, then the totals (the dashboard's)."""
    lang = i18n.language()
    countries = country_names(lang)
    headers = [
        _("Id"), _("Last name"), _("First name"), _("E-mail"), _("Organisation"),
        _("Cité des métiers"), _("Country"), _("Category"), _("Language"), _("Days"),
        _("Sessions (confirmed)"), _("Waiting list"), _("Meals"), _("Dietary needs"),
        _("Accessibility needs"), _("Photos"), _("Status"), _("Registered at"), _("Checked in"),
    ]  # fmt: skip
    # Labels translated once, not once a row: an export may have thousands.
    categories = {key: str(label) for key, label in CATEGORY_LABELS.items()}
    yes, no, statuses = _("yes"), _("no"), {"confirmed": _status("confirmed"),
                                            "cancelled": _status("cancelled")}  # fmt: skip

    def title(fr: str, en: str | None) -> str:
        return en if lang == "en" and en else fr

    def titles(sessions) -> str:
        return ", ".join(title(fr, en) for _, fr, en in sessions)

    def meal_titles(meals) -> str:
        # A lunch each day under one name: its day tells the caterers which.
        return ", ".join(
            f"{title(fr, en)} ({i18n.local_date(edition.local(at).date(), 'd MMM')})"
            for at, fr, en in meals
        )

    rows = []
    cite_names = cites.by_key(db)
    for row in listing.flat_rows(db, edition, query):
        r = row.values
        rows.append(
            [
                r["id"], r["last_name"], r["first_name"], r["email"], r["organisation"],
                cites.label(cite_names, r["cite"]), countries.get(r["country"], r["country"]),
                categories[r["category"]],
                r["language"], ", ".join(d.isoformat() for d in row.days), titles(row.seats),
                titles(row.waiting), meal_titles(row.meals), r["dietary"], r["accessibility"],
                yes if r["photo_consent"] else no, statuses[r["status"]],
                _local(edition, r["created_at"]), yes if r["checked_in"] else no,
            ]
        )  # fmt: skip
    tables = [Table(_("Registrations"), headers, rows)]
    totals = stats.totals(db, edition)
    tables.append(
        Table(
            _("Totals"),
            [_("Figure"), _("Number")],
            [
                [_("Confirmed registrations"), totals.confirmed],
                [_("Cancelled registrations"), totals.cancelled],
                [_("Checked in"), totals.checked_in],
            ],
            csv=False,
        )
    )
    tables.append(
        _counts(
            _("By country"),
            _("Country"),
            ((countries.get(c, c), n) for c, n in stats.by_country(db, edition)),
        )
    )
    tables.append(
        _counts(
            _("By category"),
            _("Category"),
            ((str(CATEGORY_LABELS.get(c, c)), n) for c, n in stats.by_category(db, edition)),
        )
    )
    # By Cité, who came beside who registered once someone is checked in, as on the dashboard.
    by_cite = Table(_("By Cité"), [_("Cité des métiers"), _("Registrations")], csv=False)
    if totals.checked_in:
        by_cite.headers.append(_("Checked in"))
    for cite, count, came in stats.by_cite_and_arrivals(db, edition):
        by_cite.rows.append([cite or _("(none)"), count, came][: len(by_cite.headers)])
    tables.append(by_cite)
    tables.append(
        _counts(
            _("By country of the Cité"),
            _("Country"),
            (
                (countries.get(c, c) or _("(unknown)"), n)
                for c, n in stats.by_cite_country(db, edition)
            ),
        )
    )
    return tables


def session_lists(
    db: DbSession, edition: Edition, session_ids: list[int] | None = None
) -> list[Table]:
    """Who holds a seat in each session, then its waiting line in order: one table of
    every session's people (the CSV), and in the XLSX a summary sheet and one sheet a
    session. Each row says whether the session is cancelled."""
    lang = i18n.language()
    countries = country_names(lang)  # by name, as in the registrations export
    fills = {f.session.id: f for f in stats.session_fill(db, edition, capped_only=False)}
    wanted = [sid for sid in fills if session_ids is None or sid in session_ids]
    positions = waiting_lines.waitlist_positions(db, wanted)
    choices = listing.session_rosters(db, wanted)
    headers = [
        _("Session"), _("Day"), _("Time"), _("Room"), _("Session status"), _("Status"),
        _("Place in line"), _("Last name"), _("First name"), _("E-mail"), _("Organisation"),
        _("Country"), _("Category"), _("Checked in"),
    ]  # fmt: skip
    tables = []
    summary = Table(
        _("Sessions"),
        [_("Session"), _("Day"), _("Time"), _("Session status"), _("Capacity"),
         _("Confirmed seats"), _("Waiting list")],
        csv=False,
    )  # fmt: skip
    everyone = Table(_("Participants by session"), headers)
    for sid in wanted:
        fill, session = fills[sid], fills[sid].session
        where = _where(edition, session, lang)
        state = str(SESSION_STATUS_LABELS[session.status])
        summary.rows.append([where[0], where[1], where[2], state, session.capacity,
                             fill.confirmed, fill.waitlisted])  # fmt: skip
        table = Table(session.text("title", lang), headers, csv=False)
        for choice, checked_in in choices.get(sid, []):
            r = choice.registration
            table.rows.append(
                [
                    *where, state, _choice_status(choice.status), positions.get(choice.id),
                    r.last_name, r.first_name, r.email, r.organisation,
                    countries.get(r.country, r.country),
                    str(CATEGORY_LABELS[r.category]), _yes(checked_in),
                ]
            )  # fmt: skip
        everyone.rows += table.rows
        tables.append(table)
    return [summary, everyone, *tables]


def catering(db: DbSession, edition: Edition) -> list[Table]:
    """Per meal: how many, and the dietary needs with their counts."""
    lang = i18n.language()
    table = Table(
        _("Catering"), [_("Meal"), _("Day"), _("Time"), _("Dietary needs"), _("Participants")]
    )
    for meal in stats.meals(db, edition):
        where = _where(edition, meal.session, lang)[:3]
        table.rows.append([*where, _("All"), meal.count])
        table.rows.append([*where, _("No particular needs"), meal.without_needs])
        for note, count in meal.dietary:
            table.rows.append([*where, note, count])
    return [table]


def checkins(db: DbSession, edition: Edition) -> list[Table]:
    """Every standing check-in, then the progress (the dashboard's figures)."""
    lang = i18n.language()
    scans = Table(
        _("Check-ins"),
        [_("Day"), _("Checkpoint"), _("Scanned at"), _("Last name"), _("First name"),
         _("E-mail"), _("Category"), _("Device")],
    )  # fmt: skip
    for scan in _standing_checkins(db, edition):
        r = scan.registration
        checkpoint = scan.session.text("title", lang) if scan.session else _("Entrance")
        scans.rows.append(
            [scan.day, checkpoint, _local(edition, scan.scanned_at), r.last_name, r.first_name,
             r.email, str(CATEGORY_LABELS[r.category]), scan.device]
        )  # fmt: skip
    progress = stats.checkin_progress(db, edition)
    summary = Table(
        _("Check-in progress"), [_("Checkpoint"), _("Expected"), _("Checked in")], csv=False
    )
    for day, arrival in progress.days:
        summary.rows.append(
            [_("Entrance, %(day)s", day=day.isoformat()), arrival.expected, arrival.arrived]
        )
    for session, arrival in progress.sessions:
        summary.rows.append([session_title(session, lang), arrival.expected, arrival.arrived])
    return [scans, summary]


def _standing_checkins(db: DbSession, edition: Edition) -> list[CheckIn]:
    return list(
        db.scalars(
            sa.select(CheckIn)
            .where(CheckIn.edition_id == edition.id, CheckIn.is_standing)
            .options(joinedload(CheckIn.registration), joinedload(CheckIn.session))
            .order_by(CheckIn.scanned_at, CheckIn.id)
        )
    )


def _where(edition: Edition, session: Session, lang: str) -> list[Value]:
    start = session.starts_at.astimezone(edition.tz)
    room = session.room.text("name", lang) if session.room else None
    return [
        session.text("title", lang),
        start.date(),
        i18n.time_range(session.starts_at, session.ends_at, edition.tz, lang),
        room,
    ]


def _yes(value: bool) -> str:
    return _("yes") if value else _("no")


def _status(status: str) -> str:
    if status == "confirmed":
        return pgettext("registration", "confirmed")
    return pgettext("registration", "cancelled")


def _choice_status(status: str) -> str:
    return str(CHOICE_STATUS_LABELS.get(status, status))
