"""Organisers' login sessions, kept on the server so that the server can end them.

A sign-in starts a login session; its random key travels in the signed session cookie
(and in a remember-me cookie, if one is ever made). Every request looks the key up: a
session that was ended (log out, a new password, "sign out everywhere", an account
switched off), that has been idle for too long, or that was opened too long ago opens
nothing, whichever copy of the cookie is shown.
"""

from __future__ import annotations

import hashlib
import secrets
from dataclasses import dataclass
from datetime import datetime, timedelta

import sqlalchemy as sa
from sqlalchemy.orm import Session as DbSession
from sqlalchemy.orm import joinedload

from school.models import LoginSession, Organiser

# How often a session's last activity is written: most requests then cost no write, and
# the idle limit is kept to within this.
SEEN_EVERY = timedelta(minutes=1)


@dataclass(frozen=True)
class Lifetimes:
    """How long a login session lives without a request (``idle``) and at most."""

    idle: timedelta
    absolute: timedelta


def _digest(key: str) -> str:
    return hashlib.sha256(key.encode()).hexdigest()


def start(db: DbSession, organiser: Organiser, *, now: datetime) -> str:
    """A new login session for ``organiser``; its key, for the cookie (only its hash is kept)."""
    key = secrets.token_urlsafe(32)
    db.add(
        LoginSession(
            organiser_id=organiser.id, key_hash=_digest(key), created_at=now, last_seen_at=now
        )
    )
    db.flush()
    return key


def resume(
    db: DbSession, organiser_id: int, key: str, *, now: datetime, lifetimes: Lifetimes
) -> LoginSession | None:
    """The live login session a cookie names, with its organiser; None if it was ended,
    idled or aged out, or if the account is switched off."""
    if not key or len(key) > 100:
        return None
    login = db.scalar(
        sa.select(LoginSession)
        .where(
            LoginSession.key_hash == _digest(key),
            LoginSession.organiser_id == organiser_id,
            LoginSession.ended_at.is_(None),
        )
        .options(joinedload(LoginSession.organiser))
    )
    if login is None or not login.organiser.is_active:
        return None
    if login.created_at <= now - lifetimes.absolute or login.last_seen_at <= now - lifetimes.idle:
        return None
    return login


def seen_is_due(login: LoginSession, now: datetime) -> bool:
    return login.last_seen_at < now - SEEN_EVERY


def mark_seen(db: DbSession, login_id: int, *, now: datetime) -> None:
    db.execute(
        sa.update(LoginSession)
        .where(LoginSession.id == login_id, LoginSession.last_seen_at < now - SEEN_EVERY)
        .values(last_seen_at=now)
    )


def end(db: DbSession, organiser_id: int, key: str, *, now: datetime) -> None:
    """End one login session (logging out)."""
    db.execute(
        sa.update(LoginSession)
        .where(
            LoginSession.key_hash == _digest(key),
            LoginSession.organiser_id == organiser_id,
            LoginSession.ended_at.is_(None),
        )
        .values(ended_at=now)
    )


def end_all(db: DbSession, organiser: Organiser, *, now: datetime) -> int:
    """End every login session of ``organiser`` (a new password, "sign out everywhere");
    how many were open."""
    result = db.execute(
        sa.update(LoginSession)
        .where(LoginSession.organiser_id == organiser.id, LoginSession.ended_at.is_(None))
        .values(ended_at=now)
    )
    return result.rowcount or 0


def open_counts(db: DbSession, *, now: datetime, lifetimes: Lifetimes) -> dict[int, int]:
    """How many live login sessions each organiser has (for the staff page)."""
    rows = db.execute(
        sa.select(LoginSession.organiser_id, sa.func.count())
        .where(
            LoginSession.ended_at.is_(None),
            LoginSession.created_at > now - lifetimes.absolute,
            LoginSession.last_seen_at > now - lifetimes.idle,
        )
        .group_by(LoginSession.organiser_id)
    )
    return {organiser_id: count for organiser_id, count in rows}
