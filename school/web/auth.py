"""Who is logged in: organisers, through Flask-Login's session cookie."""

from __future__ import annotations

from school.extensions import db, login
from school.models import Organiser


@login.user_loader
def load_organiser(organiser_id: str) -> Organiser | None:
    if not organiser_id.isdigit():
        return None
    organiser = db.session.get(Organiser, int(organiser_id))
    return organiser if organiser is not None and organiser.is_active else None
