"""An edition's lifecycle and its state in time: the one rule that pages, feeds, the API
and the registration rules ask.

An edition is a **draft** (seen by organisers only, as a preview), then **published**,
and at last **archived** (still readable at its links, no longer listed). A draft may
be deleted; a published edition is archived instead, since links to it were sent.

In time, registration has not opened yet, is open, or is closed; the School itself is
upcoming, under way or held. Registration closes when the School starts unless the
organisers chose another moment. The demo edition stays open so people can try it.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, datetime, time, timedelta

import sqlalchemy as sa
from flask_babel import gettext as _
from sqlalchemy.orm import Session as DbSession

from school import i18n
from school.models import Edition, Registration
from school.services import audit
from school.services.errors import DomainError

DRAFT, PUBLISHED, ARCHIVED = "draft", "published", "archived"


def starts_at(edition: Edition) -> datetime:
    """The moment the School starts: midnight, local time, on its first day."""
    return datetime.combine(edition.starts_on, time(0), tzinfo=edition.tz).astimezone(UTC)


def ends_at(edition: Edition) -> datetime:
    """The moment the School is over: midnight, local time, after its last day."""
    after = edition.ends_on + timedelta(days=1)
    return datetime.combine(after, time(0), tzinfo=edition.tz).astimezone(UTC)


def registration_closes_at(edition: Edition) -> datetime | None:
    """When registration closes: the organisers' choice, else the start of the School
    (the demo edition, kept open to be tried, closes only if told)."""
    if edition.registration_closes_at is not None:
        return edition.registration_closes_at
    return None if edition.is_demo else starts_at(edition)


@dataclass(frozen=True)
class EditionState:
    status: str  # draft / published / archived
    registration: str  # not_yet / open / closed
    phase: str  # upcoming / under_way / held
    opens_at: datetime | None
    closes_at: datetime | None
    is_demo: bool

    @property
    def key(self) -> str:
        """The one word shown to people: opens_on / open / closed / under_way / held."""
        if self.registration == "open":
            return "open"
        if self.registration == "not_yet":
            return "opens_on"
        return "closed" if self.phase == "upcoming" else self.phase

    @property
    def is_draft(self) -> bool:
        return self.status == DRAFT

    @property
    def registration_open(self) -> bool:
        return self.registration == "open"

    @property
    def has_started(self) -> bool:
        return self.phase != "upcoming"


def state_of(edition: Edition, now: datetime) -> EditionState:
    closes = registration_closes_at(edition)
    opens = edition.registration_opens_at
    if edition.status != PUBLISHED:
        # A draft takes no registration yet; an archived edition none any more.
        registration = "not_yet" if edition.status == DRAFT else "closed"
    elif opens is not None and now < opens:
        registration = "not_yet"
    elif closes is not None and now >= closes:
        registration = "closed"
    else:
        registration = "open"
    if now < starts_at(edition) or (edition.is_demo and registration == "open"):
        # The demo, open to be tried, behaves as a School yet to come.
        phase = "upcoming"
    elif now < ends_at(edition):
        phase = "under_way"
    else:
        phase = "held"
    return EditionState(edition.status, registration, phase, opens, closes, edition.is_demo)


def describe(edition: Edition, now: datetime) -> str:
    """The state in words, in the current language."""
    state = state_of(edition, now)
    tz = edition.tz
    if state.is_draft:
        return _("Draft: not published yet")
    if state.key == "open":
        if state.closes_at is not None:
            return _(
                "Registration open until %(when)s",
                when=when(state.closes_at, tz),
            )
        return _("Registration open")
    if state.key == "opens_on":
        return _("Registration opens on %(when)s", when=when(state.opens_at, tz))
    if state.key == "closed":
        return _("Registration closed")
    if state.key == "under_way":
        return _("Under way")
    return _("Held")


def when(moment: datetime, tz) -> str:
    """A moment as people read it: "1 March 2030, 09:00" ("1er mars 2030, 09:00") in the
    edition's local time."""
    local = moment.astimezone(tz)
    # Day before month and a 24-hour clock in every language: unambiguous for all readers.
    return f"{i18n.local_date(local.date(), 'long')}, {local.strftime('%H:%M')}"


