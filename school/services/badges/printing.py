"""Which badges to print and in which order, and their PDF (drawn by ``badges.pdf``)."""

from __future__ import annotations

import unicodedata
from collections.abc import Iterable
from datetime import date

import sqlalchemy as sa
from flask_babel import gettext as _
from sqlalchemy.orm import Session as DbSession

from school import i18n
from school.models import Edition, Registration, RegistrationDay
from school.models.vocabulary import Category, RegistrationStatus
from school.services.badges import pdf
from school.services.badges.pdf import SHEET_DEFAULT, SINGLE_DEFAULT, SIZES, BadgeSize
from school.services.badges.tokens import KeyRing, token_for
from school.services.errors import DomainError
from school.urls import absolute_url


def badge_url(registration: Registration) -> str:
    """The absolute address of the participant's badge (PDF), for e-mails."""
    return absolute_url("participant.badge_pdf", token=registration.manage_token)


def has_badge(registration: Registration) -> bool:
    return registration.status == RegistrationStatus.CONFIRMED


def badge_sizes() -> tuple[BadgeSize, ...]:
    """The sizes a badge is printed in, as offered to organisers (page and command line)."""
    return tuple(SIZES.values())


def badge_size(name: str | None, *, sheet: bool) -> BadgeSize:
    """The size called ``name``; none named: the default of a sheet or of a single badge.
    An unknown name is refused, never replaced: the organiser would print the wrong size."""
    if not name:
        return SIZES[SHEET_DEFAULT if sheet else SINGLE_DEFAULT]
    if name not in SIZES:
        sizes = ", ".join(f"{size.name} = {size.label}" for size in badge_sizes())
        message = _("There is no badge size “%(name)s”. Choose one of: %(sizes)s.")
        raise DomainError(
            message % {"name": name, "sizes": sizes},
            code="size",
            field="size",
        )
    return SIZES[name]


def pdf_for(
    registrations: Iterable[Registration],
    *,
    size: str | None = None,
    sheet: bool = False,
    keyring: KeyRing | None = None,
) -> bytes:
    """The badges of ``registrations`` as one PDF, in the order given: one badge a page
    (the participant's download), or A4 sheets with cut marks (``sheet=True``)."""
    chosen = badge_size(size, sheet=sheet)
    ring = keyring or KeyRing.of_app()
    items = [(r, token_for(r, ring)) for r in registrations]
    return pdf.render(items, size=chosen.name, sheet=sheet)


def day_to_print(edition: Edition, text: str | None) -> date | None:
    """The day a filter names as ``YYYY-MM-DD`` (none: every day), one of the edition's."""
    if not text:
        return None
    try:
        day = date.fromisoformat(text)
    except ValueError:
        raise _not_a_day(edition, text) from None
    if day not in edition.dates:
        raise _not_a_day(edition, text)
    return day


def _not_a_day(edition: Edition, text: str) -> DomainError:
    first, last = edition.dates[0], edition.dates[-1]
    return DomainError(
        _(
            "“%(day)s” is not a day of this School (%(dates)s).",
            day=text,
            dates=i18n.date_range(first, last),
        ),
        code="day",
        field="day",
    )


def registrations_to_print(
    db: DbSession,
    edition: Edition,
    *,
    categories: Iterable[str] = (),
    day: date | None = None,
) -> list[Registration]:
    """The confirmed registrations of ``edition`` whose badge is to be printed, sorted by
    last name: of these categories (all if none), attending ``day`` (any if None)."""
    wanted = list(categories)
    unknown = [c for c in wanted if c not in {member.value for member in Category}]
    if unknown:
        known = ", ".join(c.value for c in Category)
        raise DomainError(
            _(
                "There is no category “%(category)s”. Choose one of: %(categories)s.",
                category=unknown[0],
                categories=known,
            ),
            code="category",
            field="category",
        )
    if day is not None and day not in edition.dates:
        raise _not_a_day(edition, day.isoformat())
    query = sa.select(Registration).where(
        Registration.edition_id == edition.id,
        Registration.status == RegistrationStatus.CONFIRMED,
    )
    if wanted:
        query = query.where(Registration.category.in_(wanted))
    if day is not None:
        query = query.where(
            sa.exists().where(
                RegistrationDay.registration_id == Registration.id, RegistrationDay.date == day
            )
        )
    return sorted(db.scalars(query), key=print_order)


# Letters that Unicode does not decompose into a base letter and an accent.
_BASE_LETTERS = str.maketrans({"ł": "l", "ø": "o", "đ": "d", "æ": "ae", "œ": "oe", "ı": "i"})


def print_order(registration: Registration) -> tuple[str, str, int]:
    """By last name then first name, as a person would file them: accents and case
    do not count (Łukasiewicz among the L, Ñúñez among the N)."""
    last, first = registration.last_name, registration.first_name
    return (_collation(last), _collation(first), registration.id)


def _collation(text: str) -> str:
    decomposed = unicodedata.normalize("NFKD", text.casefold())
    bare = "".join(c for c in decomposed if not unicodedata.combining(c))
    return bare.translate(_BASE_LETTERS)
