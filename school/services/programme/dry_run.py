"""What an import would change, in words: the programme before and after, compared.

A dry run imports in the caller's transaction, describes the difference, and the
caller rolls back, so the description comes from the very code that would write.
"""

from __future__ import annotations

from typing import Any

import sqlalchemy as sa
from sqlalchemy.orm import Session as DbSession

from school.models import Edition, Person, Session
from school.services.programme import editing
from school.services.programme.people import person_entry, room_entry

Snapshot = dict[str, dict[str, dict[str, Any]]]


def snapshot(db: DbSession, slug: str) -> Snapshot:
    """The edition's rooms, people and sessions by key, in the file's shape."""
    db.flush()
    db.expire_all()
    edition = db.scalar(sa.select(Edition).where(Edition.slug == slug))
    if edition is None:
        return {"rooms": {}, "people": {}, "sessions": {}}
    sessions = db.scalars(sa.select(Session).where(Session.edition_id == edition.id))
    people = db.scalars(sa.select(Person).where(Person.edition_id == edition.id))
    return {
        "rooms": {r.key: room_entry(r) for r in edition.rooms},
        "people": {p.key: person_entry(p) for p in people},
        "sessions": {s.key: editing.session_entry(edition, s) for s in sessions},
    }


def describe(before: Snapshot, after: Snapshot) -> list[str]:
    """One line per item created, changed (with its fields) or removed."""
    lines = []
    for section in ("rooms", "people", "sessions"):
        old, new = before[section], after[section]
        for key in sorted(new.keys() - old.keys()):
            lines.append(f"+ {section[:-1] if section != 'people' else 'person'} {key}")
        for key in sorted(old.keys() & new.keys()):
            fields = sorted(name for name in new[key] if new[key][name] != old[key].get(name))
            if fields:
                kind = section[:-1] if section != "people" else "person"
                lines.append(f"~ {kind} {key}: {', '.join(fields)}")
        for key in sorted(old.keys() - new.keys()):
            lines.append(f"- {section[:-1] if section != 'people' else 'person'} {key}")
    return lines
