from __future__ import annotations

from datetime import datetime
from typing import TYPE_CHECKING, Any

import sqlalchemy as sa
from sqlalchemy.orm import Mapped, mapped_column, relationship

from school.database import Base, UTCDateTime, utcnow
from school.models.localized import Localized

if TYPE_CHECKING:
    from school.models.programme import Session
    from school.models.registration import Registration


class SessionGroup(Localized, Base):
    """Parallel sessions people choose one of (the work café workshops, the visits).

    ``mode`` is ``first_come`` (seats go in order of registration, with waiting lines) or
    ``preference`` (until ``preferences_close_at`` participants rank the sessions, see
    ``Ranking``; an organiser then runs the allocation, reviews the draft and publishes it,
    after which the group works first come, first served).
    """

    __tablename__ = "session_groups"
    __table_args__ = (
        sa.UniqueConstraint("edition_id", "key"),
        sa.CheckConstraint("mode IN ('first_come', 'preference')", name="mode"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    edition_id: Mapped[int] = mapped_column(sa.ForeignKey("editions.id", ondelete="CASCADE"))
    key: Mapped[str] = mapped_column(sa.String(80))
    title_fr: Mapped[str] = mapped_column(sa.String(300))
    title_en: Mapped[str | None] = mapped_column(sa.String(300))
    mode: Mapped[str] = mapped_column(sa.String(20), default="first_come")
    preferences_close_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    # The draft of the last run: seed, assignments and figures, until published.
    draft: Mapped[dict[str, Any] | None] = mapped_column(sa.JSON)
    published_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)

    sessions: Mapped[list[Session]] = relationship(
        back_populates="group", order_by="Session.starts_at, Session.id"
    )

    @property
    def takes_rankings(self) -> bool:
        return self.mode == "preference" and self.published_at is None


class Ranking(Base):
    """A participant's ranking of a group's sessions, one row per place: rank 1 is the
    first choice; a row without a session means "any other session of the group"."""

    __tablename__ = "preferences"  # the table kept the name it was created with
    __table_args__ = (
        sa.UniqueConstraint("registration_id", "group_id", "rank"),
        sa.CheckConstraint("rank >= 1", name="rank_positive"),
        sa.Index(None, "group_id"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    registration_id: Mapped[int] = mapped_column(
        sa.ForeignKey("registrations.id", ondelete="CASCADE")
    )
    group_id: Mapped[int] = mapped_column(sa.ForeignKey("session_groups.id", ondelete="CASCADE"))
    session_id: Mapped[int | None] = mapped_column(sa.ForeignKey("sessions.id", ondelete="CASCADE"))
    rank: Mapped[int]
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)

    registration: Mapped[Registration] = relationship(back_populates="rankings")
    group: Mapped[SessionGroup] = relationship()
    session: Mapped[Session | None] = relationship()
