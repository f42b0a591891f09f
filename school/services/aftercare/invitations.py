"""Who is asked to answer the survey, and reminded: the people checked in at the edition
(a standing check-in, ``CheckIn.is_standing``, anywhere), never those who did not come;
each invited once, by e-mail, with a private link of their own (an unguessable token);
reminded only while they have not submitted their answer.

Invitations and reminders are decided under a write lock on the survey, so two
organisers clicking at once (or a click and the command) cannot write to anyone twice.
The privacy purge (``registration.privacy.purge``) unties every answer from its person
and ends every survey link.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timedelta

import sqlalchemy as sa
from sqlalchemy.orm import Session as DbSession

from school.database import begin_write, lock_rows
from school.models import (
    CheckIn,
    Edition,
    Registration,
    Survey,
    SurveyInvitation,
    SurveyResponse,
)
from school.services.aftercare.survey import ensure_survey
from school.services.mail import writing
from school.services.registration.privacy import ANONYMOUS_DOMAIN
from school.urls import absolute_url

# A reminder goes to those invited or reminded at least this long ago: a second click
# on the button, or the command run twice, writes to nobody again.
REMIND_AFTER = timedelta(hours=12)


@dataclass
class Sent:
    sent: int  # e-mails queued
    skipped: int  # already invited (invite) or written to too recently (remind)


def survey_url(invitation: SurveyInvitation, language: str) -> str:
    return absolute_url("survey.form", token=invitation.token, lang=language)


def came(edition: Edition) -> sa.Select:
    """The registrations of ``edition`` checked in at least once (ids), still named."""
    return (
        sa.select(CheckIn.registration_id)
        .join(Registration, Registration.id == CheckIn.registration_id)
        .where(
            CheckIn.edition_id == edition.id,
            CheckIn.is_standing,
            ~Registration.email.endswith(f"@{ANONYMOUS_DOMAIN}"),
        )
        .distinct()
    )


def checked_in(db: DbSession, edition: Edition) -> int:
    """How many people the survey is for: those checked in at least once."""
    return db.scalar(sa.select(sa.func.count()).select_from(came(edition).subquery()))


def _locked_survey(db: DbSession, edition: Edition) -> Survey:
    """The edition's survey, made if need be, locked until the transaction ends."""
    begin_write(db)
    ensure_survey(db, edition)
    return db.scalar(
        lock_rows(db, sa.select(Survey).where(Survey.edition_id == edition.id)).execution_options(
            populate_existing=True
        )
    )


def invite(db: DbSession, edition: Edition, *, now: datetime) -> Sent:
    """Invite everyone checked in who has not been invited yet. Flushes; the caller
    commits (and the outbox sends)."""
    survey = _locked_survey(db, edition)
    invited = sa.select(SurveyInvitation.registration_id).where(
        SurveyInvitation.survey_id == survey.id, SurveyInvitation.registration_id.is_not(None)
    )
    people = db.scalars(
        sa.select(Registration)
        .where(Registration.id.in_(came(edition)), Registration.id.not_in(invited))
        .order_by(Registration.id)
    ).all()
    already = db.scalar(
        sa.select(sa.func.count(SurveyInvitation.id)).where(
            SurveyInvitation.survey_id == survey.id,
            SurveyInvitation.registration_id.in_(came(edition)),
        )
    )
    for registration in people:
        invitation = SurveyInvitation(
            survey_id=survey.id, registration_id=registration.id, invited_at=now
        )
        db.add(invitation)
        db.flush()
        _write(db, edition, registration, invitation, "survey_invitation", now)
    db.flush()
    return Sent(len(people), already or 0)


def remind(db: DbSession, edition: Edition, *, now: datetime) -> Sent:
    """Remind those invited who have not submitted their answer (a draft is not an
    answer), unless they were written to less than ``REMIND_AFTER`` ago."""
    survey = _locked_survey(db, edition)
    answered = sa.select(SurveyResponse.invitation_id).where(
        SurveyResponse.survey_id == survey.id,
        SurveyResponse.submitted_at.is_not(None),
        SurveyResponse.invitation_id.is_not(None),
    )
    waiting = db.execute(
        sa.select(SurveyInvitation, Registration)
        .join(Registration, Registration.id == SurveyInvitation.registration_id)
        .where(SurveyInvitation.survey_id == survey.id, SurveyInvitation.id.not_in(answered))
        .order_by(SurveyInvitation.id)
    ).all()
    sent = skipped = 0
    for invitation, registration in waiting:
        last = max(invitation.invited_at, invitation.reminded_at or invitation.invited_at)
        if now - last < REMIND_AFTER:
            skipped += 1
            continue
        invitation.reminded_at = now
        invitation.reminders += 1
        _write(db, edition, registration, invitation, "survey_reminder", now)
        sent += 1
    db.flush()
    return Sent(sent, skipped)


def _write(db, edition, registration, invitation, template, now) -> None:
    writing.queue_mail(
        db,
        to=registration.email,
        template=template,
        language=registration.language,
        purpose=template,
        now=now,
        flush=False,
        registration=registration,
        edition=edition,
        survey_url=survey_url(invitation, registration.language),
    )
