"""Who may sit where: the categories the public may choose, and the edition's member
code that a members-only seat needs (unless an organiser confirmed the membership).

The form, the API, the participant's page and the CSV import all come through
``registrations``, which applies ``check_access``: the rule is here, once.
"""

from __future__ import annotations

import hmac
import re
from dataclasses import dataclass, field
from datetime import datetime

import sqlalchemy as sa
from flask_babel import gettext as _
from sqlalchemy.orm import Session as DbSession

from school import i18n
from school.models import Edition, Organiser, Person, Registration, Session
from school.models.edition import MEMBER_CODE_ALPHABET, new_member_code
from school.models.vocabulary import Audience, Category
from school.services import audit
from school.services.errors import DomainError
from school.services.registration.data import Errors, RegistrationData

# What anyone may declare; the others open doors and are given: ``speaker`` by a
# speaker's private link, ``staff`` and ``press`` by the organisers.
PUBLIC_CATEGORIES = (Category.MEMBER, Category.PARTNER, Category.GUEST)
MEMBER_CODE_MAX = 32


@dataclass
class Access:
    """What ``check_access`` found: problems by field, the same beside each session
    concerned (the form shows them there), and whether membership is proved."""

    errors: Errors = field(default_factory=dict)
    by_session: dict[int, list[str]] = field(default_factory=dict)
    member_verified: bool = False


def _is_organiser(actor: object) -> bool:
    return isinstance(actor, Organiser) and actor.is_admin


def normalized_code(value: str | None) -> str:
    """A code as typed, compared without case, spaces or dashes."""
    return re.sub(r"[\s\-–—_.]", "", (value or "")).upper()


def member_code_matches(edition: Edition, typed: str | None) -> bool:
    typed_code = normalized_code(typed)
    if not typed_code or len(typed_code) > MEMBER_CODE_MAX:
        return False
    return hmac.compare_digest(typed_code.encode(), normalized_code(edition.member_code).encode())


def speaker_of(db: DbSession, edition: Edition, token: str | None) -> Person | None:
    """The speaker of this edition behind a speaker link's token, if any."""
    if not token or len(token) > 64:
        return None
    return db.scalar(
        sa.select(Person).where(Person.speaker_token == token, Person.edition_id == edition.id)
    )


def apply_speaker_link(db: DbSession, edition: Edition, data: RegistrationData) -> None:
    """A speaker's link says who they are: category ``speaker``, whatever was chosen."""
    if data.speaker_token and speaker_of(db, edition, data.speaker_token) is not None:
        data.category = Category.SPEAKER.value


def allowed_categories(
    db: DbSession,
    edition: Edition,
    data: RegistrationData,
    *,
    actor: Organiser | None,
    current: Registration | None,
) -> set[str]:
    if _is_organiser(actor):
        return {c.value for c in Category}
    allowed = {c.value for c in PUBLIC_CATEGORIES}
    if current is not None:
        allowed.add(current.category)  # given by the organisers or a speaker's link: kept
    if speaker_of(db, edition, data.speaker_token) is not None:
        allowed.add(Category.SPEAKER.value)
    return allowed


def check_access(
    db: DbSession,
    edition: Edition,
    data: RegistrationData,
    sessions: dict[int, Session],
    *,
    actor: Organiser | None,
    current: Registration | None = None,
) -> Access:
    """The category may be chosen by whoever acts; a new members-only seat needs the
    membership proved: the member code now or before, or an organiser acting."""
    access = Access()

    def add(name: str, message: str) -> None:
        access.errors.setdefault(name, []).append(message)

    known = {c.value for c in Category}
    if data.category in known and data.category not in allowed_categories(
        db, edition, data, actor=actor, current=current
    ):
        add(
            "category",
            _("Please choose network member, partner or guest: the organisers set the others."),
        )
    code_given = bool(normalized_code(data.member_code))
    code_right = code_given and member_code_matches(edition, data.member_code)
    if code_given and not code_right:
        add("member_code", _("This member code is not right. Check it with your Cité."))
    if data.member_code and len(data.member_code) > MEMBER_CODE_MAX:
        data.member_code = data.member_code[:MEMBER_CODE_MAX]
    verified = (
        code_right
        or _is_organiser(actor)
        or (current is not None and current.member_verified and current.category == data.category)
    )
    access.member_verified = verified and data.category == Category.MEMBER
    if data.category != Category.MEMBER or verified or code_given:
        return access
    held = {c.session_id for c in current.choices} if current is not None else set()
    lang = i18n.language()
    for session_id in data.sessions:
        session = sessions.get(session_id)
        if session is None or session.audience != Audience.MEMBERS or session_id in held:
            continue
        if not session.is_offered_for_choice:
            continue  # nothing to choose there (``rules`` says so): no code asked for it
        title = session.text("title", lang)
        add(
            "member_code",
            _(
                "“%(title)s” is for network members: please give the member code your Cité"
                " received from the organisers.",
                title=title,
            ),
        )
        access.by_session.setdefault(session_id, []).append(
            _("For network members: give the member code (section 1), or ask the organisers.")
        )
    return access


# -- the organisers' side


def set_member_code(
    db: DbSession,
    edition: Edition,
    code: str | None,
    *,
    actor: audit.Actor,
    now: datetime,
) -> str:
    """Change the edition's member code: ``None`` draws a new one; a chosen one must be
    hard to guess (at least 8 letters or digits). Codes already used keep their seats."""
    if code is None:
        new = new_member_code()
    else:
        new = code.strip().upper()
        plain = normalized_code(new)
        hard_to_guess = len(plain) >= 8 and plain.isascii() and plain.isalnum()
        if not hard_to_guess or len(new) > MEMBER_CODE_MAX:
            raise DomainError(
                _(
                    "A member code has 8 to %(max)d letters and digits (dashes allowed).",
                    max=MEMBER_CODE_MAX,
                ),
                code="invalid",
            )
    edition.member_code = new
    target = f"edition:{edition.id}"
    audit.record(db, actor, "edition.member_code_changed", target, {}, edition=edition, now=now)
    db.flush()
    return new


__all__ = [
    "MEMBER_CODE_ALPHABET",
    "PUBLIC_CATEGORIES",
    "Access",
    "check_access",
    "member_code_matches",
    "set_member_code",
]
