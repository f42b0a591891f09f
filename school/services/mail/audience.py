"""Who an organisers' mailing goes to: every participant, one category, one session's
attendees, one session's waiting line, or the speakers. Only confirmed registrations;
a speaker's address once; news skips whoever unsubscribed, an essential mailing does not."""

from __future__ import annotations

from dataclasses import dataclass
from typing import TYPE_CHECKING

import sqlalchemy as sa
from flask_babel import gettext as _
from sqlalchemy.orm import Session as DbSession

from school.models import Choice, Edition, Person, Registration, Session, SessionPerson
from school.models.vocabulary import Category, ChoiceStatus, MailingAudience, RegistrationStatus
from school.services.email_addresses import email_key
from school.services.mail import unsubscribe
from school.services.registration.data import Errors
from school.urls import absolute_url

if TYPE_CHECKING:  # the draft is written in ``mailing``, which asks this module who gets it
    from school.services.mail.mailing import Draft


def check_audience(db: DbSession, edition: Edition, draft: Draft, errors: Errors) -> None:
    """Adds to ``errors`` what is wrong with the draft's choice of audience."""
    if draft.audience not in set(MailingAudience):
        errors["audience"] = [_("Please choose who receives it.")]
    elif draft.audience == MailingAudience.CATEGORY and draft.category not in set(Category):
        errors["category"] = [_("Please choose a category from the list.")]
    elif draft.audience in (MailingAudience.SESSION, MailingAudience.WAITLIST) and not (
        draft.session_id
        and db.scalar(
            sa.select(Session.id).where(
                Session.id == draft.session_id, Session.edition_id == edition.id
            )
        )
    ):
        errors["session_id"] = [_("Please choose a session.")]


@dataclass
class Recipient:
    """Someone a mailing writes to: a participant or a speaker."""

    email: str
    first_name: str
    last_name: str
    language: str
    link: str  # their private page
    registration: Registration | None = None

    @property
    def key(self) -> str:
        return email_key(self.email)


def _registrations(edition: Edition, draft: Draft) -> sa.Select:
    """The confirmed registrations the draft is for (one message each)."""
    stmt = sa.select(Registration).where(
        Registration.edition_id == edition.id,
        Registration.status == RegistrationStatus.CONFIRMED,
    )
    if draft.audience == MailingAudience.CATEGORY:
        stmt = stmt.where(Registration.category == draft.category)
    elif draft.audience in (MailingAudience.SESSION, MailingAudience.WAITLIST):
        status = (
            ChoiceStatus.CONFIRMED
            if draft.audience == MailingAudience.SESSION
            else ChoiceStatus.WAITLISTED
        )
        stmt = stmt.where(
            sa.exists().where(
                Choice.registration_id == Registration.id,
                Choice.session_id == draft.session_id,
                Choice.status == status,
            )
        )
    if not draft.is_essential:
        stmt = stmt.where(Registration.email_key.not_in(unsubscribe.opted_out(edition)))
    return stmt.order_by(Registration.id)


def _participant(registration: Registration) -> Recipient:
    return Recipient(
        registration.email,
        registration.first_name,
        registration.last_name,
        registration.language,
        absolute_url("participant.manage", token=registration.manage_token),
        registration,
    )


def _speakers(db: DbSession, edition: Edition, draft: Draft) -> list[Recipient]:
    """The people with a part in the programme and an address, each address once."""
    people = db.scalars(
        sa.select(Person)
        .where(
            Person.edition_id == edition.id,
            Person.email.is_not(None),
            sa.exists().where(SessionPerson.person_id == Person.id),
        )
        .order_by(Person.last_name, Person.first_name, Person.id)
    ).all()
    left = set() if draft.is_essential else set(db.scalars(unsubscribe.opted_out(edition)))
    found: dict[str, Recipient] = {}
    for person in people:
        recipient = Recipient(
            person.email or "",
            person.first_name,
            person.last_name,
            person.language,
            absolute_url("speaker.corner", token=person.speaker_token),
        )
        if recipient.email and recipient.key not in left:
            found.setdefault(recipient.key, recipient)
    return list(found.values())


def recipients(db: DbSession, edition: Edition, draft: Draft) -> list[Recipient]:
    if draft.audience == MailingAudience.SPEAKERS:
        return _speakers(db, edition, draft)
    return [_participant(r) for r in db.scalars(_registrations(edition, draft))]


def count_recipients(db: DbSession, edition: Edition, draft: Draft) -> int:
    if draft.audience == MailingAudience.SPEAKERS:
        return len(_speakers(db, edition, draft))
    return db.scalar(
        sa.select(sa.func.count()).select_from(_registrations(edition, draft).subquery())
    )


def first_recipient(db: DbSession, edition: Edition, draft: Draft) -> Recipient | None:
    if draft.audience == MailingAudience.SPEAKERS:
        return next(iter(_speakers(db, edition, draft)), None)
    first = db.scalar(_registrations(edition, draft).limit(1))
    return _participant(first) if first is not None else None
