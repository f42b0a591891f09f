from __future__ import annotations

import uuid
from datetime import datetime, timedelta
from typing import TYPE_CHECKING

import sqlalchemy as sa
from sqlalchemy.ext.hybrid import hybrid_method, hybrid_property
from sqlalchemy.orm import Mapped, mapped_column, relationship

from school.database import Base, UTCDateTime, utcnow
from school.models.localized import Localized
from school.models.vocabulary import Audience, SessionKind, SessionStatus, check_in

if TYPE_CHECKING:
    from school.models.allocation import SessionGroup
    from school.models.edition import Edition, Room
    from school.models.people import SessionPerson


def times_overlap(first, second):
    """``Session.overlaps``' rule, for anything with ``starts_at`` and ``ends_at`` (plain
    copies of thousands of sessions' times compare faster than the ORM's objects)."""
    return (first.starts_at < second.ends_at) & (second.starts_at < first.ends_at)


def _new_uid() -> str:
    return str(uuid.uuid4())


class Session(Localized, Base):
    """One item of the programme."""

    __tablename__ = "sessions"
    __table_args__ = (
        sa.UniqueConstraint("edition_id", "key"),
        sa.CheckConstraint("ends_at > starts_at", name="ends_after_start"),
        sa.CheckConstraint("capacity IS NULL OR capacity >= 0", name="capacity_positive"),
        sa.CheckConstraint(check_in("kind", SessionKind), name="kind"),
        sa.CheckConstraint(check_in("audience", Audience), name="audience"),
        sa.CheckConstraint(check_in("status", SessionStatus), name="status"),
        sa.Index(None, "edition_id", "starts_at"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    edition_id: Mapped[int] = mapped_column(sa.ForeignKey("editions.id", ondelete="CASCADE"))
    # The id in the programme file: what import matches on, so database ids stay put.
    key: Mapped[str] = mapped_column(sa.String(80))
    kind: Mapped[str] = mapped_column(sa.String(20))
    title_fr: Mapped[str] = mapped_column(sa.String(300))
    title_en: Mapped[str | None] = mapped_column(sa.String(300))
    description_fr: Mapped[str | None] = mapped_column(sa.Text)
    description_en: Mapped[str | None] = mapped_column(sa.Text)
    # Optional translations the organisers may add for the network's other languages.
    title_it: Mapped[str | None] = mapped_column(sa.String(300))
    title_es: Mapped[str | None] = mapped_column(sa.String(300))
    title_pt: Mapped[str | None] = mapped_column(sa.String(300))
    description_it: Mapped[str | None] = mapped_column(sa.Text)
    description_es: Mapped[str | None] = mapped_column(sa.Text)
    description_pt: Mapped[str | None] = mapped_column(sa.Text)
    starts_at: Mapped[datetime] = mapped_column(UTCDateTime)
    ends_at: Mapped[datetime] = mapped_column(UTCDateTime)
    room_id: Mapped[int | None] = mapped_column(
        sa.ForeignKey("rooms.id", ondelete="SET NULL"), index=True
    )
    capacity: Mapped[int | None]
    requires_registration: Mapped[bool] = mapped_column(default=False)
    audience: Mapped[str] = mapped_column(sa.String(20), default=Audience.EVERYONE.value)
    status: Mapped[str] = mapped_column(sa.String(20), default=SessionStatus.SCHEDULED.value)
    is_meal: Mapped[bool] = mapped_column(default=False)
    # Parallel sessions chosen one of, possibly by preference (see SessionGroup).
    group_id: Mapped[int | None] = mapped_column(
        sa.ForeignKey("session_groups.id", ondelete="SET NULL"), index=True
    )
    # Calendar identity: never derived from title or time, raised on every change.
    uid: Mapped[str] = mapped_column(sa.String(64), unique=True, default=_new_uid)
    sequence: Mapped[int] = mapped_column(default=0)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    updated_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)

    edition: Mapped[Edition] = relationship(back_populates="sessions")
    room: Mapped[Room | None] = relationship()
    group: Mapped[SessionGroup | None] = relationship(back_populates="sessions")
    people: Mapped[list[SessionPerson]] = relationship(
        back_populates="session",
        order_by="SessionPerson.position",
        cascade="all, delete-orphan",
    )

    @property
    def duration(self) -> timedelta:
        return self.ends_at - self.starts_at

    # The predicates below are hybrids written with operators Python and SQL read alike
    # (``&``, ``|``, ``== None``): each is both the attribute of a loaded session and the
    # condition of a query, so a page and a query cannot disagree.

    @hybrid_property
    def is_cancelled(self) -> bool:
        return self.status == SessionStatus.CANCELLED

    @hybrid_property
    def is_capped(self) -> bool:
        return self.capacity != None  # noqa: E711

    @hybrid_property
    def is_by_choice(self) -> bool:
        """Whether people come by choosing it: it requires registration (*sur inscription*)
        or its seats are counted. Whatever its status: a cancelled workshop still
        concerns the holders of its seats, and only them.

        Never a meal: a meal is taken (``RegistrationMeal``), its capacity caps the people
        taking it; were it a seat as well, it would be offered and counted twice."""
        return ((self.requires_registration == True) | self.is_capped) & (  # noqa: E712
            self.is_meal != True  # noqa: E712
        )

    @hybrid_property
    def is_offered_for_choice(self) -> bool:
        """Whether participants pick it when they register (else everyone may come)."""
        return (self.status != SessionStatus.CANCELLED) & self.is_by_choice

    @hybrid_property
    def is_chosen_on_form(self) -> bool:
        """Whether the public registration form offers it (not those by invitation: the
        organisers give them). The programme marks exactly these "registration required"."""
        return self.is_offered_for_choice & (self.audience != Audience.INVITED)

    @hybrid_method
    def overlaps(self, other) -> bool:
        """Whether the two take place at the same time, for a moment at least. Times are
        half-open, [start, end): a session that ends at 11:00 and one that starts at
        11:00 do not overlap. ``other`` is anything with ``starts_at`` and ``ends_at``.

        Written with operators Python and SQL read alike: ``Session.overlaps(session)``
        is the same rule as a query's condition (seats at the same time, a room booked
        twice).
        """
        return times_overlap(self, other)

    def __repr__(self) -> str:
        return f"<Session {self.key}>"
