"""The badge token: the signed string a badge's QR code carries, and its check.

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
import functools
import hashlib
import hmac
import re
from collections.abc import Mapping
from dataclasses import dataclass
from enum import StrEnum
from typing import Any

from flask import current_app
from sqlalchemy.orm import Session as DbSession

from school.models import Edition, Registration

DEFAULT_KEY_ID = "K1"
MAC_BYTES = 15  # 120 bits: 24 base32 characters, no padding

_KEY_ID = re.compile(r"[0-9A-Z]{1,4}")
_TOKEN = re.compile(
    r"(?P<key_id>[0-9A-Z]{1,4}):(?P<edition>[1-9A-Z][0-9A-Z]{0,5}):"
    r"(?P<registration>[1-9A-Z][0-9A-Z]{0,7}):(?P<mac>[A-Z2-7]{24})"
)


def printed(token: str) -> str:
    """The token as printed under its QR code (badge, full-screen badge): the signature in
    groups of four, easier to read out and type; the scanner ignores the spaces."""
    head, _, mac = token.rpartition(":")
    return f"{head}:" + " ".join(mac[i : i + 4] for i in range(0, len(mac), 4))


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
        """The app's ring, derived once for the configuration it has (every scan reads
        a token, and deriving the keys cost more than checking its signature)."""
        config = current_app.config
        listed = config.get("BADGE_KEYS")
        own_secrets = isinstance(listed, Mapping)
        frozen = tuple(listed.items()) if own_secrets else tuple(listed or ())
        return _ring_of(config["SECRET_KEY"], config.get("BADGE_KEY_ID"), frozen, own_secrets)


@functools.lru_cache(maxsize=8)
def _ring_of(secret: str | bytes, key_id: str | None, listed: tuple, own_secrets: bool) -> KeyRing:
    keys = dict(listed) if own_secrets else list(listed)
    return KeyRing.from_config({"SECRET_KEY": secret, "BADGE_KEY_ID": key_id, "BADGE_KEYS": keys})


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


# What token_for signs, kept: the roster signs every badge of the edition each time it is
# built (10,000 signatures were a quarter of its time). Only tokens we issue go in, never
# what a scanner sends (read_token signs afresh), so nobody outside fills it.
_issued_mac = functools.lru_cache(maxsize=50_000)(_mac)


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
    return f"{payload}:{_issued_mac(ring.keys[ring.current], payload)}"


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
) -> BadgeCheck:
    """What a scanned token is worth at ``edition``. The registration is given whenever
    the token is genuine and it exists, also for another edition or when cancelled."""
    claim = read_token(token, keyring)
    if claim is None:
        return BadgeCheck(BadgeStatus.INVALID)
    registration = claimed(claim, db.get(Registration, claim.registration_id))
    edition_id = edition if isinstance(edition, int) else edition.id
    return BadgeCheck(status_of(claim, registration, edition_id), registration, claim)


def claimed(claim: BadgeClaim, found: Any) -> Any:
    """``found`` if it is the registration the badge was made for, else None: a database
    started afresh may give its id to someone of another edition."""
    return found if found is not None and found.edition_id == claim.edition_id else None


def status_of(claim: BadgeClaim, found: Any, edition_id: int) -> BadgeStatus:
    """What a genuine token is worth at the edition ``edition_id``, ``found`` being what
    the database holds under its registration id (a ``Registration``, or anything with
    its ``edition_id`` and ``is_cancelled``), or None."""
    found = claimed(claim, found)
    if claim.edition_id != edition_id:
        return BadgeStatus.WRONG_EDITION
    if found is None:
        return BadgeStatus.UNKNOWN
    if found.is_cancelled:
        return BadgeStatus.CANCELLED
    return BadgeStatus.VALID
