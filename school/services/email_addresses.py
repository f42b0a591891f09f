"""E-mail addresses: what the School takes as one, and when two are the same.

One rule for every address given to it: a participant's (form, API, CLI import), a
speaker's and the edition's contact (programme file and organisers' pages), an
organiser's account. The syntax is checked by ``email-validator``, without asking DNS
(a form answers at once, and a venue's network may be down): an address it refuses is
one a mail server would refuse too.

Addresses in other scripts are taken (``josé.niño@exämple.org``): a domain in Unicode
is always deliverable, written in ASCII for the mail server (IDNA, ``xn--…``); a local
part in Unicode only reaches a server that offers SMTPUTF8 (RFC 6531), and a message
that needs it and meets a server without it fails alone, with that reason.
"""

from __future__ import annotations

from email_validator import EmailNotValidError, validate_email
from flask_babel import gettext as _

# The longest address (RFC 5321), the length of every column that keeps one.
EMAIL_MAX = 254


def normalized_email(value: str) -> str | None:
    """``value`` as it is kept (its domain lower-cased, its Unicode normalised), or None
    if it is not an e-mail address."""
    try:
        return validate_email(value, check_deliverability=False).normalized
    except EmailNotValidError:
        return None


def checked_email(value: str | None) -> tuple[str, list[str]]:
    """An address someone typed, as it is kept, and what is wrong with it (nothing: an
    empty list), in the reader's language: the same words on every form that asks for one."""
    email = (value or "").strip()
    if not email:
        return email, [_("Please give your e-mail address.")]
    problems = []
    valid = normalized_email(email)
    if valid is None:
        problems.append(_("This does not look like an e-mail address."))
    email = valid or email
    if len(email) > EMAIL_MAX:
        problems.append(_("This e-mail address is too long."))
    return email, problems


def address_for_delivery(value: str) -> str | None:
    """``value`` as a mail server is given it: all ASCII when its local part is (the
    domain in IDNA), else as kept (it then needs SMTPUTF8). None if it is not an address."""
    try:
        valid = validate_email(value, check_deliverability=False)
    except EmailNotValidError:
        return None
    return valid.ascii_email or valid.normalized


def email_key(email: str) -> str:
    """What makes two addresses the same person's: trimmed and lower-cased."""
    return email.strip().lower()
