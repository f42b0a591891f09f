"""Badges: the signed token a QR code carries, the QR code itself, and which badges to print.

The badge token names a registration and its edition, and nothing about the person:

    K1:1:2S:4MZQ7Y3KJ2B6TQXD5W6HVN3A
    │  │ │  └ HMAC-SHA256 of the rest, first 120 bits, base32 (24 characters)
    │  │ └ registration id, base 36
    │  └ edition id, base 36
    └ key id: which badge key signed it (rotation, see ``KeyRing``)

Every character is in the QR alphanumeric set (0-9 A-Z and ``:``), so the code stays
small: version 2 at error-correction level M for any realistic ids (version 3 at worst).
The token is derived, never stored: the same registration always gets the same badge
under the current key. Cancelling the registration revokes the badge in effect, because
``verify`` reads the registration's status from the database.
"""

from __future__ import annotations

import base64
import hashlib
import hmac
import re
import unicodedata
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from datetime import date
from enum import StrEnum
from typing import Any

import qrcode
import sqlalchemy as sa
from flask import current_app
from markupsafe import Markup
from qrcode.constants import ERROR_CORRECT_M
from sqlalchemy.orm import Session as DbSession

from school.models import Edition, Registration, RegistrationDay
from school.models.vocabulary import Category, RegistrationStatus
from school.services.errors import DomainError
from school.urls import absolute_url

DEFAULT_KEY_ID = "K1"
MAC_BYTES = 15  # 120 bits: 24 base32 characters, no padding
QUIET_ZONE = 4  # modules of white around the code, as the QR standard asks

_KEY_ID = re.compile(r"[0-9A-Z]{1,4}")
_TOKEN = re.compile(
    r"(?P<key_id>[0-9A-Z]{1,4}):(?P<edition>[1-9A-Z][0-9A-Z]{0,5}):"
    r"(?P<registration>[1-9A-Z][0-9A-Z]{0,7}):(?P<mac>[A-Z2-7]{24})"
)


# -- keys ------------------------------------------------------------------------------


@dataclass(frozen=True)
class KeyRing:
    """The badge keys: ``current`` signs new badges, every key in ``keys`` is accepted.

    Configuration: ``BADGE_KEY_ID`` (default ``K1``) is the current key id;
    ``BADGE_KEYS`` lists the accepted ones (default: only the current one), either as
    key ids whose key is derived from ``SECRET_KEY``, or as a mapping of key id to a
    secret of its own. To rotate: add ``K2``, make it current; badges signed with
    ``K1`` keep working until ``K1`` is taken out of ``BADGE_KEYS``.
    """

    current: str
    keys: Mapping[str, bytes]

    @classmethod
    def from_config(cls, config: Mapping[str, Any]) -> KeyRing:
        secret = config["SECRET_KEY"]
        current = _key_id(config.get("BADGE_KEY_ID") or DEFAULT_KEY_ID)
        listed = config.get("BADGE_KEYS") or [current]
        pairs = listed.items() if isinstance(listed, Mapping) else ((k, None) for k in listed)
        keys = {_key_id(key_id): _derive(own or secret, key_id) for key_id, own in pairs}
        keys.setdefault(current, _derive(secret, current))
        return cls(current, keys)

    @classmethod
    def of_app(cls) -> KeyRing:
        return cls.from_config(current_app.config)


def _key_id(value: Any) -> str:
    key_id = str(value)
    if not _KEY_ID.fullmatch(key_id):
        raise ValueError(f"badge key id {key_id!r}: 1 to 4 characters among 0-9 and A-Z")
    return key_id


def _derive(secret: str | bytes, key_id: str) -> bytes:
    """A key per key id, so no badge key is the application's secret itself."""
    raw = secret.encode() if isinstance(secret, str) else secret
    return hmac.new(raw, b"school/badge-key/" + key_id.encode(), hashlib.sha256).digest()


def _mac(key: bytes, payload: str) -> str:
    digest = hmac.new(key, b"badge|" + payload.encode(), hashlib.sha256).digest()
    return base64.b32encode(digest[:MAC_BYTES]).decode()


