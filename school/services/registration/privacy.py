"""Personal data: what a participant can download about themselves, and the purge of a
past edition that keeps its figures but no one's identity.

The purge anonymises every registration of the edition (names, e-mail, organisation,
dietary and accessibility notes, photo consent; the private link stops working),
blanks the e-mails written to them and forgets who unsubscribed from its news. It
keeps what the counts need: category, country, Cité, days, meals, choices and
check-ins, and the survey's answers, no longer tied to anyone (the survey links stop
working). Speakers stay named, as in the printed programme, but lose their e-mail
address and private link.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from typing import Any

import sqlalchemy as sa
from flask_babel import gettext as _
from sqlalchemy.orm import Session as DbSession
from sqlalchemy.orm import joinedload

from school.models import (
    AuditEntry,
    CheckIn,
    Edition,
    MailingOptOut,
    OutboxMessage,
    Person,
    Registration,
    Survey,
    SurveyInvitation,
    SurveyResponse,
)
from school.models.people import new_private_token
from school.services import audit
from school.services.errors import DomainError
from school.services.registration import seats, waiting_lines

ANONYMOUS_DOMAIN = "invalid"  # RFC 2606: can never be delivered
ANONYMOUS_ADDRESS = f"anonymised@{ANONYMOUS_DOMAIN}"  # for an address tied to no registration


@dataclass
class PurgeReport:
    registrations: int
    messages: int
    speakers: int


def is_anonymised(registration: Registration) -> bool:
    return registration.email.endswith(f"@{ANONYMOUS_DOMAIN}")


def purge(
    db: DbSession, edition: Edition, *, actor: audit.Actor, now: datetime, force: bool = False
) -> PurgeReport:
    """Anonymise the edition's participants. Refused before the edition has ended, unless
    ``force``. Running it again changes nothing more."""
    if edition.ends_on >= now.astimezone(edition.tz).date() and not force:
        raise DomainError(
            _(
                "%(slug)s ends on %(day)s: its data is still needed. Purge it afterwards.",
                slug=edition.slug,
                day=edition.ends_on.isoformat(),
            ),
            code="not_ended",
        )
    seats.lock_edition(db, edition.id)
    registrations = db.scalars(
        sa.select(Registration).where(Registration.edition_id == edition.id)
    ).all()
    done = 0
    replaced: dict[str, str] = {}
    for registration in registrations:
        if is_anonymised(registration):
            continue
        address = f"anonymised-{registration.id}@{ANONYMOUS_DOMAIN}"
        replaced[registration.email] = replaced[registration.email_key] = address
        registration.first_name = "Anonymised"
        registration.last_name = f"#{registration.id}"
        registration.email = registration.email_key = address
        registration.organisation = None
        registration.dietary = None
        registration.accessibility = None
        registration.photo_consent = False
        registration.manage_token = new_private_token()
        registration.updated_at = now
        done += 1
    ids = [r.id for r in registrations]
    # Every message of the edition: to participants (linked or not), to speakers.
    mine = sa.or_(
        OutboxMessage.edition_id == edition.id,
        OutboxMessage.registration_id.in_(ids) if ids else sa.false(),
    )
    messages = db.execute(
        sa.update(OutboxMessage)
        .where(mine, OutboxMessage.text_body != "")
        .values(
            to_address=sa.case(
                (
                    OutboxMessage.registration_id.is_not(None),
                    sa.literal("anonymised-")
                    + sa.cast(OutboxMessage.registration_id, sa.String)
                    + f"@{ANONYMOUS_DOMAIN}",
                ),
                else_=ANONYMOUS_ADDRESS,
            ),
            subject="",
            text_body="",
            html_body=None,
            unsubscribe_url=None,
        )
    ).rowcount
    # Who left the edition's news: an address, and nothing more will be sent.
    db.execute(sa.delete(MailingOptOut).where(MailingOptOut.edition_id == edition.id))
    speakers = db.execute(
        sa.update(Person)
        .where(Person.edition_id == edition.id, Person.email.is_not(None))
        .values(email=None)
    ).rowcount
    for person in db.scalars(sa.select(Person).where(Person.edition_id == edition.id)):
        person.speaker_token = new_private_token()
    # The answers stay for the figures, tied to nobody; the links to the survey end.
    survey_id = sa.select(Survey.id).where(Survey.edition_id == edition.id).scalar_subquery()
    db.execute(
        sa.update(SurveyResponse)
        .where(SurveyResponse.survey_id == survey_id, SurveyResponse.invitation_id.is_not(None))
        .values(invitation_id=None)
    )
    for invitation in db.scalars(
        sa.select(SurveyInvitation).where(SurveyInvitation.survey_id == survey_id)
    ):
        invitation.token = new_private_token()
    # The audit log keeps who did what, but not the participants' addresses, nor the
    # speakers' (those they changed theirs from and to).
    for entry in db.scalars(sa.select(AuditEntry).where(AuditEntry.edition_id == edition.id)):
        if entry.details and replaced:
            entry.details = _scrub(entry.details, replaced)
        if entry.action == "speaker.updated" and (entry.details or {}).get("email"):
            entry.details = {
                **entry.details,
                "email": [ANONYMOUS_ADDRESS if a else a for a in entry.details["email"]],
            }
    audit.record(
        db,
        actor,
        "privacy.purged",
        f"edition:{edition.id}",
        {"registrations": done, "messages": messages, "speakers": speakers, "forced": force},
        edition=edition,
        now=now,
    )
    db.flush()
    return PurgeReport(done, messages, speakers)


def _scrub(value: Any, replaced: dict[str, str]) -> Any:
    if isinstance(value, dict):
        return {key: _scrub(item, replaced) for key, item in value.items()}
    if isinstance(value, list):
        return [_scrub(item, replaced) for item in value]
    return replaced.get(value, value) if isinstance(value, str) else value


def participant_data(db: DbSession, registration: Registration) -> dict[str, Any]:
    """Everything kept about a participant, for them to download."""
    edition = registration.edition
    positions = waiting_lines.waitlist_positions(
        db, [c.session_id for c in registration.choices if not c.is_confirmed]
    )
    checkins = db.scalars(
        sa.select(CheckIn)
        .where(CheckIn.registration_id == registration.id)
        .options(joinedload(CheckIn.session))
        .order_by(CheckIn.scanned_at, CheckIn.id)
    ).all()
    messages = db.scalars(
        sa.select(OutboxMessage)
        .where(OutboxMessage.registration_id == registration.id)
        .order_by(OutboxMessage.created_at, OutboxMessage.id)
    ).all()

    survey = db.execute(
        sa.select(SurveyInvitation, SurveyResponse)
        .outerjoin(SurveyResponse, SurveyResponse.invitation_id == SurveyInvitation.id)
        .where(SurveyInvitation.registration_id == registration.id)
    ).first()

    def when(moment: datetime | None) -> str | None:
        return moment.astimezone(edition.tz).isoformat() if moment else None

    def session(s) -> dict[str, Any]:
        return {"id": s.id, "title": s.title_fr, "title_en": s.title_en,
                "starts_at": when(s.starts_at), "ends_at": when(s.ends_at)}  # fmt: skip

    choices = sorted(registration.choices, key=lambda c: (c.session.starts_at, c.session_id))
    return {
        "edition": {"slug": edition.slug, "title": edition.title_fr},
        "registration": {
            "id": registration.id,
            "first_name": registration.first_name,
            "last_name": registration.last_name,
            "email": registration.email,
            "organisation": registration.organisation,
            "cite": registration.cite,
            "country": registration.country,
            "category": registration.category,
            "language": registration.language,
            "dietary": registration.dietary,
            "accessibility": registration.accessibility,
            "privacy_consent_at": when(registration.privacy_consent_at),
            "photo_consent": registration.photo_consent,
            "status": registration.status,
            "created_at": when(registration.created_at),
            "updated_at": when(registration.updated_at),
            "cancelled_at": when(registration.cancelled_at),
        },
        "days": [day.isoformat() for day in registration.attended_dates],
        "meals": [
            session(m.session)
            for m in sorted(registration.meals, key=lambda m: m.session.starts_at)
        ],
        "choices": [
            {
                "session": session(c.session),
                "status": c.status,
                "waitlist_position": positions.get(c.id),
                "since": when(c.queued_at),
            }
            for c in choices
        ],
        "checkins": [
            {
                "day": scan.day.isoformat(),
                "checkpoint": scan.session.title_fr if scan.session else "entrance",
                "scanned_at": when(scan.scanned_at),
                "verdict": scan.verdict,
                "undone_at": when(scan.undone_at),
            }
            for scan in checkins
        ],
        "survey": None
        if survey is None
        else {
            "invited_at": when(survey[0].invited_at),
            "reminded_at": when(survey[0].reminded_at),
            "submitted_at": when(survey[1].submitted_at) if survey[1] else None,
            "answers": survey[1].answers if survey[1] else None,
        },
        "emails": [
            {
                "to": message.to_address,
                "subject": message.subject,
                "purpose": message.purpose,
                "queued_at": when(message.created_at),
                "sent_at": when(message.sent_at),
                "text": message.text_body,
            }
            for message in messages
        ],
    }


# -- the privacy notice at /<slug>/privacy

NOTICE_MAX = 20_000


def custom_notice(edition: Edition, language: str) -> str | None:
    """The organisers' own notice in this language (else in French), or None: the page
    then shows the default text."""
    own = edition.privacy_notice_en if language == "en" else edition.privacy_notice_fr
    return own or edition.privacy_notice_fr or None


def save_notice(
    db: DbSession,
    edition: Edition,
    texts: dict[str, str | None],
    *,
    actor: audit.Actor,
    now: datetime,
) -> None:
    """The organisers' notice (Markdown) in French and English; empty: the default text."""
    cleaned = {lang: (texts.get(lang) or "").strip() or None for lang in ("fr", "en")}
    for value in cleaned.values():
        if value is not None and len(value) > NOTICE_MAX:
            raise DomainError(
                _("Please keep it under %(max)d characters.", max=NOTICE_MAX), code="invalid"
            )
    edition.privacy_notice_fr, edition.privacy_notice_en = cleaned["fr"], cleaned["en"]
    given = {lang: bool(value) for lang, value in cleaned.items()}
    target = f"edition:{edition.id}"
    action = "edition.privacy_notice_changed"
    audit.record(db, actor, action, target, given, edition=edition, now=now)
    db.flush()
