from __future__ import annotations

from datetime import datetime

import sqlalchemy as sa
from sqlalchemy.orm import Mapped, mapped_column

from school.database import Base, UTCDateTime, utcnow


class OutboxMessage(Base):
    """An e-mail waiting to be sent, or sent: nothing is lost when the mail server is down."""

    __tablename__ = "outbox"
    __table_args__ = (sa.Index(None, "sent_at", "send_after"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    to_address: Mapped[str] = mapped_column(sa.String(254))
    subject: Mapped[str] = mapped_column(sa.String(300))
    text_body: Mapped[str] = mapped_column(sa.Text)
    html_body: Mapped[str | None] = mapped_column(sa.Text)
    purpose: Mapped[str] = mapped_column(sa.String(40))  # confirmation, promotion, …
    # Messages queued together (an organiser's mailing): progress is counted per batch.
    batch: Mapped[str | None] = mapped_column(sa.String(64), index=True)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    send_after: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    sent_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    # A sender claims a message before sending it, so two senders never send it twice.
    claimed_until: Mapped[datetime | None] = mapped_column(UTCDateTime)
    attempts: Mapped[int] = mapped_column(default=0)
    last_error: Mapped[str | None] = mapped_column(sa.String(500))
