from __future__ import annotations

from datetime import datetime
from typing import TYPE_CHECKING, Any

import sqlalchemy as sa
from sqlalchemy.orm import Mapped, mapped_column, relationship

from school.database import Base, UTCDateTime, utcnow
from school.models.people import new_private_token

if TYPE_CHECKING:
    from school.models.edition import Edition
    from school.models.registration import Registration


class Survey(Base):
    """An edition's satisfaction questionnaire: which of the standard questions it asks."""

    __tablename__ = "surveys"

    id: Mapped[int] = mapped_column(primary_key=True)
    edition_id: Mapped[int] = mapped_column(
        sa.ForeignKey("editions.id", ondelete="CASCADE"), unique=True
    )
    # Keys of services.aftercare.survey.QUESTIONS, in the order asked.
    questions: Mapped[list[str]] = mapped_column(sa.JSON)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)

    edition: Mapped[Edition] = relationship()


class SurveyInvitation(Base):
    """A person checked in, invited once to answer, through a private link."""

    __tablename__ = "survey_invitations"
    __table_args__ = (sa.UniqueConstraint("survey_id", "registration_id"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    survey_id: Mapped[int] = mapped_column(sa.ForeignKey("surveys.id", ondelete="CASCADE"))
    registration_id: Mapped[int | None] = mapped_column(
        sa.ForeignKey("registrations.id", ondelete="CASCADE"), index=True
    )
    token: Mapped[str] = mapped_column(sa.String(64), unique=True, default=new_private_token)
    invited_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    reminded_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    reminders: Mapped[int] = mapped_column(default=0)

    survey: Mapped[Survey] = relationship()
    registration: Mapped[Registration | None] = relationship()


class SurveyResponse(Base):
    """One person's answers, saved as they go and submitted once. The privacy purge
    empties ``invitation_id``: the answers stay, no longer tied to anyone."""

    __tablename__ = "survey_responses"

    id: Mapped[int] = mapped_column(primary_key=True)
    survey_id: Mapped[int] = mapped_column(
        sa.ForeignKey("surveys.id", ondelete="CASCADE"), index=True
    )
    invitation_id: Mapped[int | None] = mapped_column(
        sa.ForeignKey("survey_invitations.id", ondelete="SET NULL"), unique=True
    )
    language: Mapped[str] = mapped_column(sa.String(2), default="fr")
    # {"overall": 4, "useful": "…", "again": "yes", "sessions": {"17": {"rating": 5,
    # "comment": "…"}}}: see services.aftercare.survey.
    answers: Mapped[dict[str, Any]] = mapped_column(sa.JSON, default=dict)
    started_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    updated_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    submitted_at: Mapped[datetime | None] = mapped_column(UTCDateTime)

    invitation: Mapped[SurveyInvitation | None] = relationship()
