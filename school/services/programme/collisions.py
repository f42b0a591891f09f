"""What a saved session collides with: its room booked at the same time, and
participants who now hold two seats at once. The session form is warned of both;
the timetable editor refuses a room booked twice."""

from __future__ import annotations

import sqlalchemy as sa
from flask_babel import gettext as _
from sqlalchemy.orm import Session as DbSession

from school import i18n
from school.models import Choice, Edition, Room, Session
from school.models.vocabulary import ChoiceStatus
from school.services.programme.rules import room_clashes as clashing_pairs


def warnings(db: DbSession, edition: Edition, session: Session) -> list[str]:
    found = room_clashes(db, edition, session)
    doubled = overlapping_seats(db, session)
    if doubled:
        found.append(
            _(
                "%(num)d participants now hold another seat at the same time.",
                num=doubled,
            )
        )
    return found


def room_clashes(db: DbSession, edition: Edition, session: Session) -> list[str]:
    warnings = []
    if session.room_id is not None:
        sessions = db.scalars(
            sa.select(Session).where(
                Session.edition_id == edition.id,
                Session.room_id == session.room_id,
                Session.overlaps(session),
            )
        ).all()
        lang = i18n.language()
        warnings = [
            _(
                "%(room)s is also booked for “%(title)s” (%(time)s).",
                room=db.get(Room, session.room_id).text("name", lang),
                title=other.text("title", lang),
                time=i18n.time_range(other.starts_at, other.ends_at, edition.tz, lang),
            )
            for first, second in clashing_pairs(sessions)
            if session in (first, second)
            for other in [second if first is session else first]
        ]
    return warnings


def overlapping_seats(db: DbSession, session: Session) -> int:
    if session.is_cancelled:
        return 0
    mine = sa.orm.aliased(Choice)
    other = sa.orm.aliased(Choice)
    other_session = sa.orm.aliased(Session)
    return (
        db.scalar(
            sa.select(sa.func.count(sa.distinct(mine.registration_id)))
            .select_from(mine)
            .join(other, other.registration_id == mine.registration_id)
            .join(other_session, other_session.id == other.session_id)
            .where(
                mine.session_id == session.id,
                mine.status == ChoiceStatus.CONFIRMED,
                other.session_id != session.id,
                other.status == ChoiceStatus.CONFIRMED,
                sa.not_(other_session.is_cancelled),
                other_session.overlaps(session),
            )
        )
        or 0
    )
