from __future__ import annotations

from datetime import datetime
from typing import TYPE_CHECKING

import sqlalchemy as sa
from sqlalchemy.orm import Mapped, mapped_column, relationship

from school.database import Base, UTCDateTime, utcnow
from school.models.vocabulary import OrganiserRole, check_in

if TYPE_CHECKING:
    from school.models.edition import Edition


class Organiser(Base):
    """A staff account: ``admin`` runs everything, ``checkin`` only scans."""

    __tablename__ = "organisers"
    __table_args__ = (sa.CheckConstraint(check_in("role", OrganiserRole), name="role"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    email: Mapped[str] = mapped_column(sa.String(254), unique=True)
    name: Mapped[str | None] = mapped_column(sa.String(200))
    password_hash: Mapped[str | None] = mapped_column(sa.String(300))
    role: Mapped[str] = mapped_column(sa.String(20))
    is_active: Mapped[bool] = mapped_column(default=True)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    last_login_at: Mapped[datetime | None] = mapped_column(UTCDateTime)

    tokens: Mapped[list[ApiToken]] = relationship(
        back_populates="organiser", cascade="all, delete-orphan"
    )
    logins: Mapped[list[LoginSession]] = relationship(
        back_populates="organiser", cascade="all, delete-orphan", passive_deletes=True
    )

    # The key of the login session this object was loaded for (not a column): a request's
    # organiser carries the one its cookie named.
    login_key = None

    @property
    def is_admin(self) -> bool:
        return self.role == OrganiserRole.ADMIN

    # Flask-Login's user protocol.
    @property
    def is_authenticated(self) -> bool:
        return True

    @property
    def is_anonymous(self) -> bool:
        return False

    def get_id(self) -> str:
        # What Flask-Login keeps in the session cookie (and in a remember-me cookie): the
        # account and its login session, so that ending the login session on the server
        # ends every cookie that names it.
        return f"{self.id}:{self.login_key or ''}"


class LoginSession(Base):
    """One sign-in of an organiser in one browser, alive until it is ended (log out, a
    new password, "sign out everywhere") or has been idle, or open, too long. Only the
    SHA-256 of its key is stored; the key travels in the signed session cookie."""

    __tablename__ = "login_sessions"

    id: Mapped[int] = mapped_column(primary_key=True)
    organiser_id: Mapped[int] = mapped_column(
        sa.ForeignKey("organisers.id", ondelete="CASCADE"), index=True
    )
    key_hash: Mapped[str] = mapped_column(sa.String(64), unique=True)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    last_seen_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    ended_at: Mapped[datetime | None] = mapped_column(UTCDateTime)

    organiser: Mapped[Organiser] = relationship(back_populates="logins")


class ApiToken(Base):
    """A bearer token for the API; only its SHA-256 is stored. It may be limited to one
    edition's routes (``edition_id``) and to a time (``expires_at``)."""

    __tablename__ = "api_tokens"

    id: Mapped[int] = mapped_column(primary_key=True)
    organiser_id: Mapped[int] = mapped_column(
        sa.ForeignKey("organisers.id", ondelete="CASCADE"), index=True
    )
    token_hash: Mapped[str] = mapped_column(sa.String(64), unique=True)
    label: Mapped[str | None] = mapped_column(sa.String(120))
    edition_id: Mapped[int | None] = mapped_column(
        sa.ForeignKey("editions.id", ondelete="CASCADE"), index=True
    )
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    expires_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    last_used_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    revoked_at: Mapped[datetime | None] = mapped_column(UTCDateTime)

    organiser: Mapped[Organiser] = relationship(back_populates="tokens")
    edition: Mapped[Edition | None] = relationship()

    def has_expired(self, now: datetime) -> bool:
        return self.expires_at is not None and self.expires_at <= now
