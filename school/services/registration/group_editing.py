"""Organisers create, edit and delete groups of parallel sessions until their allocation
is published. A session belongs to one group: taking it into another is refused with a
message, never done silently; sessions not at the same time are refused, naming them
(``programme.parallel``). A preference cut-off lies between the opening of registration
and the start of the School, and not in the past."""

from __future__ import annotations

from datetime import datetime

import sqlalchemy as sa
from flask_babel import gettext as _
from sqlalchemy.orm import Session as DbSession

from school import i18n
from school.models import Edition, Ranking, Session, SessionGroup
from school.services.errors import DomainError
from school.services.programme import lifecycle, parallel
from school.services.registration import groups


class InvalidGroup(DomainError):
    code = "invalid"

    def __init__(self, errors: dict[str, list[str]]):
        super().__init__(" ".join(m for ms in errors.values() for m in ms))
        self.errors = errors


def _check(
    db: DbSession,
    edition: Edition,
    group_id: int | None,
    key: str,
    title_fr: str,
    session_ids: list[int],
    mode: str,
    cutoff: datetime | None,
    now: datetime,
) -> None:
    errors: dict[str, list[str]] = {}

    def add(field: str, message: str) -> None:
        errors.setdefault(field, []).append(message)

    if not key:
        add("key", _("Please give a short name."))
    elif db.scalar(
        sa.select(SessionGroup.id).where(
            SessionGroup.edition_id == edition.id,
            SessionGroup.key == key,
            SessionGroup.id != (group_id or -1),
        )
    ):
        add("key", _("Another group already uses this short name."))
    if not title_fr:
        add("title_fr", _("Please give a title in French."))
    sessions = db.scalars(
        sa.select(Session).where(Session.id.in_(session_ids), Session.edition_id == edition.id)
    ).all()
    if len(sessions) != len(set(session_ids)) or len(sessions) < 2:
        add("sessions", _("A group needs at least two sessions of this School."))
    lang = i18n.language()
    for session in sessions:
        if session.group_id is not None and session.group_id != group_id:
            other = db.get(SessionGroup, session.group_id)
            add(
                "sessions",
                _(
                    "“%(session)s” already belongs to the group “%(group)s”: take it out of"
                    " that group first.",
                    session=session.text("title", lang),
                    group=other.text("title", lang) if other else "?",
                ),
            )
    if len(sessions) >= 2 and (astray := parallel.group_problem(sessions, edition)):
        add("sessions", astray)
    if mode == "preference":
        # The demo, kept open to be tried, is a School always to come.
        start = None if edition.is_demo else lifecycle.starts_at(edition)
        opens = edition.registration_opens_at
        if cutoff is None:
            add("preferences_close_at", _("Please say when preferences close."))
        elif cutoff < now:
            add("preferences_close_at", _("This moment is already past."))
        elif start is not None and cutoff > start:
            add("preferences_close_at", _("Preferences must close before the School starts."))
        elif opens is not None and cutoff <= opens:
            add("preferences_close_at", _("Preferences must close after registration opens."))
    elif mode != "first_come":
        add("mode", _("Unknown way of giving seats."))
    if errors:
        raise InvalidGroup(errors)


def create(
    db: DbSession, edition: Edition, *, key: str, title_fr: str, title_en: str | None,
    session_ids: list[int], mode: str, cutoff: datetime | None, now: datetime,
) -> SessionGroup:  # fmt: skip
    _check(db, edition, None, key, title_fr, session_ids, mode, cutoff, now)
    group = groups.create_group(
        db, edition.id, key, title_fr, session_ids, title_en=title_en, mode=mode,
        preferences_close_at=cutoff if mode == "preference" else None,
    )  # fmt: skip
    _programme_changed(db, edition.id, now)
    return group


def _programme_changed(db: DbSession, edition_id: int, now: datetime) -> None:
    """The programme says how a group's seats are given: its kept pages are built again."""
    db.execute(sa.update(Edition).where(Edition.id == edition_id).values(changed_at=now))


def _unpublished(group: SessionGroup) -> None:
    if group.published_at is not None:
        raise DomainError(
            _("The allocation of this group is published: it can no longer change."),
            code="published",
        )


def update(
    db: DbSession, group: SessionGroup, *, key: str, title_fr: str, title_en: str | None,
    session_ids: list[int], mode: str, cutoff: datetime | None, now: datetime,
) -> SessionGroup:  # fmt: skip
    """Change a group. Sessions taken out leave it with their rankings; a computed
    draft is dropped (it was computed on the old group)."""
    _unpublished(group)
    edition = db.get(Edition, group.edition_id)
    _check(db, edition, group.id, key, title_fr, session_ids, mode, cutoff, now)
    wanted = set(session_ids)
    for session in list(group.sessions):
        if session.id not in wanted:
            session.group_id = None
    db.execute(
        sa.delete(Ranking).where(
            Ranking.group_id == group.id,
            Ranking.session_id.is_not(None),
            Ranking.session_id.not_in(wanted),
        )
    )
    for session in db.scalars(sa.select(Session).where(Session.id.in_(wanted))):
        session.group_id = group.id
    group.key, group.title_fr, group.title_en, group.mode = key, title_fr, title_en, mode
    group.preferences_close_at = cutoff if mode == "preference" else None
    group.draft = None
    db.flush()
    db.expire(group, ["sessions"])
    _programme_changed(db, group.edition_id, now)
    return group


def delete(db: DbSession, group: SessionGroup, *, now: datetime) -> None:
    """Delete a group (its rankings with it); its sessions stay, outside any group."""
    _unpublished(group)
    _programme_changed(db, group.edition_id, now)
    for session in list(group.sessions):
        session.group_id = None
    db.execute(sa.delete(Ranking).where(Ranking.group_id == group.id))
    db.delete(group)
    db.flush()