def _b36(number: int) -> str:
    digits = "0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZ"
    if number <= 0:
        raise ValueError("ids are positive")
    out = ""
    while number:
        number, rest = divmod(number, 36)
        out = digits[rest] + out
    return out


# -- tokens ----------------------------------------------------------------------------


def token_for(registration: Registration, keyring: KeyRing | None = None) -> str:
    """The badge token of a registration, signed with the current key."""
    ring = keyring or KeyRing.of_app()
    payload = f"{ring.current}:{_b36(registration.edition_id)}:{_b36(registration.id)}"
    return f"{payload}:{_mac(ring.keys[ring.current], payload)}"


@dataclass(frozen=True)
class BadgeClaim:
    """What a genuine token says, before the database is asked."""

    key_id: str
    edition_id: int
    registration_id: int


def read_token(token: str, keyring: KeyRing | None = None) -> BadgeClaim | None:
    """The claim of a token whose signature is right under an accepted key, else None.

    Strict: no case folding or other repair, so an altered token never passes.
    """
    match = _TOKEN.fullmatch(token.strip()) if isinstance(token, str) else None
    if match is None:
        return None
    ring = keyring or KeyRing.of_app()
    key = ring.keys.get(match["key_id"])
    if key is None:  # unknown or retired key
        return None
    payload = token.strip().rpartition(":")[0]
    if not hmac.compare_digest(_mac(key, payload), match["mac"]):
        return None
    return BadgeClaim(match["key_id"], int(match["edition"], 36), int(match["registration"], 36))


class BadgeStatus(StrEnum):
    VALID = "valid"
    INVALID = "invalid"  # malformed, altered, forged, or signed with a key not accepted
    WRONG_EDITION = "wrong_edition"  # genuine, for another edition
    CANCELLED = "cancelled"  # genuine, but the registration was cancelled
    UNKNOWN = "unknown"  # genuine, but no such registration any more


@dataclass(frozen=True)
class BadgeCheck:
    status: BadgeStatus
    registration: Registration | None = None
    claim: BadgeClaim | None = None

    @property
    def is_valid(self) -> bool:
        return self.status == BadgeStatus.VALID


def verify(
    db: DbSession,
    token: str,
    edition: Edition | int,
    *,
    keyring: KeyRing | None = None,
    read: Registration | None = None,
) -> BadgeCheck:
    """What a scanned token is worth at ``edition``. The registration is given whenever
    the token is genuine and it exists, also for another edition or when cancelled.
    ``read``: the registration the caller has just read for this token (under a lock)."""
    claim = read_token(token, keyring)
    if claim is None:
        return BadgeCheck(BadgeStatus.INVALID)
    if read is not None and read.id == claim.registration_id:
        registration = read
    else:
        registration = db.get(Registration, claim.registration_id)
    if registration is not None and registration.edition_id != claim.edition_id:
        registration = None  # not the one the badge was made for (a database started afresh)
    edition_id = edition if isinstance(edition, int) else edition.id
    if claim.edition_id != edition_id:
        return BadgeCheck(BadgeStatus.WRONG_EDITION, registration, claim)
    if registration is None:
        return BadgeCheck(BadgeStatus.UNKNOWN, None, claim)
    if registration.is_cancelled:
        return BadgeCheck(BadgeStatus.CANCELLED, registration, claim)
    return BadgeCheck(BadgeStatus.VALID, registration, claim)


# -- QR code ---------------------------------------------------------------------------


@dataclass(frozen=True)
class QrCode:
    version: int
    modules: list[list[bool]]  # rows of dark (True) and light modules, quiet zone included

    @property
    def size(self) -> int:
        return len(self.modules)

    def runs(self) -> Iterable[tuple[int, int, int]]:
        """Horizontal runs of dark modules as (x, y, length): few shapes to draw."""
        for y, row in enumerate(self.modules):
            x = 0
            while x < len(row):
                if row[x]:
                    start = x
                    while x < len(row) and row[x]:
                        x += 1
                    yield start, y, x - start
                else:
                    x += 1


