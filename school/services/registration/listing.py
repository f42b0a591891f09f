"""The organisers' table of registrations: search, filters, sort and pages.

A page costs the same few queries whatever the number of registrations: a count, the
page's rows (with a checked-in flag computed by the database), then their days and
choices in one query each. The export of registrations uses the same filters, so
"export what I see" holds.
"""

from __future__ import annotations

import contextlib
from collections.abc import Mapping
from dataclasses import dataclass, field, fields, replace
from datetime import date, datetime
from typing import Any

import sqlalchemy as sa
from sqlalchemy.orm import Session as DbSession
from sqlalchemy.orm import joinedload, selectinload

from school.models import (
    CheckIn,
    Choice,
    Edition,
    Registration,
    RegistrationDay,
    RegistrationMeal,
    Session,
)
from school.models.vocabulary import Category, ChoiceStatus, RegistrationStatus
from school.services.backoffice.stats import checked_in_clause
from school.services.errors import NotFound
from school.services.network import cites
from school.services.registration import waiting_lines

PAGE_SIZES = (50, 100)
SORTS: dict[str, tuple[Any, ...]] = {
    "name": (sa.func.lower(Registration.last_name), sa.func.lower(Registration.first_name)),
    "email": (Registration.email_key,),
    "organisation": (sa.func.lower(Registration.organisation),),
    "cite": (sa.func.lower(Registration.cite),),
    "country": (Registration.country,),
    "category": (Registration.category,),
    "status": (Registration.status,),
    "registered": (Registration.created_at,),
}
SEARCHED = (
    Registration.first_name,
    Registration.last_name,
    Registration.email,
    Registration.organisation,
    Registration.cite,
)


@dataclass(frozen=True)
class RegistrationQuery:
    """What the organiser asked for, as the page's GET parameters."""

    q: str = ""
    country: str = ""
    category: str = ""
    cite: str = ""
    day: date | None = None
    session: int | None = None
    choice: str = ""  # confirmed | waitlisted, within ``session``
    status: str = RegistrationStatus.CONFIRMED.value  # or cancelled, or "" for all
    checked_in: str = ""  # yes | no
    sort: str = "name"
    desc: bool = False
    page: int = 1
    per_page: int = PAGE_SIZES[0]

    @classmethod
    def from_args(cls, args: Mapping[str, str]) -> RegistrationQuery:
        """Read GET parameters; anything malformed falls back to its default."""

        def integer(name: str) -> int | None:
            value = (args.get(name) or "").strip()
            return int(value) if value.isdigit() and len(value) < 10 else None

        day = None
        with contextlib.suppress(ValueError):
            day = date.fromisoformat(args.get("day") or "")
        status = args.get("status", cls.status)
        return cls(
            q=(args.get("q") or "").strip()[:100],
            country=(args.get("country") or "").strip().upper()[:2],
            category=args.get("category") if args.get("category") in set(Category) else "",
            cite=(args.get("cite") or "").strip()[:200],
            day=day,
            session=integer("session"),
            choice=args.get("choice") if args.get("choice") in set(ChoiceStatus) else "",
            status=status if status in {*RegistrationStatus, ""} else cls.status,
            checked_in=args.get("checked_in") if args.get("checked_in") in ("yes", "no") else "",
            sort=args.get("sort") if args.get("sort") in SORTS else "name",
            desc=args.get("desc") == "1",
            page=max(1, integer("page") or 1),
            per_page=integer("per_page") if integer("per_page") in PAGE_SIZES else PAGE_SIZES[0],
        )

    def args(self, **changes: Any) -> dict[str, str]:
        """GET parameters for a link to this view with ``changes`` (defaults left out)."""
        query = replace(self, **changes)
        result = {}
        for item in fields(self):
            value = getattr(query, item.name)
            if value == item.default:
                continue
            if isinstance(value, bool):
                value = "1" if value else ""
            result[item.name] = value.isoformat() if isinstance(value, date) else str(value)
        return result

    def sorted_by(self, column: str) -> dict[str, str]:
        """The link of a column header: sort by it, or flip the order if it is the sort."""
        return self.args(sort=column, desc=not self.desc if self.sort == column else False, page=1)


