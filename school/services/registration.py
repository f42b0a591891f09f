"""Registrations: every rule about who gets which seat lives here."""

from __future__ import annotations

import sqlalchemy as sa
from sqlalchemy.orm import Session as DbSession
from sqlalchemy.orm import selectinload

from school.models import Choice, Registration
from school.services.errors import NotFound


def get_by_manage_token(db: DbSession, token: str) -> Registration:
    """The registration behind a private link (the manage token)."""
    registration = None
    if token and len(token) <= 64:
        registration = db.scalar(
            sa.select(Registration)
            .where(Registration.manage_token == token)
            .options(
                selectinload(Registration.days),
                selectinload(Registration.meals),
                selectinload(Registration.choices).joinedload(Choice.session),
            )
        )
    if registration is None:
        raise NotFound("no registration for this link")
    return registration
