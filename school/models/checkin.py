from __future__ import annotations

from datetime import date, datetime
from typing import TYPE_CHECKING

import sqlalchemy as sa
from sqlalchemy.ext.hybrid import hybrid_property
from sqlalchemy.orm import Mapped, mapped_column, relationship

from school.database import Base, UTCDateTime, Written, utcnow
from school.models.vocabulary import Verdict, check_in

if TYPE_CHECKING:
    from school.models.organiser import Organiser
    from school.models.programme import Session
    from school.models.registration import Registration


_OK = Written(Verdict.OK)  # written into the SQL: the partial index below names it


class CheckIn(Base):
    """One scan at a checkpoint: the entrance on a day (session_id NULL) or a session."""

    __tablename__ = "checkins"
    __table_args__ = (
        sa.CheckConstraint(check_in("verdict", Verdict), name="verdict"),
        sa.Index(None, "edition_id", "checkpoint", "verdict"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    edition_id: Mapped[int] = mapped_column(sa.ForeignKey("editions.id", ondelete="CASCADE"))
    registration_id: Mapped[int | None] = mapped_column(
        sa.ForeignKey("registrations.id", ondelete="CASCADE"), index=True
    )
    session_id: Mapped[int | None] = mapped_column(sa.ForeignKey("sessions.id", ondelete="CASCADE"))
    day: Mapped[date]  # local date of the checkpoint
    # "entrance:2019-06-19" or "session:17": where the scan happened.
    checkpoint: Mapped[str] = mapped_column(sa.String(40))
    scanned_at: Mapped[datetime] = mapped_column(UTCDateTime)
    recorded_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    # The scanner's id for this scan: a replay of the same scan records nothing new.
    client_id: Mapped[str] = mapped_column(sa.String(64), unique=True)
    device: Mapped[str | None] = mapped_column(sa.String(120))
    organiser_id: Mapped[int | None] = mapped_column(
        sa.ForeignKey("organisers.id", ondelete="SET NULL")
    )
    verdict: Mapped[str] = mapped_column(sa.String(40))
    undone_at: Mapped[datetime | None] = mapped_column(UTCDateTime)

    registration: Mapped[Registration | None] = relationship()
    session: Mapped[Session | None] = relationship()
    organiser: Mapped[Organiser | None] = relationship()

    @hybrid_property
    def is_standing(self) -> bool:
        """The check-in that counts: a scan let in (``ok``) and not undone. A scan that
        an earlier one, arriving late, superseded was turned into ``already``.

        Written with operators Python and SQL read alike, so these lines are both the
        attribute of a loaded check-in and the condition of every query (and of the
        unique index below): who is checked in is decided here only.
        """
        return (self.verdict == _OK) & (self.undone_at == None)  # noqa: E711


# One standing check-in per person and checkpoint, whatever the devices do.
sa.Index(
    "uq_checkins_one_ok_per_checkpoint",
    CheckIn.registration_id,
    CheckIn.checkpoint,
    unique=True,
    sqlite_where=CheckIn.is_standing,
    postgresql_where=CheckIn.is_standing,
)

# The arrivals at a checkpoint, counted at every scan (``standing.arrivals_query``): read
# from this index alone, which holds only the standing check-ins, rather than from each
# one's row (200 rows read a scan at a door of 200 people, 2,000 at ten times that).
sa.Index(
    "ix_checkins_arrivals",
    CheckIn.edition_id,
    CheckIn.checkpoint,
    sqlite_where=CheckIn.is_standing,
    postgresql_where=CheckIn.is_standing,
)
