"""What the door is told of a genuine badge of another edition: the name of the edition
it is for ("This badge is for Autumn School 2024"), so the volunteer can say so, and
nothing about the person. A draft edition is not named: its name is not public yet.

The server names it when it decides such a scan (``scanning``), the roster lists every
edition a scanner may have to name offline (``roster``): one rule, both ways."""

from __future__ import annotations

import sqlalchemy as sa
from sqlalchemy.orm import Session as DbSession

from school.models import Edition
from school.services.programme.lifecycle import DRAFT


def named(edition: Edition | None) -> dict | None:
    """The edition as the door names it, or None."""
    if edition is None or edition.status == DRAFT:
        return None
    return {"id": edition.id, "title": {"fr": edition.title_fr, "en": edition.text("title", "en")}}


def badge_edition(db: DbSession, edition_id: int) -> dict | None:
    """The edition a badge of another edition is for: read only for such a badge (a
    scan of this edition's badges asks nothing more)."""
    return named(db.get(Edition, edition_id))


def others(db: DbSession, edition: Edition) -> list[dict]:
    """Every other edition the door may name, for the roster."""
    editions = db.scalars(
        sa.select(Edition).where(Edition.id != edition.id, Edition.status != DRAFT)
    )
    return [named(other) for other in editions.all()]
