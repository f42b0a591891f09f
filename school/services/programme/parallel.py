"""A group of parallel sessions is sessions a participant takes one of: they take place
at the same time. Otherwise taking one would keep nobody from the others and "one of
them" would mean nothing (a seat in each, a ranking that gives one where two fit).

The rule, once: every two sessions of a group overlap, which for periods of time is
the same as all of them sharing a moment. Creating or editing a group names the
sessions that do not share the moment most of the group shares; moving a session of a
group away from the moment its companions share is refused, whichever page or file
moves it (the form, the timetable, a sheet, a programme file). A sheet or a file may
move a whole group at once: it is checked once all its rows are in.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from datetime import datetime

import sqlalchemy as sa
from flask_babel import gettext as _
from sqlalchemy.orm import Session as DbSession

from school import i18n
from school.models import Edition, Session, SessionGroup
from school.models.programme import times_overlap
from school.services.errors import DomainError


def shared_moment(sessions: Sequence[Session]) -> tuple[datetime, datetime] | None:
    """The period every one of ``sessions`` covers, or None if they share no moment."""
    start = max(s.starts_at for s in sessions)
    end = min(s.ends_at for s in sessions)
    return (start, end) if start < end else None


def misfits(sessions: Sequence[Session]) -> tuple[list[Session], list[Session]]:
    """(those that fit, those that do not): the moment covered by the most sessions (the
    earliest of equals) is the group's; those not there do not fit. All fit when every
    two overlap."""
    ordered = sorted(sessions, key=lambda s: (s.starts_at, s.ends_at, s.id or 0))
    best: list[Session] = []
    for candidate in ordered:  # the moment most covered starts when one of them starts
        there = [s for s in ordered if s.starts_at <= candidate.starts_at < s.ends_at]
        if len(there) > len(best):
            best = there
    return best, [s for s in ordered if s not in best]


def _when(period: tuple[datetime, datetime], edition: Edition, lang: str) -> str:
    start, end = period
    day = i18n.local_date(start.astimezone(edition.tz).date(), "full", lang)
    return f"{day}, {i18n.time_range(start, end, edition.tz, lang)}"


def _named(sessions: Iterable[Session], edition: Edition, lang: str) -> str:
    return ", ".join(
        _(
            "“%(title)s” (%(when)s)",
            title=s.text("title", lang),
            when=_when((s.starts_at, s.ends_at), edition, lang),
        )
        for s in sessions
    )


def group_problem(sessions: Sequence[Session], edition: Edition) -> str | None:
    """Why ``sessions`` cannot form a group of parallel sessions, or None."""
    fitting, outside = misfits(sessions)
    if not outside:
        return None
    lang = i18n.language()
    return _(
        "The sessions of a group take place at the same time (a participant takes one of"
        " them). Not at the same time as %(when)s: %(sessions)s.",
        when=_when(shared_moment(fitting), edition, lang),
        sessions=_named(outside, edition, lang),
    )


def refuse_move(db: DbSession, edition: Edition, session: Session) -> None:
    """Refuse ``session``'s new time if it no longer shares the moment the rest of its
    group shares (a group already astray is not blamed on this session)."""
    if session.group_id is None:
        return
    others = db.scalars(
        sa.select(Session).where(Session.group_id == session.group_id, Session.id != session.id)
    ).all()
    if not others:
        return
    moment = shared_moment(others)
    if moment is None or times_overlap(session, _Period(*moment)):
        return
    lang = i18n.language()
    group = db.get(SessionGroup, session.group_id)
    raise DomainError(
        _(
            "“%(session)s” is one of the parallel sessions of the group “%(group)s”, held"
            " %(when)s: it must stay at that time. Move it within that time, or take it out"
            " of the group first.",
            session=session.text("title", lang),
            group=group.text("title", lang),
            when=_when(moment, edition, lang),
        ),
        code="not_parallel",
        field="start",
    )


def groups_astray(
    db: DbSession, edition: Edition, session_ids: Iterable[int]
) -> dict[int, tuple[str, list[int]]]:
    """The groups of ``session_ids`` no longer parallel: {group id: (why, the sessions
    that do not fit)}: a sheet or a file moves sessions, then checks their groups."""
    group_ids = set(
        db.scalars(
            sa.select(Session.group_id).where(
                Session.id.in_(list(session_ids)), Session.group_id.is_not(None)
            )
        )
    )
    found: dict[int, tuple[str, list[int]]] = {}
    for group_id in sorted(group_ids):
        sessions = db.scalars(sa.select(Session).where(Session.group_id == group_id)).all()
        problem = group_problem(sessions, edition)
        if problem:
            found[group_id] = (problem, [s.id for s in misfits(sessions)[1]])
    return found


class _Period:
    def __init__(self, starts_at: datetime, ends_at: datetime):
        self.starts_at, self.ends_at = starts_at, ends_at
