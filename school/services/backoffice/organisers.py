"""Organiser accounts (admin / checkin), their passwords and their API tokens."""

from __future__ import annotations

import hashlib
import secrets
from dataclasses import dataclass
from datetime import datetime, timedelta
from functools import cache

import sqlalchemy as sa
from flask_babel import gettext as _
from sqlalchemy.orm import Session as DbSession
from sqlalchemy.orm import joinedload
from werkzeug.security import check_password_hash, generate_password_hash

from school import keeping, watched_tables
from school.models import ApiToken, Edition, Organiser
from school.models.vocabulary import OrganiserRole
from school.services import audit
from school.services.backoffice import logins
from school.services.email_addresses import email_key, normalized_email
from school.services.errors import DomainError, NotFound

MIN_PASSWORD = 12
# zxcvbn's score, 0 to 4: 3 is "safely unguessable" (about 10^8 guesses and more), which
# a scrypt hash and the login limits put out of an online attacker's reach.
MIN_PASSWORD_SCORE = 3
# zxcvbn reads at most this much (its own limit; the rest only makes a password longer).
_SCORED_LENGTH = 72
# Words of this site that a password must not lean on (zxcvbn's "user inputs"), besides
# the account's own address and name.
_SITE_WORDS = (
    "cite", "cites", "citedesmetiers", "metiers", "métiers", "school", "spring", "autumn",
    "springschool", "autumnschool", "universite", "printemps", "automne", "organiser",
    "organisateur", "admin", "checkin", "motdepasse",
)  # fmt: skip
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
    if password is not None:
        check_password(password, email=email, name=name)
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


def check_password(password: str, *, email: str = "", name: str | None = None) -> None:
    """Refuse a password that is short, or common, or made of a name, a date, a keyboard
    walk or the account's own address (zxcvbn, which knows the lists breached passwords
    come from). The one rule for the command line and the back office."""
    if len(password) < MIN_PASSWORD:
        raise DomainError(
            _("The password needs at least %(num)d characters.", num=MIN_PASSWORD),
            code="password",
            field="password",
        )
    from zxcvbn import zxcvbn  # loads its word lists: only when a password is set

    local = email.partition("@")[0]
    hints = [*_SITE_WORDS, email, local, *(name or "").split()]
    score = zxcvbn(password[:_SCORED_LENGTH], user_inputs=[h for h in hints if h])["score"]
    if score < MIN_PASSWORD_SCORE:
        raise DomainError(
            _(
                "This password is too easy to guess: it is common, or made of a word, a"
                " name, a date, a keyboard sequence or your address. Choose a few"
                " unrelated words, or let a password manager make one."
            ),
            code="password",
            field="password",
        )


def set_password(
    db: DbSession, organiser: Organiser, password: str, *, now: datetime, actor: audit.Actor = "cli"
) -> int:
    """A new password; it ends every login session of the account (a stolen cookie goes
    with the old password). How many were ended."""
    check_password(password, email=organiser.email, name=organiser.name)
    organiser.password_hash = generate_password_hash(password, method="scrypt")
    ended = logins.end_all(db, organiser, now=now)
    audit.record(db, actor, "organiser.password_changed", f"organiser:{organiser.id}", now=now)
    return ended


def change_own_password(
    db: DbSession, organiser: Organiser, current: str, new: str, *, now: datetime
) -> int:
    """An organiser changing their own password, which they prove they know."""
    if not organiser.password_hash or not check_password_hash(organiser.password_hash, current):
        raise DomainError(
            _("This is not your current password."), code="wrong_password", field="current"
        )
    return set_password(db, organiser, new, now=now, actor=organiser)


def sign_out_everywhere(
    db: DbSession, organiser: Organiser, *, now: datetime, actor: audit.Actor = "cli"
) -> int:
    """End every login session of ``organiser``, on every device."""
    ended = logins.end_all(db, organiser, now=now)
    audit.record(
        db,
        actor,
        "organiser.signed_out",
        f"organiser:{organiser.id}",
        {"sessions": ended},
        now=now,
    )
    return ended


def list_organisers(db: DbSession) -> list[Organiser]:
    return list(db.scalars(sa.select(Organiser).order_by(Organiser.role, Organiser.email)))


def get_organiser(db: DbSession, organiser_id: int) -> Organiser:
    organiser = db.get(Organiser, organiser_id)
    if organiser is None:
        raise NotFound(f"no organiser {organiser_id}")
    return organiser


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


def create_api_token(
    db: DbSession,
    organiser: Organiser,
    label: str | None = None,
    *,
    edition: Edition | None = None,
    expires_at: datetime | None = None,
) -> str:
    """A new bearer token, for ``edition``'s routes only if given, until ``expires_at`` if
    given; only its hash is kept, so it is shown once."""
    token = "sch_" + secrets.token_urlsafe(32)
    db.add(
        ApiToken(
            organiser_id=organiser.id,
            token_hash=_digest(token),
            label=label,
            edition_id=edition.id if edition else None,
            expires_at=expires_at,
        )
    )
    db.flush()
    return token


@dataclass(frozen=True)
class TokenGrant:
    """What an unrevoked bearer token of an active account grants, as read from the
    database. Each process keeps it while the tables it comes from do not change
    (school/data_versions.py), so a revocation or a deactivated account is refused by the
    next request, whichever process answers it."""

    id: int
    organiser: Organiser  # a detached copy: keeping.attach gives a request its own
    role: str
    expires_at: datetime | None
    edition_slug: str | None  # the one edition it acts on, if scoped
    last_used_at: datetime | None

    def has_expired(self, now: datetime) -> bool:
        return self.expires_at is not None and self.expires_at <= now


TOKEN_TABLES = watched_tables.watched("api_tokens", "organisers", "editions")


def find_api_token(db: DbSession, token: str) -> TokenGrant | None:
    """What the bearer string grants, or None (unknown, revoked, inactive account).
    Its expiry and edition are the caller's to check against the request
    (``token_admits``), which answers each refusal differently."""
    if not token or len(token) > 200:
        return None
    digest = _digest(token)

    def load() -> TokenGrant | None:
        api_token = db.scalar(
            sa.select(ApiToken)
            .where(ApiToken.token_hash == digest, ApiToken.revoked_at.is_(None))
            .options(joinedload(ApiToken.organiser), joinedload(ApiToken.edition))
        )
        if api_token is None or not api_token.organiser.is_active:
            return None
        return TokenGrant(
            api_token.id,
            keeping.snapshot(api_token.organiser),
            api_token.organiser.role,
            api_token.expires_at,
            api_token.edition.slug if api_token.edition else None,
            api_token.last_used_at,
        )

    return keeping.keep(db, "token", TOKEN_TABLES, digest, load)


def organiser_for_token(db: DbSession, token: str) -> Organiser | None:
    grant = find_api_token(db, token)
    return keeping.attach(db, grant.organiser) if grant else None


def token_admits(grant: TokenGrant, edition_slug: str | None) -> bool:
    """Whether a token may act on this edition's routes (``None``: a route of no edition):
    a token scoped to an edition acts on that edition only."""
    return grant.edition_slug is None or grant.edition_slug == edition_slug


def use_is_due(grant: TokenGrant, now: datetime) -> bool:
    """Whether this use of the token is worth recording (once a minute at most): most
    scans then cost no write at all."""
    return grant.last_used_at is None or grant.last_used_at < now - ONE_MINUTE


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