def registration_refusal(edition: Edition, now: datetime) -> str | None:
    """Why registration is not possible right now, or None."""
    state = state_of(edition, now)
    if state.registration_open:
        return None
    tz = edition.tz
    if state.status == DRAFT:
        return _("This edition is not published yet: registration is not open.")
    if state.status == ARCHIVED:
        return _("This edition is archived: registration is closed.")
    if state.registration == "not_yet":
        return _(
            "Registration opens on %(when)s.",
            when=when(state.opens_at, tz),
        )
    return _("Registration closed on %(when)s.", when=when(state.closes_at, tz))


def readable(status: str, preview: bool | None) -> bool:
    """Whether an edition's public pages, feeds and API answer: a draft only to those who
    may preview it (``preview`` None: the back office or the command line, always)."""
    return preview is None or preview or status != DRAFT


def listed(editions: list[Edition], *, organiser: bool) -> list[Edition]:
    """The editions the home page lists: published ones (and drafts for organisers)."""
    shown = {PUBLISHED, DRAFT} if organiser else {PUBLISHED}
    return [edition for edition in editions if edition.status in shown]


def date_warnings(edition: Edition, now: datetime) -> list[str]:
    """Dates already past, worth a second look when an edition is saved."""
    warnings = []
    tz = edition.tz
    if edition.registration_opens_at and edition.registration_opens_at < now:
        moment = when(edition.registration_opens_at, tz)
        warnings.append(_("Registration opened in the past (%(when)s).", when=moment))
    if edition.registration_closes_at and edition.registration_closes_at < now:
        moment = when(edition.registration_closes_at, tz)
        warnings.append(_("Registration closes in the past (%(when)s).", when=moment))
    if starts_at(edition) < now:
        warnings.append(
            _(
                "The School starts in the past (%(day)s).",
                day=i18n.local_date(edition.starts_on, "long"),
            )
        )
    return warnings


# -- changing


def publish(db: DbSession, edition: Edition, *, actor: audit.Actor, now: datetime) -> Edition:
    if edition.status == PUBLISHED:
        return edition
    if edition.status == ARCHIVED:
        raise DomainError(_("An archived edition cannot be published again."), "archived")
    return _set_status(db, edition, PUBLISHED, "edition.published", actor, now)


def archive(db: DbSession, edition: Edition, *, actor: audit.Actor, now: datetime) -> Edition:
    if edition.status == ARCHIVED:
        return edition
    if edition.status != PUBLISHED:
        raise DomainError(_("A draft is deleted, not archived."), "draft")
    return _set_status(db, edition, ARCHIVED, "edition.archived", actor, now)


def delete(db: DbSession, edition: Edition, *, actor: audit.Actor, now: datetime) -> None:
    """Delete a draft and all it holds. A published edition is archived instead."""
    if edition.status != DRAFT:
        raise DomainError(
            _("Only a draft can be deleted: archive a published edition instead."), "published"
        )
    registered = db.scalar(
        sa.select(sa.func.count())
        .select_from(Registration)
        .where(Registration.edition_id == edition.id)
    )
    if registered:
        raise DomainError(_("This draft has registrations: it cannot be deleted."), "registered")
    slug = edition.slug
    db.execute(sa.delete(Edition).where(Edition.id == edition.id))
    db.expunge(edition)
    audit.record(db, actor, "edition.deleted", f"edition:{slug}", {"slug": slug}, now=now)
    db.flush()


def _set_status(db, edition, status, action, actor, now) -> Edition:
    before = edition.status
    edition.status = status
    # Pages kept by the edition's state (the preview carried a banner) are built again.
    edition.changed_at = now
    audit.record(
        db, actor, action, f"edition:{edition.id}", {"status": [before, status]},
        edition=edition, now=now,
    )  # fmt: skip
    db.flush()
    return edition