def qr_code(text: str) -> QrCode:
    """The QR code of ``text`` at error-correction level M, smallest version that fits."""
    qr = qrcode.QRCode(error_correction=ERROR_CORRECT_M, border=QUIET_ZONE)
    qr.add_data(text)
    qr.make(fit=True)
    return QrCode(qr.version, qr.get_matrix())


def qr_svg(text: str, *, width: str | None = None, label: str | None = None) -> Markup:
    """The QR code as one SVG path on white: vector, sharp at any size, no style attribute
    (the Content-Security-Policy allows none), fit to inline in a page or serve alone."""
    code = qr_code(text)
    path = "".join(f"M{x} {y}h{length}v1h-{length}z" for x, y, length in code.runs())
    svg = Markup(
        '<svg xmlns="http://www.w3.org/2000/svg" viewBox="0 0 {n} {n}"{size} role="img"'
        ' shape-rendering="crispEdges" class="qr">{title}<rect width="{n}" height="{n}"'
        ' fill="#fff"/><path fill="#000" d="{path}"/></svg>'
    )
    return svg.format(
        n=code.size,
        size=Markup(' width="{0}" height="{0}"').format(width) if width else "",
        title=Markup("<title>{}</title>").format(label) if label else "",
        path=path,
    )


# -- the participant's badge and the organisers' batches -----------------------------


def badge_url(registration: Registration) -> str:
    """The absolute address of the participant's badge (PDF), for e-mails."""
    return absolute_url("participant.badge_pdf", token=registration.manage_token)


def has_badge(registration: Registration) -> bool:
    return registration.status == RegistrationStatus.CONFIRMED


def pdf_for(
    registrations: Iterable[Registration],
    *,
    size: str | None = None,
    sheet: bool = False,
    keyring: KeyRing | None = None,
) -> bytes:
    """The badges of ``registrations`` as one PDF, in the order given: one badge a page
    (the participant's download), or A4 sheets with cut marks (``sheet=True``)."""
    from school.services import badge_pdf

    ring = keyring or KeyRing.of_app()
    items = [(r, token_for(r, ring)) for r in registrations]
    return badge_pdf.render(items, size=size, sheet=sheet)


def registrations_to_print(
    db: DbSession,
    edition: Edition,
    *,
    categories: Iterable[str] = (),
    day: date | None = None,
) -> list[Registration]:
    """The confirmed registrations of ``edition`` whose badge is to be printed, sorted by
    last name: of these categories (all if none), attending ``day`` (any if None)."""
    wanted = list(categories)
    unknown = [c for c in wanted if c not in {member.value for member in Category}]
    if unknown:
        known = ", ".join(c.value for c in Category)
        raise DomainError(f"unknown category {unknown[0]!r} (one of {known})", code="category")
    if day is not None and day not in edition.dates:
        raise DomainError(f"{day.isoformat()} is not a day of {edition.slug}", code="day")
    query = sa.select(Registration).where(
        Registration.edition_id == edition.id,
        Registration.status == RegistrationStatus.CONFIRMED,
    )
    if wanted:
        query = query.where(Registration.category.in_(wanted))
    if day is not None:
        query = query.where(
            sa.exists().where(
                RegistrationDay.registration_id == Registration.id, RegistrationDay.date == day
            )
        )
    return sorted(db.scalars(query), key=print_order)


# Letters that Unicode does not decompose into a base letter and an accent.
_BASE_LETTERS = str.maketrans({"ł": "l", "ø": "o", "đ": "d", "æ": "ae", "œ": "oe", "ı": "i"})


def print_order(registration: Registration) -> tuple[str, str, int]:
    """By last name then first name, as a person would file them: accents and case
    do not count (Łukasiewicz among the L, Ñúñez among the N)."""
    last, first = registration.last_name, registration.first_name
    return (_collation(last), _collation(first), registration.id)


def _collation(text: str) -> str:
    decomposed = unicodedata.normalize("NFKD", text.casefold())
    bare = "".join(c for c in decomposed if not unicodedata.combining(c))
    return bare.translate(_BASE_LETTERS)
