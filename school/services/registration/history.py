"""A registration's history in words: what the audit log recorded about it (created,
changed, cancelled, reinstated, link or e-mail sent again), told in the reader's
language with session titles, never as action codes or raw data."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from typing import Any

import sqlalchemy as sa
from flask_babel import gettext as _
from sqlalchemy.orm import Session as DbSession

from school import i18n
from school.models import AuditEntry, Registration, Session
from school.services import audit


@dataclass(frozen=True)
class Event:
    at: datetime
    who: str
    what: str
    details: list[str]


def record(
    db: DbSession,
    actor: audit.Actor,
    action: str,
    registration: Registration,
    details: dict[str, Any],
    *,
    now: datetime,
) -> None:
    """What an organiser did to a registration, in the edition's log (told by ``history``)."""
    audit.record(
        db,
        actor,
        action,
        f"registration:{registration.id}",
        {"email": registration.email, **details},
        edition=registration.edition_id,
        now=now,
    )


def history(db: DbSession, registration: Registration) -> list[Event]:
    """The registration's events, newest first (three queries at most)."""
    entries = db.scalars(
        sa.select(AuditEntry)
        .where(AuditEntry.target == f"registration:{registration.id}")
        .order_by(AuditEntry.created_at.desc(), AuditEntry.id.desc())
    ).all()
    ids = {int(i) for e in entries for i in _session_ids(e.details or {}) if str(i).isdigit()}
    titles = {
        s.id: s.text("title", i18n.language())
        for s in db.scalars(sa.select(Session).where(Session.id.in_(ids)))
    } if ids else {}  # fmt: skip
    who = audit.names_of(db, [entry.actor for entry in entries])
    return [_event(entry, titles, who(entry.actor)) for entry in entries]


def _session_ids(details: dict) -> list:
    found = list(details.get("freed") or [])
    for key in ("choices", "before", "after"):
        value = details.get(key)
        if isinstance(value, dict):
            found += list(value)
    return found


def _event(entry: AuditEntry, titles: dict[int, str], who: str) -> Event:
    details = entry.details or {}

    def title(session_id) -> str:
        return titles.get(int(session_id), _("a removed session"))

    def listed(choices: dict) -> list[str]:
        return [f"{title(i)} ({_status(s)})" for i, s in choices.items()]

    lines: list[str] = []
    action = entry.action
    if action == "registration.created":
        what = (
            _("Registered at the door by an organiser")
            if details.get("walk_in")
            else _("Registered by an organiser")
        )
        lines = listed(details.get("choices") or {})
    elif action == "registration.updated":
        what = _("Changed by an organiser")
        before, after = details.get("before") or {}, details.get("after") or {}
        for session_id in after.keys() - before.keys():
            lines.append(_("Added: %(session)s (%(status)s)", session=title(session_id),
                           status=_status(after[session_id])))  # fmt: skip
        for session_id in before.keys() - after.keys():
            lines.append(_("Removed: %(session)s", session=title(session_id)))
        for session_id in before.keys() & after.keys():
            if before[session_id] != after[session_id]:
                lines.append(_("%(session)s: now %(status)s", session=title(session_id),
                               status=_status(after[session_id])))  # fmt: skip
        if not lines:
            lines.append(_("Details changed; the sessions stayed the same."))
    elif action == "registration.cancelled":
        what = _("Cancelled by an organiser")
        freed = details.get("freed") or []
        lines = [_("Seat given back: %(session)s", session=title(i)) for i in freed]
    elif action == "registration.reinstated":
        what = _("Reinstated by an organiser")
        lines = listed(details.get("after") or {})
    elif action == "registration.link_sent":
        what = _("Private link sent again")
    elif action == "mail.resent":
        what = _("E-mail sent again: %(subject)s", subject=details.get("subject") or "—")
    else:
        what = _("Other change (%(action)s)", action=action)
    return Event(entry.created_at, who, what, lines)


def _status(status: str) -> str:
    return _("seat confirmed") if status == "confirmed" else _("waiting list")
