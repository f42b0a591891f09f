"""What the registration form offers: the sessions chosen on it, the meals, and whether
registration is open at all. Read by the public form, the participant's page, the
organisers' forms and the allocation."""

from __future__ import annotations

from datetime import datetime

import sqlalchemy as sa
from sqlalchemy.orm import Session as DbSession
from sqlalchemy.orm import selectinload

from school.models import Edition, Session
from school.models.vocabulary import Audience
from school.services.programme import lifecycle


def choosable_sessions(
    db: DbSession, edition: Edition, *, by_organiser: bool = False
) -> list[Session]:
    """Sessions a participant picks when registering: those that require registration
    or have limited seats; not the cancelled ones, not those by invitation only (the
    organisers give those: ``by_organiser=True`` includes them)."""
    offered = Session.is_chosen_on_form
    if by_organiser:
        invited = sa.and_(
            Session.audience == Audience.INVITED,
            sa.not_(Session.is_cancelled),
            Session.is_meal.is_(False),
        )
        offered = sa.or_(Session.is_offered_for_choice, invited)
    sessions = db.scalars(
        sa.select(Session)
        .where(Session.edition_id == edition.id, offered)
        .options(selectinload(Session.room))
        .order_by(Session.starts_at, Session.id)
    ).all()
    return list(sessions)


def listed_sessions(db: DbSession, edition: Edition) -> list[Session]:
    """Sessions the organisers find people by (the registrations' filter): every session
    chosen by registration or given by invitation, the cancelled ones too (people held
    seats there, and may need telling). Not the meals."""
    listed = sa.or_(
        Session.is_by_choice,
        sa.and_(Session.audience == Audience.INVITED, Session.is_meal.is_(False)),
    )
    return list(
        db.scalars(
            sa.select(Session)
            .where(Session.edition_id == edition.id, listed)
            .order_by(Session.starts_at, Session.id)
        )
    )


def members_sessions_alongside(db: DbSession, edition: Edition) -> list[Session]:
    """Members-only sessions nobody chooses on the form (the General Assembly: members
    simply come): the form shows each beside the choices it overlaps, so that a member
    sees the clash before choosing a visit at the same time."""
    return list(
        db.scalars(
            sa.select(Session)
            .where(
                Session.edition_id == edition.id,
                Session.audience == Audience.MEMBERS,
                sa.not_(Session.is_chosen_on_form),
                sa.not_(Session.is_cancelled),
                Session.is_meal.is_(False),
            )
            .options(selectinload(Session.room))
            .order_by(Session.starts_at, Session.id)
        )
    )


def meal_sessions(db: DbSession, edition: Edition) -> list[Session]:
    return list(
        db.scalars(
            sa.select(Session)
            .where(
                Session.edition_id == edition.id,
                Session.is_meal.is_(True),
                sa.not_(Session.is_cancelled),
            )
            .order_by(Session.starts_at)
        )
    )


def registration_window_error(edition: Edition, now: datetime) -> str | None:
    """Why registration is not possible right now, or None (the edition's state decides)."""
    return lifecycle.registration_refusal(edition, now)
