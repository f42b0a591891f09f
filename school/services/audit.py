"""The audit log: who changed what, when. Services record their own actions, so a
change made from a page, the API or the command line is logged the same way."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from typing import Any

import sqlalchemy as sa
from flask_babel import gettext as _
from sqlalchemy.orm import Session as DbSession

from school.database import utcnow
from school.models import AuditEntry, Edition, Organiser, Person, Registration

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
    who: str  # in words: the organiser's e-mail, the speaker's name…


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
    """A function that names each stored actor in the reader's language: an organiser by
    their e-mail, a speaker or a participant acting through their private link by their
    name (one query a kind for all), the command line and the application's own jobs in
    words; an actor of another kind as it is stored."""
    wanted: dict[str, set[int]] = {"organiser": set(), "speaker": set(), "participant": set()}
    for actor in actors:
        kind, _sep, number = actor.partition(":")
        if kind in wanted and number.isdigit():
            wanted[kind].add(int(number))
    emails = _read(db, wanted["organiser"], Organiser.email)
    speakers = _read(db, wanted["speaker"], Person.first_name, Person.last_name)
    participants = _read(db, wanted["participant"], Registration.first_name, Registration.last_name)
    words = {
        "cli": _("Command line (flask …)"),
        "system": _("The application itself (mail worker, scheduled jobs)"),
        "public": _("Someone using the public form"),
        "submitter": _("The submitter (own link)"),
    }

    def who(actor: str) -> str:
        kind, _sep, number = actor.partition(":")
        if not number.isdigit():
            return words.get(actor, actor)
        found = {"organiser": emails, "speaker": speakers, "participant": participants}.get(
            kind, {}
        ).get(int(number))
        if kind == "organiser":
            return found or _("An organiser whose account was removed")
        if kind == "speaker":
            return _("Speaker: %(name)s", name=found) if found else _("A removed speaker")
        if kind == "participant":
            return (
                _("Participant (own link): %(name)s", name=found)
                if found
                else _("A participant (own link), since removed")
            )
        return actor

    return who


def _read(db: DbSession, ids: set[int], *columns) -> dict[int, str]:
    """{id: the columns joined by a space} of the rows of ``columns``' table with ``ids``."""
    if not ids:
        return {}
    model = columns[0].class_
    rows = db.execute(sa.select(model.id, *columns).where(model.id.in_(ids))).all()
    return {row[0]: " ".join(part for part in row[1:] if part) for row in rows}
