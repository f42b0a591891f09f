from __future__ import annotations

import secrets
from datetime import datetime
from typing import TYPE_CHECKING

import sqlalchemy as sa
from sqlalchemy.orm import Mapped, mapped_column, relationship

from school.database import Base, UTCDateTime, utcnow
from school.models.localized import Localized
from school.models.vocabulary import Role, check_in

if TYPE_CHECKING:
    from school.models.programme import Session


def new_private_token() -> str:
    """An unguessable token for a private link (256 bits)."""
    return secrets.token_urlsafe(32)


class Person(Localized, Base):
    """A speaker, moderator or other named contributor of one edition."""

    __tablename__ = "people"
    __table_args__ = (sa.UniqueConstraint("edition_id", "key"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    edition_id: Mapped[int] = mapped_column(sa.ForeignKey("editions.id", ondelete="CASCADE"))
    key: Mapped[str] = mapped_column(sa.String(80))
    first_name: Mapped[str] = mapped_column(sa.String(100))
    last_name: Mapped[str] = mapped_column(sa.String(100))
    function_fr: Mapped[str | None] = mapped_column(sa.String(300))
    function_en: Mapped[str | None] = mapped_column(sa.String(300))
    organisation: Mapped[str | None] = mapped_column(sa.String(200))
    bio_fr: Mapped[str | None] = mapped_column(sa.Text)
    bio_en: Mapped[str | None] = mapped_column(sa.Text)
    email: Mapped[str | None] = mapped_column(sa.String(254))
    language: Mapped[str] = mapped_column(sa.String(2), default="fr")
    speaker_token: Mapped[str] = mapped_column(
        sa.String(64), unique=True, default=new_private_token
    )
    confirmed_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    invited_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    updated_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)

    sessions: Mapped[list[SessionPerson]] = relationship(
        back_populates="person", cascade="all, delete-orphan"
    )

    @property
    def full_name(self) -> str:
        return f"{self.first_name} {self.last_name}".strip()

    @property
    def sort_key(self) -> tuple[str, str]:
        return (self.last_name.casefold(), self.first_name.casefold())

    def __repr__(self) -> str:
        return f"<Person {self.key}>"


class SessionPerson(Base):
    """A person's part in a session: speaker, moderator, witness (grand témoin), welcome."""

    __tablename__ = "session_people"
    __table_args__ = (sa.CheckConstraint(check_in("role", Role), name="role"),)

    session_id: Mapped[int] = mapped_column(
        sa.ForeignKey("sessions.id", ondelete="CASCADE"), primary_key=True
    )
    person_id: Mapped[int] = mapped_column(
        sa.ForeignKey("people.id", ondelete="CASCADE"), primary_key=True, index=True
    )
    role: Mapped[str] = mapped_column(sa.String(20), default=Role.SPEAKER.value)
    is_tentative: Mapped[bool] = mapped_column(default=False)  # sous réserve
    position: Mapped[int] = mapped_column(default=0)

    session: Mapped[Session] = relationship(back_populates="people")
    person: Mapped[Person] = relationship(back_populates="sessions")

    @property
    def awaits_confirmation(self) -> bool:
        """Still "sous réserve": nothing is left to confirm about a cancelled session."""
        return self.is_tentative and not self.session.is_cancelled

    @property
    def others(self) -> list[SessionPerson]:
        """Everyone else who takes part in the session, in the programme's order."""
        return [other for other in self.session.people if other.person_id != self.person_id]
