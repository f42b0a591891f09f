"""Editions from the organisers' pages: create, edit, and clone a past one as the start
of the next (rooms and the session skeleton, shifted to the new dates; no
registrations, no speakers). Fields are checked by the programme file's rules."""

from __future__ import annotations

import contextlib
from datetime import date, datetime, timedelta
from typing import Any

import sqlalchemy as sa
from sqlalchemy.orm import Session as DbSession
from sqlalchemy.orm import selectinload

from school.models import (
    Edition,
    EditionDay,
    Registration,
    RegistrationDay,
    Room,
    Session,
    SessionGroup,
)
from school.services import audit
from school.services.programme.checks import check_days, check_edition
from school.services.programme.editing import InvalidProgramme
from school.services.programme.fields import N_, Translate, untranslated
from school.services.programme.rules import apply_session_values, venue_of
from school.services.programme.spec import EditionSpec, Problem
from school.services.registration import seats


def edition_entry(edition: Edition) -> dict[str, Any]:
    """An edition in the programme file's shape: what its form starts from."""

    def local(moment: datetime | None) -> str | None:
        return moment.astimezone(edition.tz).strftime("%Y-%m-%d %H:%M") if moment else None

    return {
        "slug": edition.slug,
        "title": {"fr": edition.title_fr, "en": edition.title_en},
        "tagline": {"fr": edition.tagline_fr, "en": edition.tagline_en},
        "description": {"fr": edition.description_fr, "en": edition.description_en},
        "city": {"fr": edition.city, "en": edition.city_en} if edition.city_en else edition.city,
        "content_fallback": edition.content_fallback,
        "venue": edition.venue,
        "address": edition.address,
        "timezone": edition.timezone,
        "starts_on": edition.starts_on.isoformat(),
        "ends_on": edition.ends_on.isoformat(),
        "contact_email": edition.contact_email,
        "registration": {
            "opens_at": local(edition.registration_opens_at),
            "closes_at": local(edition.registration_closes_at),
            "capacity": edition.capacity,
        },
    }


def _checked(
    db: DbSession, entry: dict[str, Any], edition_id: int | None, translate
) -> EditionSpec:
    spec, problems = check_edition(entry, translate)
    if spec.slug and db.scalar(
        sa.select(Edition.id).where(Edition.slug == spec.slug, Edition.id != (edition_id or -1))
    ):
        message = (translate or untranslated)(N_("%(value)r is already used"), value=spec.slug)
        problems.append(Problem("edition", "slug", message))
    if problems:
        raise InvalidProgramme(problems)
    return spec


def _apply(edition: Edition, spec: EditionSpec) -> None:
    for name in ("title", "tagline", "description"):
        value = getattr(spec, name)
        setattr(edition, f"{name}_fr", value["fr"])
        setattr(edition, f"{name}_en", value["en"])
    edition.city, edition.venue, edition.address = spec.city, spec.venue, spec.address
    edition.city_en = spec.city_en
    edition.content_fallback = spec.content_fallback
    edition.timezone = spec.timezone
    edition.starts_on, edition.ends_on = spec.starts_on, spec.ends_on
    edition.contact_email = spec.contact_email
    edition.registration_opens_at = spec.registration_opens_at
    edition.registration_closes_at = spec.registration_closes_at
    edition.capacity = spec.capacity


def create_edition(
    db: DbSession,
    entry: dict[str, Any],
    *,
    actor: audit.Actor,
    now: datetime,
    translate: Translate | None = None,
) -> Edition:
    spec = _checked(db, entry, None, translate)
    edition = Edition(slug=spec.slug, created_at=now, changed_at=now)
    _apply(edition, spec)
    db.add(edition)
    db.flush()
    audit.record(
        db,
        actor,
        "edition.created",
        f"edition:{edition.id}",
        {"slug": edition.slug},
        edition=edition,
        now=now,
    )
    db.flush()
    return edition


