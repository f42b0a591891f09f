"""iCalendar: the one place where ``.ics`` files are written.

Every feed (the whole programme, a participant's agenda, a speaker's agenda, one
session) is a list of ``FeedItem`` rendered by ``render``. What a calendar client
needs to follow changes without anyone doing anything:

- one ``UID`` per session, stored on it and never derived from its title or time;
- ``SEQUENCE`` raised on every change of time, place, title or status (the import
  raises ``Session.sequence``), and the same in every feed that carries the session:
  a client that took it from one feed must accept an update from another;
- what is particular to one reader and not the session as published (a place in a
  waiting line, a registration cancelled) is that reader's own event, with its own
  ``UID`` (``FeedItem.personal_uid``), never a second version of the session's;
- cancelled sessions kept with ``STATUS:CANCELLED``, so clients remove them;
- local times with the edition's ``TZID`` and its ``VTIMEZONE``, so a participant
  in another timezone sees the right hour.

The output depends only on the data (``DTSTAMP`` is the last revision, as RFC 5545
asks when there is no ``METHOD``), so the same data gives the same bytes and the
same ETag.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from dataclasses import dataclass
from datetime import UTC, date, datetime, timedelta

from flask_babel import gettext as _
from icalendar import Calendar, Event, vDuration, vText

from school.models import Edition, Session

PRODID = "-//Cités des métiers//school//EN"
REFRESH = timedelta(hours=1)
CONTENT_TYPE = "text/calendar"  # Flask adds the charset


@dataclass(frozen=True)
class Wording:
    """Labels of the vocabulary in the reader's language (the web layer owns them)."""

    kinds: Mapping[str, str]
    roles: Mapping[str, str]
    audiences: Mapping[str, str]


@dataclass
class FeedItem:
    """One session as one reader sees it."""

    session: Session
    modified: datetime  # last change of what this item shows: DTSTAMP and LAST-MODIFIED
    role: str | None = None  # the reader's part in it, in a speaker's feed
    tentative: bool = False  # a speaker still "sous réserve"
    waitlist_position: int | None = None  # a participant's place in line (1 = next)
    cancelled: bool = False  # cancelled for this reader (their registration was cancelled)
    # The reader's own event (a waiting-list place, a cancelled registration), which is
    # not the session as published: see ``feeds.participant_items``.
    personal_uid: str | None = None
    personal_sequence: int = 0  # added to the session's SEQUENCE, for that object only

    @property
    def waitlisted(self) -> bool:
        return self.waitlist_position is not None

    @property
    def is_cancelled(self) -> bool:
        return self.cancelled or self.session.is_cancelled


def session_item(session: Session) -> FeedItem:
    return FeedItem(session, modified=session.updated_at)


def render(
    edition: Edition,
    items: list[FeedItem],
    *,
    name: str,
    lang: str,
    wording: Wording,
    session_url: Callable[[Session], str],
    source: str | None = None,
    description: str | None = None,
) -> bytes:
    """The calendar as bytes (UTF-8, CRLF line ends, lines folded at 75 octets)."""
    calendar = Calendar()
    calendar.add("prodid", PRODID)
    calendar.add("version", "2.0")
    calendar.add("calscale", "GREGORIAN")
    # Text values, escaped as such: icalendar does not know these properties' type and
    # would write a title's line break as is, which no content line may hold.
    calendar.add("name", vText(name))
    calendar.add("x-wr-calname", vText(name))
    if description:
        calendar.add("x-wr-caldesc", vText(description))
    calendar.add("x-wr-timezone", edition.timezone)
    # How often clients should look again: RFC 7986, and the older name Outlook reads.
    calendar.add("refresh-interval", REFRESH, parameters={"VALUE": "DURATION"})
    calendar.add("x-published-ttl", vDuration(REFRESH))
    if source:
        calendar.add("source", source, parameters={"VALUE": "URI"})
    tz = edition.tz
    for item in sorted(items, key=lambda i: (i.session.starts_at, i.session.id)):
        calendar.add_component(_event(edition, item, lang, wording, session_url(item.session), tz))
    # Transitions of the edition's years only: enough for its sessions, and small.
    first, last = date(edition.starts_on.year, 1, 1), date(edition.ends_on.year + 1, 1, 1)
    calendar.add_missing_timezones(first_date=first, last_date=last)
    for timezone in calendar.walk("VTIMEZONE"):
        # icalendar notes where it took the zone in a COMMENT, which RFC 5545 does not
        # allow in a VTIMEZONE: libical's restriction check, and the clients built on it,
        # reject the whole calendar.
        timezone.pop("COMMENT", None)
    return calendar.to_ical()


def _event(edition: Edition, item: FeedItem, lang: str, wording: Wording, url: str, tz) -> Event:
    session = item.session
    title, title_lang = session.text_and_language("title", lang)
    if item.is_cancelled:
        status, title = "CANCELLED", _("Cancelled: %(title)s", title=title)
    elif item.waitlisted:
        status, title = "TENTATIVE", _("Waiting list: %(title)s", title=title)
    elif item.tentative:
        status = "TENTATIVE"
    else:
        status = "CONFIRMED"
    event = Event()
    event.add("uid", item.personal_uid or session.uid)
    event.add("sequence", session.sequence + (item.personal_sequence if item.personal_uid else 0))
    event.add("dtstamp", _utc(item.modified))
    event.add("created", _utc(session.created_at))
    event.add("last-modified", _utc(item.modified))
    event.add("dtstart", session.starts_at.astimezone(tz))
    event.add("dtend", session.ends_at.astimezone(tz))
    # Where the title is a fallback (English for an Italian reader), say so to the client.
    event.add("summary", title, parameters={"LANGUAGE": title_lang} if title_lang != lang else {})
    event.add("status", status)
    event.add("transp", "OPAQUE" if status == "CONFIRMED" else "TRANSPARENT")
    event.add("location", location(edition, session, lang))
    event.add("description", _description(item, lang, wording, url))
    event.add("url", url, parameters={"VALUE": "URI"})
    event.add("categories", [str(wording.kinds[session.kind])])
    return event


def location(edition: Edition, session: Session, lang: str) -> str:
    parts = [session.room.text("name", lang)] if session.room else []
    parts += [edition.venue, edition.address]
    return ", ".join(p for p in parts if p)


def _description(item: FeedItem, lang: str, wording: Wording, url: str) -> str:
    session = item.session
    lines = []
    if item.waitlisted and not item.is_cancelled:
        lines += [
            _(
                "Waiting list: you are number %(num)d in line. This entry becomes confirmed"
                " when a seat is yours.",
                num=item.waitlist_position,
            ),
            "",
        ]
    if item.role:
        role = str(wording.roles[item.role])
        if item.tentative:
            role += f" ({_('to be confirmed')})"
        lines += [_("Your role: %(role)s", role=role), ""]
    heading = str(wording.kinds[session.kind])
    if session.audience != "everyone":
        heading += f" · {wording.audiences[session.audience]}"
    lines.append(heading)
    for link in session.people:
        person = link.person
        line = f"- {person.full_name} ({wording.roles[link.role]})"
        if person.organisation:
            line += f", {person.organisation}"
        if link.awaits_confirmation:
            line += f" [{_('to be confirmed')}]"
        lines.append(line)
    text = session.text("description", lang)
    if text:
        lines += ["", text]
    lines += ["", url]
    return "\n".join(lines)


def _utc(moment: datetime) -> datetime:
    return moment.astimezone(UTC)
