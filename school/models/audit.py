from __future__ import annotations

from datetime import datetime
from typing import Any

import sqlalchemy as sa
from sqlalchemy.orm import Mapped, mapped_column

from school.database import Base, UTCDateTime, utcnow


class AuditEntry(Base):
    """Who changed what, when: organisers, speakers editing their details, the system."""

    __tablename__ = "audit_log"
    __table_args__ = (sa.Index(None, "edition_id", "created_at"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    edition_id: Mapped[int | None] = mapped_column(sa.ForeignKey("editions.id", ondelete="CASCADE"))
    # "organiser:3", "speaker:12", "participant:40", "system"
    actor: Mapped[str] = mapped_column(sa.String(80))
    action: Mapped[str] = mapped_column(sa.String(80))  # e.g. session.moved
    target: Mapped[str | None] = mapped_column(sa.String(80))  # e.g. session:17
    details: Mapped[dict[str, Any] | None] = mapped_column(sa.JSON)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