def conditions(edition: Edition, query: RegistrationQuery) -> list[Any]:
    where: list[Any] = [Registration.edition_id == edition.id]
    if query.status:
        where.append(Registration.status == query.status)
    for word in query.q.split():
        where.append(sa.or_(*(col.icontains(word, autoescape=True) for col in SEARCHED)))
    if query.country:
        where.append(Registration.country == query.country)
    if query.category:
        where.append(Registration.category == query.category)
    if query.cite:
        where.append(Registration.cite == query.cite)
    if query.day:
        where.append(
            sa.exists().where(
                RegistrationDay.registration_id == Registration.id,
                RegistrationDay.date == query.day,
            )
        )
    if query.session:
        chose = [Choice.registration_id == Registration.id, Choice.session_id == query.session]
        if query.choice:
            chose.append(Choice.status == query.choice)
        where.append(sa.exists().where(*chose))
    if query.checked_in == "yes":
        where.append(checked_in_clause())
    elif query.checked_in == "no":
        where.append(~checked_in_clause())
    return where


def ordering(query: RegistrationQuery) -> list[Any]:
    columns = [sa.nulls_last(c.desc() if query.desc else c.asc()) for c in SORTS[query.sort]]
    return [*columns, Registration.id.desc() if query.desc else Registration.id]


@dataclass
class Row:
    registration: Registration
    checked_in: bool
    places: dict[int, int] = field(default_factory=dict)  # place in line, by choice id

    @property
    def confirmed(self) -> list[Choice]:
        return [c for c in self.registration.choices if c.is_confirmed]

    @property
    def waitlisted(self) -> list[tuple[Choice, int | None]]:
        """Each place in a waiting line, with its number in the line (1 = next)."""
        return [(c, self.places.get(c.id)) for c in self.registration.choices if not c.is_confirmed]