def update_edition(
    db: DbSession,
    edition: Edition,
    entry: dict[str, Any],
    *,
    actor: audit.Actor,
    now: datetime,
    translate: Translate | None = None,
) -> Edition:
    """Change an edition. Its slug is in every link already sent, so it stays. Dates may
    not leave sessions or attended days outside them. A new timezone keeps the sessions'
    local times (the usual reason: the first one was wrong)."""
    edition_id = edition.id
    seats.lock_edition(db, edition_id)
    edition = db.get(Edition, edition_id)
    spec = _checked(db, {**entry, "slug": edition.slug}, edition.id, translate)
    translate = translate or untranslated
    sessions = db.scalars(sa.select(Session).where(Session.edition_id == edition.id)).all()
    problems = []
    outside = [s for s in sessions if not spec.starts_on <= _local_day(s, edition) <= spec.ends_on]
    if outside:
        problems.append(
            Problem(
                "edition",
                "starts_on",
                translate(
                    N_(
                        "%(num)d sessions would fall outside these dates (e.g. “%(title)s”):"
                        " move them first."
                    ),
                    num=len(outside),
                    title=outside[0].title_fr,
                ),
            )
        )
    # People, not their days: six people each coming on the dropped day read "6 days".
    people_outside = db.scalar(
        sa.select(sa.func.count(sa.distinct(RegistrationDay.registration_id)))
        .select_from(RegistrationDay)
        .join(Registration, Registration.id == RegistrationDay.registration_id)
        .where(
            Registration.edition_id == edition.id,
            sa.or_(RegistrationDay.date < spec.starts_on, RegistrationDay.date > spec.ends_on),
        )
    )
    if people_outside:
        message = N_("Participants registered for a day outside these dates: %(num)d.")
        problems.append(Problem("edition", "ends_on", translate(message, num=people_outside)))
    if problems:
        raise InvalidProgramme(problems)
    old_tz = edition.tz
    before = edition_entry(edition)
    place = venue_of(edition)
    _apply(edition, spec)
    if venue_of(edition) != place:
        for session in sessions:
            apply_session_values(session, {}, now=now, calendar_change=True)
    if edition.timezone != old_tz.key:
        for session in sessions:
            apply_session_values(
                session,
                {
                    "starts_at": _same_wall_clock(session.starts_at, old_tz, edition.tz),
                    "ends_at": _same_wall_clock(session.ends_at, old_tz, edition.tz),
                },
                now=now,
            )
    edition.changed_at = now
    after = edition_entry(edition)
    changed = {k: [before[k], after[k]] for k in after if before[k] != after[k]}
    audit.record(
        db, actor, "edition.updated", f"edition:{edition.id}", changed, edition=edition, now=now
    )
    db.flush()
    return edition


def day_entries(edition: Edition) -> list[dict[str, Any]]:
    """Every date of the edition with its theme, in the file's shape (empty if none)."""
    return [
        {
            "date": on.isoformat(),
            "theme": {"fr": day.theme_fr if day else None, "en": day.theme_en if day else None},
            "description": {
                "fr": day.description_fr if day else None,
                "en": day.description_en if day else None,
            },
        }
        for on in edition.dates
        for day in [edition.day(on)]
    ]


def save_days(
    db: DbSession,
    edition: Edition,
    entries: list[dict[str, Any]],
    *,
    actor: audit.Actor,
    now: datetime,
    translate: Translate | None = None,
) -> Edition:
    """The theme of each day (a day left empty has none), checked as in the file."""

    def empty(entry: dict[str, Any]) -> bool:
        texts = [*(entry.get("theme") or {}).values(), *(entry.get("description") or {}).values()]
        return not any(texts)

    specs, problems = check_days([e for e in entries if not empty(e)], edition, translate)
    if problems:
        raise InvalidProgramme(problems)
    wanted = {spec.date: spec for spec in specs}
    for day in [d for d in edition.days if d.date not in wanted]:
        edition.days.remove(day)
    for on, spec in wanted.items():
        day = edition.day(on)
        if day is None:
            day = EditionDay(date=on)
            edition.days.append(day)
        day.theme_fr, day.theme_en = spec.theme["fr"], spec.theme["en"]
        day.description_fr, day.description_en = spec.description["fr"], spec.description["en"]
    edition.changed_at = now
    audit.record(
        db, actor, "edition.days", f"edition:{edition.id}",
        {"themes": {on.isoformat(): spec.theme["fr"] for on, spec in wanted.items()}},
        edition=edition, now=now,
    )  # fmt: skip
    db.flush()
    return edition


# Every language a session is written in: a translation made for the last edition is kept.
_SESSION_TEXTS = [
    f"{name}_{lang}" for name in ("title", "description") for lang in ("fr", "en", "it", "es", "pt")
]


