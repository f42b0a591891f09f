from __future__ import annotations

import secrets
from datetime import date, datetime, timedelta
from typing import TYPE_CHECKING
from zoneinfo import ZoneInfo

import sqlalchemy as sa
from sqlalchemy.orm import Mapped, mapped_column, relationship

from school.database import Base, UTCDateTime, utcnow
from school.models.localized import Localized

if TYPE_CHECKING:
    from school.models.programme import Session

# Read aloud and typed by people: no 0/O, 1/I/L look-alikes. 12 characters of 31: ~59 bits.
MEMBER_CODE_ALPHABET = "23456789ABCDEFGHJKMNPQRSTUVWXYZ"


def new_member_code() -> str:
    """An unguessable member code, in three groups of four (``K7QF-M2XP-9RTD``)."""
    chars = "".join(secrets.choice(MEMBER_CODE_ALPHABET) for _ in range(12))
    return "-".join(chars[i : i + 4] for i in range(0, 12, 4))


class Edition(Localized, Base):
    """One Spring or Autumn School."""

    __tablename__ = "editions"
    __table_args__ = (
        sa.CheckConstraint("ends_on >= starts_on", name="ends_after_start"),
        sa.CheckConstraint("capacity IS NULL OR capacity >= 0", name="capacity_positive"),
        sa.CheckConstraint(
            "registration_closes_at IS NULL OR registration_opens_at IS NULL"
            " OR registration_closes_at > registration_opens_at",
            name="registration_window",
        ),
        sa.CheckConstraint("status IN ('draft', 'published', 'archived')", name="status_known"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    slug: Mapped[str] = mapped_column(sa.String(80), unique=True)
    title_fr: Mapped[str] = mapped_column(sa.String(200))
    title_en: Mapped[str | None] = mapped_column(sa.String(200))
    tagline_fr: Mapped[str | None] = mapped_column(sa.String(300))
    tagline_en: Mapped[str | None] = mapped_column(sa.String(300))
    description_fr: Mapped[str | None] = mapped_column(sa.Text)
    description_en: Mapped[str | None] = mapped_column(sa.Text)
    city: Mapped[str] = mapped_column(sa.String(120))  # its own name, e.g. "Bruxelles"
    city_en: Mapped[str | None] = mapped_column(sa.String(120))  # "Brussels"
    venue: Mapped[str] = mapped_column(sa.String(200))
    address: Mapped[str] = mapped_column(sa.String(300))
    timezone: Mapped[str] = mapped_column(sa.String(64))
    starts_on: Mapped[date]
    ends_on: Mapped[date]
    contact_email: Mapped[str | None] = mapped_column(sa.String(254))
    # What a reader of Italian, Spanish or Portuguese sees where the organisers wrote no text
    # in their language: English, or French if the organisers prefer.
    content_fallback: Mapped[str] = mapped_column(sa.String(2), default="en", server_default="en")
    registration_opens_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    registration_closes_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    capacity: Mapped[int | None]
    # The call for initiatives (none = not open; no close = open until the edition ends,
    # ``initiatives.call_closes_at``).
    initiatives_open_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    initiatives_close_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    # The secret that proves membership of the network for members-only seats.
    member_code: Mapped[str] = mapped_column(sa.String(32), default=new_member_code)
    # The privacy notice at /<slug>/privacy; empty: the default text.
    privacy_notice_fr: Mapped[str | None] = mapped_column(sa.Text)
    privacy_notice_en: Mapped[str | None] = mapped_column(sa.Text)
    # draft (seen by organisers only) → published → archived; see services.programme.lifecycle.
    status: Mapped[str] = mapped_column(sa.String(16), default="draft", server_default="draft")
    # The demo edition stays open to registration whatever its dates, so people can try it.
    is_demo: Mapped[bool] = mapped_column(default=False, server_default=sa.false())
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    # Raised by every change to the programme: the key of caches and ETags.
    changed_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    # Raised whenever seats may have changed (taken under the edition lock): with
    # changed_at, the key of the cached programme, whose seats-left it shows.
    seats_changed_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)

    days: Mapped[list[EditionDay]] = relationship(
        back_populates="edition", order_by="EditionDay.date", cascade="all, delete-orphan"
    )
    rooms: Mapped[list[Room]] = relationship(
        back_populates="edition", order_by="Room.id", cascade="all, delete-orphan"
    )
    sessions: Mapped[list[Session]] = relationship(
        back_populates="edition", cascade="all, delete-orphan"
    )

    def city_in(self, language: str) -> str:
        """The city's name in ``language`` ("Brussels" in English), else its own name."""
        return (self.city_en if language == "en" else None) or self.city

    @property
    def tz(self) -> ZoneInfo:
        return ZoneInfo(self.timezone)

    @property
    def dates(self) -> list[date]:
        return [
            self.starts_on + timedelta(days=n)
            for n in range((self.ends_on - self.starts_on).days + 1)
        ]

    def day(self, on: date) -> EditionDay | None:
        """The day's theme, if the programme gives one."""
        return next((day for day in self.days if day.date == on), None)

    def local(self, moment: datetime) -> datetime:
        return moment.astimezone(self.tz)

    def __repr__(self) -> str:
        return f"<Edition {self.slug}>"


class EditionDay(Localized, Base):
    """A day of the edition and its theme."""

    __tablename__ = "edition_days"
    __table_args__ = (sa.UniqueConstraint("edition_id", "date"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    edition_id: Mapped[int] = mapped_column(sa.ForeignKey("editions.id", ondelete="CASCADE"))
    date: Mapped[date]
    theme_fr: Mapped[str] = mapped_column(sa.String(300))
    theme_en: Mapped[str | None] = mapped_column(sa.String(300))
    description_fr: Mapped[str | None] = mapped_column(sa.Text)
    description_en: Mapped[str | None] = mapped_column(sa.Text)

    edition: Mapped[Edition] = relationship(back_populates="days")


class Room(Localized, Base):
    """A place in the venue."""

    __tablename__ = "rooms"
    __table_args__ = (
        sa.UniqueConstraint("edition_id", "key"),
        sa.CheckConstraint("capacity IS NULL OR capacity >= 0", name="capacity_positive"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    edition_id: Mapped[int] = mapped_column(sa.ForeignKey("editions.id", ondelete="CASCADE"))
    key: Mapped[str] = mapped_column(sa.String(80))
    name_fr: Mapped[str] = mapped_column(sa.String(200))
    name_en: Mapped[str | None] = mapped_column(sa.String(200))
    capacity: Mapped[int | None]

    edition: Mapped[Edition] = relationship(back_populates="rooms")
