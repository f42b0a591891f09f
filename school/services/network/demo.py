"""The demo edition's initiatives (``data/demo-initiatives.yaml``), loaded by ``demo load``
so that its wall and its guide have content."""

from __future__ import annotations

from pathlib import Path

import sqlalchemy as sa
import yaml
from sqlalchemy.orm import Session as DbSession

from school.database import utcnow
from school.models import Edition, Initiative
from school.paths import DATA_DIR

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
