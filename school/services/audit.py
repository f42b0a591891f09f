"""The audit log: who changed what, when. Services record their own actions, so a
change made from a page, the API or the command line is logged the same way."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from typing import Any

import sqlalchemy as sa
from sqlalchemy.orm import Session as DbSession

from school.database import utcnow
from school.models import AuditEntry, Edition, Organiser

Actor = Organiser | str | None


def actor_label(actor: Actor) -> str:
    """How an actor is stored: ``organiser:3``, or the given string (``system``, ``cli``)."""
    if isinstance(actor, Organiser):
        return f"organiser:{actor.id}"
    return actor or "system"


def record(
    db: DbSession,
    actor: Actor,
    action: str,
    target: str | None = None,
    details: dict[str, Any] | None = None,
    *,
    edition: Edition | int | None = None,
    now: datetime | None = None,
) -> AuditEntry:
    """Add an entry (flushed with the caller's change, committed with it)."""
    edition_id = edition.id if isinstance(edition, Edition) else edition
    entry = AuditEntry(
        edition_id=edition_id,
        actor=actor_label(actor),
        action=action,
        target=target,
        details=details or None,
        created_at=now or utcnow(),
    )
    db.add(entry)
    return entry


@dataclass
class EntryView:
    entry: AuditEntry
    who: str  # the organiser's e-mail, or the stored actor


@dataclass
class AuditPage:
    entries: list[EntryView]
    total: int
    page: int
    per_page: int

    @property
    def pages(self) -> int:
        return max(1, -(-self.total // self.per_page))


def entries(
    db: DbSession,
    edition: Edition,
    *,
    page: int = 1,
    per_page: int = 50,
    action: str | None = None,
) -> AuditPage:
    """An edition's log, newest first, in three queries whatever the page size."""
    where = [AuditEntry.edition_id == edition.id]
    if action:
        where.append(AuditEntry.action.startswith(action, autoescape=True))
    total = db.scalar(sa.select(sa.func.count()).select_from(AuditEntry).where(*where)) or 0
    page = max(1, min(page, max(1, -(-total // per_page))))
    rows = db.scalars(
        sa.select(AuditEntry)
        .where(*where)
        .order_by(AuditEntry.created_at.desc(), AuditEntry.id.desc())
        .limit(per_page)
        .offset((page - 1) * per_page)
    ).all()
    who = names_of(db, [e.actor for e in rows])
    return AuditPage([EntryView(e, who(e.actor)) for e in rows], total, page, per_page)


def names_of(db: DbSession, actors: list[str]):
    """A function that names each stored actor: the organiser's e-mail (one query for all),
    or the stored label itself."""
    ids = {
        int(actor.split(":", 1)[1])
        for actor in actors
        if actor.startswith("organiser:") and actor.split(":", 1)[1].isdigit()
    }
    emails = (
        dict(
            db.execute(sa.select(Organiser.id, Organiser.email).where(Organiser.id.in_(ids))).all()
        )
        if ids
        else {}
    )

    def who(actor: str) -> str:
        kind, _, number = actor.partition(":")
        if kind == "organiser" and number.isdigit():
            return emails.get(int(number), actor)
        return actor

    return who
