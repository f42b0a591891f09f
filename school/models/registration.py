from __future__ import annotations

from datetime import date, datetime
from typing import TYPE_CHECKING

import sqlalchemy as sa
from sqlalchemy.dialects.postgresql import JSONB
from sqlalchemy.ext.hybrid import hybrid_property
from sqlalchemy.orm import Mapped, mapped_column, relationship

from school.database import Base, UTCDateTime, utcnow
from school.models.people import new_private_token
from school.models.vocabulary import (
    LANGUAGES,
    Category,
    ChoiceStatus,
    RegistrationStatus,
    check_in,
)

if TYPE_CHECKING:
    from school.models.allocation import Ranking
    from school.models.edition import Edition
    from school.models.programme import Session


class Registration(Base):
    """One participant in one edition."""

    __tablename__ = "registrations"
    __table_args__ = (
        # One registration per e-mail per edition; email_key is the trimmed, lower-cased address
        # (of a cancelled one registered again: set aside, see registrations.set_aside_key).
        sa.UniqueConstraint("edition_id", "email_key"),
        sa.CheckConstraint(check_in("category", Category), name="category"),
        sa.CheckConstraint(check_in("status", RegistrationStatus), name="status"),
        sa.CheckConstraint(f"language IN ({', '.join(map(repr, LANGUAGES))})", name="language"),
        sa.Index(None, "edition_id", "last_name"),
        sa.Index(None, "edition_id", "created_at"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    edition_id: Mapped[int] = mapped_column(sa.ForeignKey("editions.id", ondelete="CASCADE"))
    first_name: Mapped[str] = mapped_column(sa.String(100))
    last_name: Mapped[str] = mapped_column(sa.String(100))
    email: Mapped[str] = mapped_column(sa.String(254))
    email_key: Mapped[str] = mapped_column(sa.String(254))
    organisation: Mapped[str | None] = mapped_column(sa.String(200))
    cite: Mapped[str | None] = mapped_column(sa.String(200))  # the Cité des métiers, if any
    country: Mapped[str] = mapped_column(sa.String(2))  # ISO 3166 alpha-2
    category: Mapped[str] = mapped_column(sa.String(20))
    language: Mapped[str] = mapped_column(sa.String(2), default="fr")
    dietary: Mapped[str | None] = mapped_column(sa.String(500))
    accessibility: Mapped[str | None] = mapped_column(sa.String(500))
    privacy_consent_at: Mapped[datetime] = mapped_column(UTCDateTime)
    photo_consent: Mapped[bool] = mapped_column(default=False)
    # Membership proved (the edition's member code) or confirmed by an organiser: what a
    # members-only seat needs besides the category.
    member_verified: Mapped[bool] = mapped_column(default=False)
    status: Mapped[str] = mapped_column(sa.String(20), default=RegistrationStatus.CONFIRMED.value)
    manage_token: Mapped[str] = mapped_column(sa.String(64), unique=True, default=new_private_token)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    updated_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    cancelled_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    # The sessions held when the registration was cancelled ([{"session_id", "status"}]):
    # what the back office shows, and what reinstating asks for again.
    # JSONB on PostgreSQL: a plain json column has no equality, which SELECT DISTINCT needs.
    cancelled_choices: Mapped[list | None] = mapped_column(
        sa.JSON().with_variant(JSONB(), "postgresql")
    )

    edition: Mapped[Edition] = relationship()
    days: Mapped[list[RegistrationDay]] = relationship(
        order_by="RegistrationDay.date", cascade="all, delete-orphan"
    )
    meals: Mapped[list[RegistrationMeal]] = relationship(cascade="all, delete-orphan")
    choices: Mapped[list[Choice]] = relationship(
        back_populates="registration", cascade="all, delete-orphan"
    )
    rankings: Mapped[list[Ranking]] = relationship(
        back_populates="registration", order_by="Ranking.rank", cascade="all, delete-orphan"
    )

    @property
    def full_name(self) -> str:
        return f"{self.first_name} {self.last_name}".strip()

    @hybrid_property
    def is_proved_member(self) -> bool:
        """A network member who proved it (the edition's member code, or an organiser): the
        one door to members-only sessions, never the category ticked alone."""
        return self.category == Category.MEMBER and bool(self.member_verified)

    @is_proved_member.inplace.expression
    @classmethod
    def _is_proved_member(cls) -> sa.ColumnElement[bool]:
        return sa.and_(cls.category == Category.MEMBER, cls.member_verified)

    @property
    def is_cancelled(self) -> bool:
        return self.status == RegistrationStatus.CANCELLED

    @property
    def attended_dates(self) -> list[date]:
        return [day.date for day in self.days]

    def __repr__(self) -> str:
        return f"<Registration {self.id} {self.email}>"


class RegistrationDay(Base):
    """A day the participant attends."""

    __tablename__ = "registration_days"

    registration_id: Mapped[int] = mapped_column(
        sa.ForeignKey("registrations.id", ondelete="CASCADE"), primary_key=True
    )
    date: Mapped[date] = mapped_column(primary_key=True)


class RegistrationMeal(Base):
    """A meal (buffet, cocktail) the participant will take: the caterers' count."""

    __tablename__ = "registration_meals"

    registration_id: Mapped[int] = mapped_column(
        sa.ForeignKey("registrations.id", ondelete="CASCADE"), primary_key=True
    )
    session_id: Mapped[int] = mapped_column(
        sa.ForeignKey("sessions.id", ondelete="CASCADE"), primary_key=True, index=True
    )

    session: Mapped[Session] = relationship()


class WaitingLine(Base):
    """How many wait in a session's line, counted by the database itself as choices come,
    go and change (triggers on ``choices``, migration 0016): a new registration is told
    its place without counting a line of thousands while it holds the seats' locks."""

    __tablename__ = "waiting_lines"

    session_id: Mapped[int] = mapped_column(
        sa.ForeignKey("sessions.id", ondelete="CASCADE"), primary_key=True
    )
    people: Mapped[int]


class Choice(Base):
    """A registration's seat in a session, confirmed or waiting in line."""

    __tablename__ = "choices"
    __table_args__ = (
        sa.UniqueConstraint("registration_id", "session_id"),
        sa.CheckConstraint(check_in("status", ChoiceStatus), name="status"),
        sa.Index(None, "session_id", "status", "queued_at"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    registration_id: Mapped[int] = mapped_column(
        sa.ForeignKey("registrations.id", ondelete="CASCADE")
    )
    session_id: Mapped[int] = mapped_column(sa.ForeignKey("sessions.id", ondelete="CASCADE"))
    status: Mapped[str] = mapped_column(sa.String(20))
    # Place in the waiting line: earliest first, then by id.
    queued_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    updated_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)

    registration: Mapped[Registration] = relationship(back_populates="choices")
    session: Mapped[Session] = relationship()

    @hybrid_property
    def is_confirmed(self) -> bool:  # the same operator in Python and in SQL
        return self.status == ChoiceStatus.CONFIRMED
