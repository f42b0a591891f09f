from __future__ import annotations

from datetime import datetime
from typing import TYPE_CHECKING

import sqlalchemy as sa
from sqlalchemy.orm import Mapped, mapped_column, relationship

from school.database import Base, UTCDateTime, utcnow
from school.models.people import new_private_token
from school.models.vocabulary import MailFailure, MailingAudience, check_in

if TYPE_CHECKING:
    from school.models.registration import Registration


class OutboxMessage(Base):
    """An e-mail waiting to be sent, or sent: nothing is lost when the mail server is down."""

    __tablename__ = "outbox"
    __table_args__ = (
        sa.Index(None, "sent_at", "send_after"),
        sa.CheckConstraint(
            f"failure IS NULL OR {check_in('failure', MailFailure)}", name="failure"
        ),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    to_address: Mapped[str] = mapped_column(sa.String(254))
    subject: Mapped[str] = mapped_column(sa.String(300))
    text_body: Mapped[str] = mapped_column(sa.Text)
    html_body: Mapped[str | None] = mapped_column(sa.Text)
    purpose: Mapped[str] = mapped_column(sa.String(40))  # confirmation, promotion, …
    # Written as the edition: its title as the sender's name (the address stays the
    # server's, which SPF and DKIM vouch for) and its contact address for replies.
    sender_name: Mapped[str | None] = mapped_column(sa.String(200))
    reply_to: Mapped[str | None] = mapped_column(sa.String(254))
    # A mailing people may leave: the link of RFC 8058's List-Unsubscribe header.
    unsubscribe_url: Mapped[str | None] = mapped_column(sa.String(500))
    # Messages queued together (an organiser's mailing): progress is counted per batch.
    batch: Mapped[str | None] = mapped_column(sa.String(64), index=True)
    # The participant it was written to, if any: their data download lists it, the
    # privacy purge blanks it.
    registration_id: Mapped[int | None] = mapped_column(
        sa.ForeignKey("registrations.id", ondelete="SET NULL"), index=True
    )
    # The edition it was written about: the privacy purge blanks every message of the
    # edition, those to speakers and the change notices included.
    edition_id: Mapped[int | None] = mapped_column(
        sa.ForeignKey("editions.id", ondelete="CASCADE"), index=True
    )
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    send_after: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    sent_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    # A sender claims a message before sending it, so two senders never send it twice.
    claimed_until: Mapped[datetime | None] = mapped_column(UTCDateTime)
    attempts: Mapped[int] = mapped_column(default=0)
    last_error: Mapped[str | None] = mapped_column(sa.String(500))
    # Given up for good (``failure`` says why, ``last_error`` what the server answered):
    # never sent again unless an organiser resends it.
    failed_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    failure: Mapped[str | None] = mapped_column(sa.String(20))
    # A message written once its transaction has committed (``mail.writing``): the
    # template it is written from, until it is; subject and bodies are empty until then.
    template: Mapped[str | None] = mapped_column(sa.String(60))

    registration: Mapped[Registration | None] = relationship()


class Mailing(Base):
    """An organisers' e-mail to a group of participants, queued as one outbox batch."""

    __tablename__ = "mailings"
    __table_args__ = (
        sa.CheckConstraint(check_in("audience", MailingAudience), name="audience"),
        sa.Index(None, "edition_id", "created_at"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    edition_id: Mapped[int] = mapped_column(sa.ForeignKey("editions.id", ondelete="CASCADE"))
    batch: Mapped[str] = mapped_column(sa.String(64), unique=True)
    audience: Mapped[str] = mapped_column(sa.String(20))
    category: Mapped[str | None] = mapped_column(sa.String(20))
    session_id: Mapped[int | None] = mapped_column(
        sa.ForeignKey("sessions.id", ondelete="SET NULL")
    )
    subject_fr: Mapped[str] = mapped_column(sa.String(300))
    subject_en: Mapped[str | None] = mapped_column(sa.String(300))
    body_fr: Mapped[str] = mapped_column(sa.Text)
    body_en: Mapped[str | None] = mapped_column(sa.Text)
    # Practical information about taking part: it goes to everyone of the audience,
    # without an unsubscribe link. Otherwise (news) those who unsubscribed are left out.
    is_essential: Mapped[bool] = mapped_column(default=False, server_default=sa.false())
    recipients: Mapped[int] = mapped_column(default=0)
    organiser_id: Mapped[int | None] = mapped_column(
        sa.ForeignKey("organisers.id", ondelete="SET NULL")
    )
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)


class MailingOptOut(Base):
    """An address's way out of an edition's non-essential mailings: the unguessable token
    of its unsubscribe link (made the first time such a mailing is written to it) and,
    once used, when. Confirmations, private links and change notices still go."""

    __tablename__ = "mailing_opt_outs"
    __table_args__ = (sa.UniqueConstraint("edition_id", "email_key"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    edition_id: Mapped[int] = mapped_column(sa.ForeignKey("editions.id", ondelete="CASCADE"))
    email_key: Mapped[str] = mapped_column(sa.String(254))
    token: Mapped[str] = mapped_column(sa.String(64), unique=True, default=new_private_token)
    opted_out_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
