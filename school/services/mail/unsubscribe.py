"""Leaving an edition's non-essential mailings (RFC 2369 / RFC 8058 List-Unsubscribe).

Each address written to by such a mailing gets, once, an unguessable token; its link
(``/unsubscribe/<token>``) is in the message's ``List-Unsubscribe`` header and footer.
Opening it asks for a confirmation; a POST to it (the button, or a mail client's
one-click ``List-Unsubscribe=One-Click``) records the opt-out, which later
non-essential mailings of the edition honour. Confirmations, private links, change
notices and practical mailings still go: they are about taking part.
"""

from __future__ import annotations

from datetime import datetime

import sqlalchemy as sa
from flask_babel import gettext as _
from sqlalchemy.dialects import postgresql, sqlite
from sqlalchemy.orm import Session as DbSession

from school.models import Edition, MailingOptOut
from school.models.people import new_private_token
from school.services.errors import NotFound
from school.urls import absolute_url


def opted_out(edition: Edition) -> sa.Select:
    """The address keys that left the edition's non-essential mailings."""
    return sa.select(MailingOptOut.email_key).where(
        MailingOptOut.edition_id == edition.id, MailingOptOut.opted_out_at.is_not(None)
    )


def links_for(db: DbSession, edition: Edition, email_keys: list[str], *, now: datetime) -> dict:
    """The unsubscribe link of each address (made the first time it is needed)."""
    if not email_keys:
        return {}
    dialect = db.get_bind().dialect.name
    insert = (postgresql if dialect == "postgresql" else sqlite).insert(MailingOptOut)
    # Two mailings queued at once may both make an address's token: the first one stays.
    db.execute(
        insert.on_conflict_do_nothing(index_elements=["edition_id", "email_key"]),
        [
            {"edition_id": edition.id, "email_key": key, "token": new_private_token(),
             "created_at": now}
            for key in dict.fromkeys(email_keys)
        ],
    )  # fmt: skip
    rows = db.execute(
        sa.select(MailingOptOut.email_key, MailingOptOut.token).where(
            MailingOptOut.edition_id == edition.id, MailingOptOut.email_key.in_(email_keys)
        )
    ).all()
    return {key: absolute_url("unsubscribe.page", token=token) for key, token in rows}


def get_by_token(db: DbSession, token: str) -> MailingOptOut:
    found = db.scalar(sa.select(MailingOptOut).where(MailingOptOut.token == token))
    if found is None:
        raise NotFound(_("This link is not valid (any more)."))
    return found


def unsubscribe(db: DbSession, token: str, *, now: datetime) -> MailingOptOut:
    """Record the opt-out (once: a second click keeps the first time)."""
    found = get_by_token(db, token)
    if found.opted_out_at is None:
        found.opted_out_at = now
    db.flush()
    return found


def resubscribe(db: DbSession, token: str) -> MailingOptOut:
    found = get_by_token(db, token)
    found.opted_out_at = None
    db.flush()
    return found
