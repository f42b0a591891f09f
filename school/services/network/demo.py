"""The demo edition's initiatives (``data/demo-initiatives.yaml``), loaded by ``demo load``
so that its wall and its guide have content, and its call for initiatives, open so that
whoever tries the demo can submit one."""

from __future__ import annotations

from pathlib import Path

import sqlalchemy as sa
import yaml
from sqlalchemy.orm import Session as DbSession

from school.database import utcnow
from school.models import Edition, Initiative
from school.paths import DATA_DIR
from school.services.network import moderation

DEMO_INITIATIVES = DATA_DIR / "demo-initiatives.yaml"


def load_demo_initiatives(db: DbSession, path: Path = DEMO_INITIATIVES) -> int:
    """Add the file's initiatives that its edition lacks (by French title); returns how many."""
    data = yaml.safe_load(path.read_text(encoding="utf-8"))
    edition = db.scalar(sa.select(Edition).where(Edition.slug == data["slug"]))
    if edition is None:
        return 0
    held = set(
        db.scalars(sa.select(Initiative.title_fr).where(Initiative.edition_id == edition.id))
    )
    now = utcnow()
    added = 0
    for entry in data["initiatives"]:
        if entry["title"]["fr"] in held:
            continue
        decided = entry["decision"] != "submitted"
        db.add(
            Initiative(
                edition_id=edition.id,
                title_fr=entry["title"].get("fr"),
                title_en=entry["title"].get("en"),
                summary_fr=(entry["summary"].get("fr") or "").strip() or None,
                summary_en=(entry["summary"].get("en") or "").strip() or None,
                cite=entry.get("cite"),
                organisation=entry.get("organisation"),
                country=entry["country"],
                kind=entry["kind"],
                themes=list(entry["themes"]),
                contact_name=entry["contact"]["name"],
                contact_email=entry["contact"]["email"],
                language=entry.get("language", "fr"),
                consent_publish=True,
                decision=entry["decision"],
                decided_at=now if decided else None,
                created_at=now,
                updated_at=now,
            )
        )
        added += 1
    db.flush()
    return added


def open_demo_call(db: DbSession, edition: Edition) -> bool:
    """Open the demo's call as its registration is: from the day registration opens, with
    no end (the demo stays open to be tried, whatever its dates). A call the organisers
    set is theirs: it is left as it is. Returns whether the call was opened."""
    if edition.initiatives_open_at is not None or edition.initiatives_close_at is not None:
        return False
    opens = edition.registration_opens_at or utcnow()
    moderation.set_call(db, edition, opens, None, actor="cli")
    return True
