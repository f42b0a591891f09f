"""The speakers' corner: a speaker's sessions, their confirmation, their details,
and the e-mail that gives each speaker their private link.

What a speaker changes is recorded in the audit log (actor ``speaker:<id>``), so
organisers see it; what the programme shows of them also raises ``Edition.changed_at``,
since the public pages, the programme and every calendar show it (their address and
the language of their e-mails are theirs alone: no public page changes with them).
"""

from __future__ import annotations

from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from datetime import datetime

import sqlalchemy as sa
from flask_babel import gettext as _
from sqlalchemy.orm import Session as DbSession
from sqlalchemy.orm import joinedload

from school.models import AuditEntry, Edition, Person, Session, SessionPerson
from school.models.vocabulary import LANGUAGES
from school.services import audit
from school.services.email_addresses import checked_email, email_key
from school.services.errors import DomainError, NotFound
from school.services.mail import writing
from school.services.programme.rules import raise_sequence
from school.services.publishing.feeds import load_sessions

# What a speaker may correct about themselves, with the longest value each column takes.
EDITABLE = {
    "function_fr": 300,
    "function_en": 300,
    "organisation": 200,
    "bio_fr": 2000,
    "bio_en": 2000,
}
# Everything the speaker's details form sends: the above, and what we write to them at
# and in (their address and the language of their e-mails).
DETAILS = (*EDITABLE, "email", "language")


def get_by_speaker_token(db: DbSession, token: str) -> tuple[Person, Edition]:
    """The speaker behind a private link, and their edition (one query)."""
    row = None
    if token and len(token) <= 64:
        row = db.execute(
            sa.select(Person, Edition)
            .join(Edition, Edition.id == Person.edition_id)
            .where(Person.speaker_token == token)
        ).first()
    if row is None:
        raise NotFound("no speaker for this link")
    return row.Person, row.Edition


def sessions_of(db: DbSession, person: Person) -> list[Session]:
    """The person's sessions in time order, with rooms and everyone who takes part."""
    mine = sa.select(SessionPerson.session_id).where(SessionPerson.person_id == person.id)
    return load_sessions(db, Session.id.in_(mine))


def links_of(person: Person, sessions: Iterable[Session]) -> list[SessionPerson]:
    """The person's part in each of ``sessions`` (their role, their "sous réserve" mark),
    in the order of the sessions, which come loaded with their people."""
    return [
        next(link for link in session.people if link.person_id == person.id) for session in sessions
    ]


def _audit(db: DbSession, person: Person, action: str, target: str, details, now: datetime):
    db.add(
        AuditEntry(
            edition_id=person.edition_id,
            actor=f"speaker:{person.id}",
            action=action,
            target=target,
            details=details,
            created_at=now,
        )
    )


def _programme_changed(db: DbSession, person: Person, now: datetime) -> None:
    db.execute(sa.update(Edition).where(Edition.id == person.edition_id).values(changed_at=now))


def confirm(
    db: DbSession, person: Person, session_ids: Iterable[int] | None = None, *, now: datetime
) -> list[Session]:
    """The speaker confirms they will speak: their "sous réserve" marks (on the given
    sessions, or on all) are cleared. Returns the sessions that changed."""
    wanted = None if session_ids is None else set(session_ids)
    links = db.scalars(
        sa.select(SessionPerson)
        .where(SessionPerson.person_id == person.id, SessionPerson.is_tentative.is_(True))
        .options(joinedload(SessionPerson.session))
    ).all()
    changed = []
    for link in links:
        if wanted is not None and link.session_id not in wanted:
            continue
        link.is_tentative = False
        # Its events change in every feed (no "to be confirmed" in the description, a
        # speaker's TENTATIVE becomes CONFIRMED): SEQUENCE goes up, or clients keep them.
        raise_sequence(link.session, now=now)
        changed.append(link.session)
        _audit(db, person, "speaker.confirmed", f"session:{link.session_id}", None, now)
    if changed:
        person.confirmed_at = now
        _programme_changed(db, person, now)
    db.flush()
    return changed


class InvalidDetails(DomainError):
    """Some of the speaker's details are wrong: ``errors`` maps each field to its messages."""

    code = "invalid"

    def __init__(self, errors: dict[str, list[str]]):
        super().__init__(_("Please correct the highlighted fields."))
        self.errors = errors


