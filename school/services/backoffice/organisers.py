"""Organiser accounts (admin / checkin) and their API tokens."""

from __future__ import annotations

import hashlib
import secrets
from datetime import datetime, timedelta
from functools import cache

import sqlalchemy as sa
from sqlalchemy.orm import Session as DbSession
from sqlalchemy.orm import joinedload
from werkzeug.security import check_password_hash, generate_password_hash

from school.models import ApiToken, Organiser
from school.models.vocabulary import OrganiserRole
from school.services.email_addresses import email_key, normalized_email
from school.services.errors import DomainError

MIN_PASSWORD = 10
ONE_MINUTE = timedelta(minutes=1)


@cache
def _dummy_hash() -> str:
    # Checked against when the address is unknown, so both answers take as long. Made on
    # first use: scrypt costs a tenth of a second that no process should pay to start.
    return generate_password_hash("not a real password", method="scrypt")


def create_organiser(
    db: DbSession, email: str, role: str, password: str | None, name: str | None = None
) -> Organiser:
    email = email_key(email)
    if role not in {r.value for r in OrganiserRole}:
        raise DomainError(f"unknown role {role!r} (admin or checkin)", code="role")
    if normalized_email(email) is None:
        raise DomainError(f"not an e-mail address: {email!r}", code="email")
    if password is not None and len(password) < MIN_PASSWORD:
        raise DomainError(f"the password needs at least {MIN_PASSWORD} characters", code="password")
    if db.scalar(sa.select(Organiser.id).where(Organiser.email == email)):
        raise DomainError(f"{email} already has an account", code="exists")
    organiser = Organiser(
        email=email,
        name=name,
        role=role,
        password_hash=generate_password_hash(password, method="scrypt") if password else None,
    )
    db.add(organiser)
    db.flush()
    return organiser


def set_password(organiser: Organiser, password: str) -> None:
    if len(password) < MIN_PASSWORD:
        raise DomainError(f"the password needs at least {MIN_PASSWORD} characters", code="password")
    organiser.password_hash = generate_password_hash(password, method="scrypt")


def authenticate(db: DbSession, email: str, password: str, *, now: datetime) -> Organiser | None:
    organiser = db.scalar(sa.select(Organiser).where(Organiser.email == email_key(email)))
    hashed = organiser.password_hash if organiser and organiser.password_hash else _dummy_hash()
    valid = check_password_hash(hashed, password)
    if organiser is None or not organiser.is_active or not organiser.password_hash or not valid:
        return None
    organiser.last_login_at = now
    return organiser


def _digest(token: str) -> str:
    return hashlib.sha256(token.encode()).hexdigest()


def create_api_token(db: DbSession, organiser: Organiser, label: str | None = None) -> str:
    """A new bearer token; only its hash is kept, so it is shown once."""
    token = "sch_" + secrets.token_urlsafe(32)
    db.add(ApiToken(organiser_id=organiser.id, token_hash=_digest(token), label=label))
    db.flush()
    return token


def find_api_token(db: DbSession, token: str) -> ApiToken | None:
    """The live token behind a bearer string (reads only)."""
    if not token or len(token) > 200:
        return None
    api_token = db.scalar(
        sa.select(ApiToken)
        .where(ApiToken.token_hash == _digest(token), ApiToken.revoked_at.is_(None))
        .options(joinedload(ApiToken.organiser))
    )
    if api_token is None or not api_token.organiser.is_active:
        return None
    return api_token


def organiser_for_token(db: DbSession, token: str) -> Organiser | None:
    api_token = find_api_token(db, token)
    return api_token.organiser if api_token else None


def use_is_due(api_token: ApiToken, now: datetime) -> bool:
    """Whether this use of the token is worth recording (once a minute at most): most
    scans then cost no write at all."""
    return api_token.last_used_at is None or api_token.last_used_at < now - ONE_MINUTE


def mark_used(db: DbSession, api_token_id: int, *, now: datetime) -> None:
    """Remember when a token was last used, at most once a minute (scanners send many
    requests); a separate small write, after the request's own work."""
    db.execute(
        sa.update(ApiToken)
        .where(
            ApiToken.id == api_token_id,
            sa.or_(ApiToken.last_used_at.is_(None), ApiToken.last_used_at < now - ONE_MINUTE),
        )
        .values(last_used_at=now)
    )


def revoke_tokens(db: DbSession, email: str, *, now: datetime) -> int:
    organiser = db.scalar(sa.select(Organiser).where(Organiser.email == email_key(email)))
    if organiser is None:
        raise DomainError(f"no organiser {email}", code="unknown")
    tokens = [t for t in organiser.tokens if t.revoked_at is None]
    for token in tokens:
        token.revoked_at = now
    return len(tokens)


def get_by_email(db: DbSession, email: str) -> Organiser:
    organiser = db.scalar(sa.select(Organiser).where(Organiser.email == email_key(email)))
    if organiser is None:
        raise DomainError(f"no organiser {email}", code="unknown")
    return organiser
