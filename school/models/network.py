"""The network's exchange: the directory of Cités and the initiatives they submit to a call."""

from __future__ import annotations

from datetime import datetime
from typing import TYPE_CHECKING

import sqlalchemy as sa
from sqlalchemy.orm import Mapped, mapped_column, relationship

from school.database import Base, UTCDateTime, utcnow
from school.models.localized import Localized
from school.models.people import new_private_token
from school.models.vocabulary import CiteStatus, Decision, InitiativeKind, check_in

if TYPE_CHECKING:
    from school.models.edition import Edition


class Cite(Base):
    """An entry of the network's directory. The key never changes: registrations and
    initiatives name a Cité by it."""

    __tablename__ = "cites"
    __table_args__ = (sa.CheckConstraint(check_in("status", CiteStatus), name="status"),)

    key: Mapped[str] = mapped_column(sa.String(60), primary_key=True)
    name: Mapped[str] = mapped_column(sa.String(200))  # in the Cité's own language
    country: Mapped[str] = mapped_column(sa.String(2))  # ISO 3166 alpha-2
    city: Mapped[str] = mapped_column(sa.String(120))
    status: Mapped[str] = mapped_column(sa.String(20), default=CiteStatus.MEMBER.value)
    website: Mapped[str | None] = mapped_column(sa.String(300))
    updated_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)


class Initiative(Localized, Base):
    """A practice, tool, innovation or partnership submitted to an edition's call."""

    __tablename__ = "initiatives"
    __table_args__ = (
        sa.CheckConstraint(check_in("kind", InitiativeKind), name="kind"),
        sa.CheckConstraint(check_in("decision", Decision), name="decision"),
        sa.CheckConstraint("language IN ('fr', 'en')", name="language"),
        sa.Index(None, "edition_id", "decision"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    edition_id: Mapped[int] = mapped_column(sa.ForeignKey("editions.id", ondelete="CASCADE"))
    title_fr: Mapped[str | None] = mapped_column(sa.String(200))
    title_en: Mapped[str | None] = mapped_column(sa.String(200))
    summary_fr: Mapped[str | None] = mapped_column(sa.Text)
    summary_en: Mapped[str | None] = mapped_column(sa.Text)
    cite: Mapped[str | None] = mapped_column(sa.String(60))  # a directory key
    organisation: Mapped[str | None] = mapped_column(sa.String(200))  # when not a Cité
    country: Mapped[str] = mapped_column(sa.String(2))
    kind: Mapped[str] = mapped_column(sa.String(20))
    themes: Mapped[list[str]] = mapped_column(sa.JSON, default=list)
    contact_name: Mapped[str] = mapped_column(sa.String(200))
    contact_email: Mapped[str] = mapped_column(sa.String(254))
    language: Mapped[str] = mapped_column(sa.String(2), default="fr")
    consent_publish: Mapped[bool] = mapped_column(default=False)
    picture: Mapped[bytes | None] = mapped_column(sa.LargeBinary, deferred=True)
    picture_type: Mapped[str | None] = mapped_column(sa.String(40))  # image/jpeg or image/png
    decision: Mapped[str] = mapped_column(sa.String(20), default=Decision.SUBMITTED.value)
    decision_message: Mapped[str | None] = mapped_column(sa.Text)
    decided_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    edit_token: Mapped[str] = mapped_column(sa.String(64), unique=True, default=new_private_token)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    updated_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)

    edition: Mapped[Edition] = relationship()

    @property
    def is_accepted(self) -> bool:
        return self.decision == Decision.ACCEPTED

    @property
    def is_decided(self) -> bool:
        return self.decision in (Decision.ACCEPTED, Decision.DECLINED)