def clone_edition(
    db: DbSession,
    source: Edition,
    *,
    slug: str,
    title: dict[str, str | None],
    starts_on: date | str | None,
    actor: audit.Actor,
    now: datetime,
    translate: Translate | None = None,
) -> Edition:
    """A new edition from a past one: its venue, rooms and sessions (kinds, titles and
    descriptions in every language, rooms, capacities, audiences), each at the same local
    time on the same day of the new dates, their groups of parallel sessions (preferences
    closing as long before), and the privacy notice the team reviewed. No speakers, no
    day themes, no presentation (tagline, description), no registrations, no allocation's
    draft."""
    source = db.scalar(
        sa.select(Edition).where(Edition.id == source.id).options(selectinload(Edition.rooms))
    )
    if isinstance(starts_on, str):
        with contextlib.suppress(ValueError):
            starts_on = date.fromisoformat(starts_on)
    shift = (starts_on - source.starts_on) if isinstance(starts_on, date) else timedelta(0)
    entry = edition_entry(source)
    entry.update(
        slug=slug,
        title=title,
        # That year's theme and its dates ("from 19 to 21 June 2019"): written anew.
        tagline={"fr": None, "en": None},
        description={"fr": None, "en": None},
        # Not a date: left as typed, the check names it.
        starts_on=starts_on.isoformat() if isinstance(starts_on, date) else starts_on,
        ends_on=(source.ends_on + shift).isoformat(),
    )
    registration = entry["registration"]
    for key in ("opens_at", "closes_at"):
        if registration[key]:
            moment = datetime.fromisoformat(registration[key]) + shift
            registration[key] = moment.strftime("%Y-%m-%d %H:%M")
    spec = _checked(db, entry, None, translate)
    edition = Edition(slug=spec.slug, created_at=now, changed_at=now)
    _apply(edition, spec)
    rooms = {
        room.id: Room(
            key=room.key, name_fr=room.name_fr, name_en=room.name_en, capacity=room.capacity
        )
        for room in source.rooms
    }
    edition.rooms = list(rooms.values())
    edition.privacy_notice_fr = source.privacy_notice_fr
    edition.privacy_notice_en = source.privacy_notice_en
    db.add(edition)
    db.flush()
    tz = source.tz
    groups = _cloned_groups(db, source, edition, shift)
    copied = 0
    for old in db.scalars(
        sa.select(Session)
        .where(Session.edition_id == source.id, sa.not_(Session.is_cancelled))
        .order_by(Session.starts_at, Session.id)
    ):
        db.add(
            Session(
                edition_id=edition.id,
                key=old.key,
                kind=old.kind,
                **{name: getattr(old, name) for name in _SESSION_TEXTS},
                starts_at=_shifted(old.starts_at, tz, shift),
                ends_at=_shifted(old.ends_at, tz, shift),
                room_id=rooms[old.room_id].id if old.room_id in rooms else None,
                capacity=old.capacity,
                requires_registration=old.requires_registration,
                audience=old.audience,
                is_meal=old.is_meal,
                group_id=groups.get(old.group_id),
                created_at=now,
                updated_at=now,
            )
        )
        copied += 1
    audit.record(
        db,
        actor,
        "edition.cloned",
        f"edition:{edition.id}",
        {"from": source.slug, "slug": edition.slug, "sessions": copied, "rooms": len(rooms)},
        edition=edition,
        now=now,
    )
    db.flush()
    return edition


def _cloned_groups(
    db: DbSession, source: Edition, edition: Edition, shift: timedelta
) -> dict[int, int]:
    """The source's groups of parallel sessions made again in ``edition``: {old id: new
    id}. Preferences close as long before the School as they did."""
    made = {}
    for old in db.scalars(sa.select(SessionGroup).where(SessionGroup.edition_id == source.id)):
        closes = old.preferences_close_at
        made[old.id] = SessionGroup(
            edition_id=edition.id,
            key=old.key,
            title_fr=old.title_fr,
            title_en=old.title_en,
            mode=old.mode,
            preferences_close_at=_shifted(closes, source.tz, shift) if closes else None,
        )
        db.add(made[old.id])
    db.flush()
    return {old_id: group.id for old_id, group in made.items()}


def _local_day(session: Session, edition: Edition) -> date:
    return session.starts_at.astimezone(edition.tz).date()


def _shifted(moment: datetime, tz, shift: timedelta) -> datetime:
    """The same local time ``shift`` days later (a DST change in between is absorbed)."""
    local = moment.astimezone(tz).replace(tzinfo=None) + shift
    return local.replace(tzinfo=tz).astimezone(moment.tzinfo)


def _same_wall_clock(moment: datetime, old_tz, new_tz) -> datetime:
    return moment.astimezone(old_tz).replace(tzinfo=new_tz).astimezone(moment.tzinfo)