def update_details(
    db: DbSession, person: Person, values: dict[str, str | None], *, now: datetime
) -> dict[str, list[str | None]]:
    """The speaker corrects their function, organisation or short bio, the language we
    write to them in (``language``) or their address (``email``): the old address is told
    of a new one, so that someone who got hold of the link cannot take the speaker's
    mail over unnoticed. Refused (``InvalidDetails``) with nothing changed when the
    language or address is wrong. Returns what changed, as ``{field: [old, new]}`` (also
    in the audit log)."""
    changes: dict[str, list[str | None]] = {}
    for name, limit in EDITABLE.items():
        if name not in values:
            continue
        new = (values[name] or "").strip()[:limit] or None
        old = getattr(person, name)
        if new != old:
            changes[name] = [old, new]
    mail = _mail_changes(db, person, values)
    in_programme = bool(changes)
    changes.update(mail)
    if not changes:
        return changes
    # Told in the language the old address was written to: whoever reads it there may
    # not read the one just chosen.
    told_in = person.language
    for name, (_old, new) in changes.items():
        setattr(person, name, new)
    person.updated_at = now
    _audit(db, person, "speaker.updated", f"person:{person.id}", changes, now)
    if in_programme:
        _programme_changed(db, person, now)
    old_email = changes.get("email", [None])[0]
    if old_email:
        edition = db.get(Edition, person.edition_id)
        writing.queue_mail(
            db,
            to=old_email,
            template="speaker_email_changed",
            language=told_in if told_in in LANGUAGES else "fr",
            purpose="speaker_email_changed",
            now=now,
            flush=False,
            person=person,
            edition=edition,
        )
    db.flush()
    return changes


def _mail_changes(
    db: DbSession, person: Person, values: dict[str, str | None]
) -> dict[str, list[str | None]]:
    """The language and address asked for, checked: what changes of them."""
    changes: dict[str, list[str | None]] = {}
    errors: dict[str, list[str]] = {}
    if "language" in values:
        language = values["language"]
        if language not in LANGUAGES:
            errors["language"] = [_("Please choose a language from the list.")]
        elif language != person.language:
            changes["language"] = [person.language, language]
    typed = (values.get("email") or "").strip()
    # Left as it is, an address stays as the organisers wrote it; a known one is not
    # erased, or nobody could write to the speaker any more.
    if "email" in values and typed != (person.email or ""):
        email, problems = checked_email(typed)
        if not problems and _taken(db, person, email):
            problems = [
                _(
                    "Another speaker of this edition already has this address: each"
                    " speaker needs their own. If it is also yours, please write to"
                    " the organisers."
                )
            ]
        if problems:
            errors["email"] = problems
        elif email != person.email:
            changes["email"] = [person.email, email]
    if errors:
        raise InvalidDetails(errors)
    return changes


def _taken(db: DbSession, person: Person, email: str) -> bool:
    """Whether another person of the edition has the address. The e-mails to speakers go
    once an address (change notices, mailings), with one page's link: the second speaker
    of an address would never get theirs."""
    others = db.scalars(
        sa.select(Person.email).where(
            Person.edition_id == person.edition_id,
            Person.id != person.id,
            Person.email.is_not(None),
        )
    )
    # Compared here, not in SQL: SQLite lower-cases only ASCII letters.
    return email_key(email) in {email_key(other) for other in others}


@dataclass
class InviteReport:
    invited: list[Person] = field(default_factory=list)
    already_invited: list[Person] = field(default_factory=list)
    without_email: list[Person] = field(default_factory=list)
    # Nothing to tell them yet: their page would be empty.
    without_session: list[Person] = field(default_factory=list)


def invite(
    db: DbSession,
    edition: Edition,
    *,
    link_for: Callable[[Person], str],
    now: datetime,
    again: bool = False,
    person_id: int | None = None,
    actor: audit.Actor = "cli",
) -> InviteReport:
    """Queue each speaker's private link, in their language. Speakers already invited
    are left alone unless ``again``; those without an e-mail address are reported. Asked
    for one speaker (``person_id``), it writes to them even if they had it already."""
    only = sa.true()
    if person_id is not None:
        only, again = Person.id == person_id, True
    people = db.scalars(
        sa.select(Person)
        .where(
            Person.edition_id == edition.id,
            only,
            sa.exists().where(SessionPerson.person_id == Person.id),
        )
        .order_by(Person.last_name, Person.first_name, Person.id)
    ).all()
    sessions = load_sessions(
        db,
        Session.edition_id == edition.id,
        Session.id.in_(sa.select(SessionPerson.session_id)),
    )
    by_person: dict[int, list[Session]] = {}
    for session in sessions:
        for link in session.people:
            by_person.setdefault(link.person_id, []).append(session)
    report = InviteReport()
    report.without_session = list(
        db.scalars(
            sa.select(Person)
            .where(
                Person.edition_id == edition.id,
                only,
                ~sa.exists().where(SessionPerson.person_id == Person.id),
            )
            .order_by(Person.last_name, Person.first_name, Person.id)
        )
    )
    for person in people:
        if not person.email:
            report.without_email.append(person)
            continue
        if person.invited_at and not again:
            report.already_invited.append(person)
            continue
        writing.queue_mail(
            db,
            to=person.email,
            template="speaker_invite",
            language=person.language if person.language in LANGUAGES else "fr",
            purpose="speaker_invite",
            now=now,
            person=person,
            edition=edition,
            page_url=link_for(person),
            links=links_of(person, by_person.get(person.id, [])),
        )
        person.invited_at = now
        report.invited.append(person)
    if report.invited:
        audit.record(
            db, actor, "speakers.invited", f"edition:{edition.id}",
            {"speakers": [p.id for p in report.invited]}, edition=edition, now=now,
        )  # fmt: skip
    db.flush()
    return report
