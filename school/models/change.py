from __future__ import annotations

from datetime import datetime
from typing import Any

import sqlalchemy as sa
from sqlalchemy.orm import Mapped, mapped_column, relationship

from school.database import Base, UTCDateTime, utcnow
from school.models.programme import Session


class ChangeNotice(Base):
    """A change of a session's time, room, title or status that the people concerned
    must be told of. Edits pile up here; ``change_notices.notify`` then sends one e-mail
    per person for the whole batch, when the organiser has finished editing."""

    __tablename__ = "change_notices"
    __table_args__ = (sa.Index(None, "edition_id", "notified_at"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    edition_id: Mapped[int] = mapped_column(sa.ForeignKey("editions.id", ondelete="CASCADE"))
    session_id: Mapped[int] = mapped_column(sa.ForeignKey("sessions.id", ondelete="CASCADE"))
    # {field: [before, after]}, fields of programme_io.CALENDAR_FIELDS, values as JSON.
    changes: Mapped[dict[str, Any]] = mapped_column(sa.JSON)
    # False: the organiser chose not to tell anyone of this edit.
    send: Mapped[bool] = mapped_column(default=True)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    notified_at: Mapped[datetime | None] = mapped_column(UTCDateTime)

    session: Mapped[Session] = relationship()