@dataclass
class RegistrationPage:
    query: RegistrationQuery
    total: int
    rows: list[Row] = field(default_factory=list)

    @property
    def pages(self) -> int:
        return max(1, -(-self.total // self.query.per_page))

    @property
    def first(self) -> int:
        return (self.query.page - 1) * self.query.per_page + 1 if self.rows else 0

    @property
    def last(self) -> int:
        return self.first + len(self.rows) - 1 if self.rows else 0


def with_details(stmt: sa.Select, *, meals: bool = True) -> sa.Select:
    """Days, meals and choices (with their session) in one query each."""
    stmt = stmt.options(
        selectinload(Registration.days),
        selectinload(Registration.choices).joinedload(Choice.session),
    )
    return stmt.options(selectinload(Registration.meals)) if meals else stmt


def search(db: DbSession, edition: Edition, query: RegistrationQuery) -> RegistrationPage:
    where = conditions(edition, query)
    total = db.scalar(sa.select(sa.func.count()).select_from(Registration).where(*where)) or 0
    page = RegistrationPage(query, total)
    query = replace(query, page=min(query.page, page.pages))
    page.query = query
    rows = db.execute(
        with_details(
            sa.select(Registration, checked_in_clause().label("checked_in"))
            .where(*where)
            .order_by(*ordering(query))
            .limit(query.per_page)
            .offset((query.page - 1) * query.per_page),
            meals=False,
        )
    ).all()
    waiting = [c.id for r, _ in rows for c in r.choices if not c.is_confirmed]
    places = waiting_lines.places_in_line(db, waiting)
    page.rows = [Row(registration, bool(flag), places) for registration, flag in rows]
    return page


@dataclass
class FlatRow:
    """A registration as plain values, for exports of thousands of rows (no ORM objects:
    four queries, whatever the number)."""

    values: dict[str, Any]
    days: list[date] = field(default_factory=list)
    seats: list[tuple[datetime, str, str | None]] = field(default_factory=list)
    waiting: list[tuple[datetime, str, str | None]] = field(default_factory=list)
    meals: list[tuple[datetime, str, str | None]] = field(default_factory=list)


FLAT_COLUMNS = (
    "id", "last_name", "first_name", "email", "organisation", "cite", "country", "category",
    "language", "dietary", "accessibility", "photo_consent", "status", "created_at",
)  # fmt: skip


def flat_rows(db: DbSession, edition: Edition, query: RegistrationQuery) -> list[FlatRow]:
    where = conditions(edition, query)
    selected = sa.select(Registration.id).where(*where)
    columns = [getattr(Registration, name) for name in FLAT_COLUMNS]
    rows: dict[int, FlatRow] = {}
    for row in db.execute(
        sa.select(*columns, checked_in_clause().label("checked_in"))
        .where(*where)
        .order_by(*ordering(query))
    ).mappings():
        rows[row["id"]] = FlatRow(dict(row))
    for registration_id, day in db.execute(
        sa.select(RegistrationDay.registration_id, RegistrationDay.date)
        .where(RegistrationDay.registration_id.in_(selected))
        .order_by(RegistrationDay.date)
    ):
        rows[registration_id].days.append(day)
    session_columns = (Session.starts_at, Session.title_fr, Session.title_en)
    for registration_id, status, *session in db.execute(
        sa.select(Choice.registration_id, Choice.status, *session_columns)
        .join(Session, Session.id == Choice.session_id)
        .where(Choice.registration_id.in_(selected))
        .order_by(Session.starts_at, Session.id)
    ):
        target = rows[registration_id]
        (target.seats if status == ChoiceStatus.CONFIRMED else target.waiting).append(
            tuple(session)
        )
    for registration_id, *session in db.execute(
        sa.select(RegistrationMeal.registration_id, *session_columns)
        .join(Session, Session.id == RegistrationMeal.session_id)
        .where(RegistrationMeal.registration_id.in_(selected))
        .order_by(Session.starts_at, Session.id)
    ):
        rows[registration_id].meals.append(tuple(session))
    return list(rows.values())


def filter_options(db: DbSession, edition: Edition) -> dict[str, list[str]]:
    """The values the filters offer: countries and Cités that occur in this edition."""

    def distinct(column) -> list[str]:
        return list(
            db.scalars(
                sa.select(column)
                .where(Registration.edition_id == edition.id, column.is_not(None))
                .distinct()
                .order_by(column)
            )
        )

    names = cites.by_key(db)
    held = [(key, cites.label(names, key)) for key in distinct(Registration.cite)]
    return {"countries": distinct(Registration.country), "cites": sorted(held, key=lambda c: c[1])}


def get_registration(db: DbSession, edition: Edition, registration_id: int) -> Registration:
    registration = db.scalar(
        with_details(
            sa.select(Registration).where(
                Registration.id == registration_id, Registration.edition_id == edition.id
            )
        ).options(joinedload(Registration.edition))
    )
    if registration is None:
        raise NotFound("no such registration")
    return registration


def session_rosters(db: DbSession, session_ids: list[int]) -> dict[int, list[tuple[Choice, bool]]]:
    """Each session's choices, seats first then the waiting line in order, with whether
    the participant was checked in to that session. One query for all sessions."""
    if not session_ids:
        return {}
    scanned = sa.exists().where(
        CheckIn.registration_id == Choice.registration_id,
        CheckIn.session_id == Choice.session_id,
        CheckIn.is_standing,
    )
    rows = db.execute(
        sa.select(Choice, scanned.label("checked_in"))
        .join(Registration, Registration.id == Choice.registration_id)
        .where(Choice.session_id.in_(session_ids))
        .options(joinedload(Choice.registration))
        .order_by(
            Choice.session_id,
            Choice.status,  # confirmed before waitlisted
            sa.case(
                (Choice.status == ChoiceStatus.CONFIRMED, sa.func.lower(Registration.last_name)),
                else_="",
            ),
            Choice.queued_at,
            Choice.id,
        )
    ).all()
    rosters: dict[int, list[tuple[Choice, bool]]] = {}
    for choice, checked_in in rows:
        rosters.setdefault(choice.session_id, []).append((choice, bool(checked_in)))
    return rosters
