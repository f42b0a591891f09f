"""What the organisers do with an edition's call for initiatives: open and close it, edit
and translate what was submitted, and decide on it (the submitter is e-mailed)."""

from __future__ import annotations

from datetime import datetime

from flask_babel import gettext as _
from sqlalchemy.orm import Session as DbSession

from school import i18n
from school.database import begin_write
from school.models import Edition, Initiative, Organiser
from school.models.vocabulary import Decision
from school.services import audit
from school.services.network.initiatives import (
    SUMMARY_MAX,
    Errors,
    InitiativeData,
    InvalidInitiative,
    apply_data,
    call_closes_at,
    check,
    notify_submitter,
    unprintable,
)

DECIDABLE = (Decision.ACCEPTED, Decision.DECLINED, Decision.CHANGES_REQUESTED)


def set_call(
    db: DbSession,
    edition: Edition,
    opens_at: datetime | None,
    closes_at: datetime | None,
    *,
    actor: audit.Actor,
) -> None:
    begin_write(db)
    closes = call_closes_at(edition, closes_at)
    if opens_at is not None and closes is not None and closes <= opens_at:
        message = (
            _("The call must close after it opens.")
            if closes_at is not None
            else _(
                "Without a closing date, the call closes when the edition ends (%(day)s): "
                "it must open before, or be given a closing date.",
                day=i18n.local_date(edition.ends_on, "long"),
            )
        )
        raise InvalidInitiative({"closes_at": [message]})
    edition.initiatives_open_at, edition.initiatives_close_at = opens_at, closes_at
    audit.record(
        db, actor, "call", f"edition:{edition.id}",
        {"opens_at": opens_at and opens_at.isoformat(),
         "closes_at": closes_at and closes_at.isoformat()},
        edition=edition,
    )  # fmt: skip
    db.flush()


def update_by_organiser(
    db: DbSession, initiative: Initiative, data: InitiativeData, *, actor: Organiser, now: datetime
) -> None:
    """Edit and translate, whatever the decision."""
    begin_write(db)
    errors = check(db, data, held_cite=initiative.cite)
    if errors:
        raise InvalidInitiative(errors)
    apply_data(initiative, data, now)
    audit.record(
        db, actor, "initiative.edit", f"initiative:{initiative.id}", edition=initiative.edition_id
    )
    db.flush()


def decide(
    db: DbSession,
    initiative: Initiative,
    decision: str,
    message: str | None,
    *,
    actor: audit.Actor,
    now: datetime,
) -> None:
    """Accept, decline or ask for changes; the submitter is e-mailed, in their language."""
    begin_write(db)
    errors: Errors = {}
    if decision not in {d.value for d in DECIDABLE}:
        errors["decision"] = [_("Please choose accepted, declined or changes_requested.")]
    message = (message or "").replace("\r\n", "\n").strip() or None
    if message and (len(message) > SUMMARY_MAX or unprintable(message)):
        errors["message"] = [_("Please keep it under %(max)d characters.", max=SUMMARY_MAX)]
    if decision == Decision.CHANGES_REQUESTED and not message:
        errors["message"] = [_("Please say which changes you ask for.")]
    if decision == Decision.ACCEPTED and not initiative.consent_publish:
        errors["decision"] = [_("The submitter has not agreed to publication.")]
    if errors:
        raise InvalidInitiative(errors)
    initiative.decision = decision
    initiative.decision_message = message
    initiative.decided_at = now
    initiative.updated_at = now
    audit.record(
        db, actor, "initiative.decide", f"initiative:{initiative.id}",
        {"decision": decision, "message": message}, edition=initiative.edition_id, now=now,
    )  # fmt: skip
    notify_submitter(db, initiative, "initiative_decision", now)
    db.flush()
