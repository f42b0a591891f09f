"""Writing e-mail into the outbox: a message is rendered from ``templates/mail/<name>``
(``.txt`` and ``.html``, in the recipient's language, with the footer every message
carries) and stored with the change that caused it; ``outbox`` sends it.

- ``queue_mail`` renders a message in the caller's transaction, and notes on the
  database session that this transaction queued mail: the sender is woken once it
  commits (``committed`` and ``ended``, called by the hooks ``web.actions`` installs).
- ``queue_to_write`` stores a message unwritten, in the caller's transaction; the
  sender writes it (``write_waiting``) just before sending it. The confirmation of a
  registration is queued so: when registration opens, hundreds of people a second wait
  for their answer, and the two templates rendered for each of them in the request (after
  its commit, then stored by a second transaction) were a quarter of its time. The
  sender writes them in batches, at its own pace, with what they say then (a place in
  line that moved meanwhile is the new one).
"""

from __future__ import annotations

import functools
import logging
import uuid
from collections.abc import Callable
from datetime import datetime
from typing import Any

import sqlalchemy as sa
from flask import render_template
from flask_babel import force_locale
from sqlalchemy.orm import Session as DbSession
from sqlalchemy.orm import joinedload, selectinload
from sqlalchemy.orm.interfaces import ORMOption

from school.database import begin_write, utcnow
from school.models import Choice, Edition, OutboxMessage, Registration, RegistrationMeal
from school.models.vocabulary import MailFailure
from school.urls import absolute_url

log = logging.getLogger(__name__)

_QUEUED_MAIL = "school.writing.queued_mail"  # keys of the database session's ``info``
_COMMITTED = "school.writing.committed_mail"

# What a template written after the commit is rendered with, for its registration.
Context = Callable[[DbSession, Registration], dict[str, Any]]
_CONTEXTS: dict[str, Context] = {}

# Messages written a transaction: a sender that fails on one batch loses no more, and the
# rows it holds locked stay few.
WRITE_BATCH = 100


def queue_mail(
    db: DbSession,
    *,
    to: str,
    template: str,
    language: str,
    purpose: str,
    batch: str | None = None,
    now: datetime | None = None,
    flush: bool = True,
    registration_id: int | None = None,
    unsubscribe_url: str | None = None,
    **context: Any,
) -> OutboxMessage:
    """Render ``templates/mail/<template>`` in ``language`` into the outbox (flushes,
    unless ``flush=False``: a mailing adds a thousand messages and flushes once).

    A message rendered for a ``registration`` (or given its ``registration_id``) is linked
    to it, and every message to its ``edition``: the participant's data download lists
    it, the privacy purge blanks it. A message about an edition goes out under its
    title, replies go to its contact, and its footer says why the recipient gets it,
    whom to write to and where the privacy notice is. Only a non-essential mailing
    gives an ``unsubscribe_url`` (its List-Unsubscribe header and footer link).
    """
    edition: Edition | None = context.get("edition")
    registration_id = registration_id or getattr(context.get("registration"), "id", None)
    message = OutboxMessage(
        to_address=to,
        purpose=purpose,
        batch=batch,
        registration_id=registration_id,
        edition_id=edition.id if edition is not None else None,
        unsubscribe_url=unsubscribe_url,
        created_at=now or utcnow(),
        send_after=now or utcnow(),
        **_rendered(template, language, registration_id, unsubscribe_url, context),
    )
    db.add(message)
    mark_queued(db)
    if flush:
        db.flush()
    return message


def _rendered(
    template: str,
    language: str,
    registration_id: int | None,
    unsubscribe_url: str | None,
    context: dict[str, Any],
) -> dict[str, Any]:
    """The written parts of a message: subject, bodies, and whom it comes from."""
    edition: Edition | None = context.get("edition")
    footer = {
        "unsubscribe_url": unsubscribe_url,
        # Everyone we write to without a registration takes part in the programme.
        "to_participant": registration_id is not None,
        "privacy_url": privacy_url(edition) if edition is not None else None,
    }
    with force_locale(language):
        text = render_template(f"mail/{template}.txt", language=language, **context)
        html = render_template(f"mail/{template}.html", language=language, footer=footer, **context)
        signature = render_template("mail/_footer.txt", language=language, footer=footer, **context)
    subject, _, body = text.partition("\n")
    return {
        "subject": subject.removeprefix("Subject:").strip(),
        "text_body": body.strip("\n") + "\n\n" + signature.strip("\n") + "\n",
        "html_body": html,
        "sender_name": edition.text("title", language) if edition is not None else None,
        "reply_to": edition.contact_email if edition is not None else None,
    }


def renders(template: str) -> Callable[[Context], Context]:
    """Declare what ``template`` is rendered with when it is written after the commit."""

    def declare(context: Context) -> Context:
        _CONTEXTS[template] = context
        return context

    return declare


def queue_to_write(
    db: DbSession, registration: Registration, *, template: str, purpose: str, now: datetime
) -> None:
    """Store a message to ``registration``, written by the sender (``write_waiting``) just
    before it sends it, from the database, with what ``renders(template)`` declared.
    Its row is inserted at once, by Core: nothing reads it back in this transaction, and
    every registration queues one (the ORM's flush of it cost more than the insert)."""
    if template not in _CONTEXTS:
        raise ValueError(f"no context declared for the mail template {template!r}")
    if registration.id is None:
        raise ValueError("a registration's mail is queued once the registration is stored")
    db.connection().execute(  # Core, not the ORM session's execution: see write_now
        _queue_statement(),
        {
            "to_address": registration.email,
            "subject": "",
            "text_body": "",
            "template": template,
            "purpose": purpose,
            "registration_id": registration.id,
            "edition_id": registration.edition_id,
            "created_at": now,
            "send_after": now,
        },
    )
    mark_queued(db)


@functools.cache
def _queue_statement() -> sa.Insert:
    """Built once (the columns not given take their defaults)."""
    return sa.insert(OutboxMessage.__table__)


def committed(db: DbSession) -> None:
    """The transaction committed (the commit hook): what it queued is in the outbox."""
    if db.info.pop(_QUEUED_MAIL, None):
        db.info[_COMMITTED] = True


def ended(db: DbSession) -> bool:
    """The transaction ended (the hook): whether it committed mail, for the sender to be
    woken. What a rolled-back transaction queued is forgotten with it."""
    db.info.pop(_QUEUED_MAIL, None)
    return bool(db.info.pop(_COMMITTED, None))


@functools.cache
def _written_with() -> ORMOption:
    """What a confirmation is written with, loaded for a batch at once rather than row by
    row. Built on first use: at import, it would configure every mapper."""
    return selectinload(OutboxMessage.registration).options(
        joinedload(Registration.edition),
        selectinload(Registration.choices).joinedload(Choice.session),
        selectinload(Registration.meals).joinedload(RegistrationMeal.session),
        selectinload(Registration.rankings),
    )


def write_waiting(db: DbSession, *, ids: list[int] | None = None) -> int:
    """Write the messages still unwritten (those of ``ids``, or all), ``WRITE_BATCH`` a
    transaction; commits; returns how many were written. A message whose registration is
    gone, or that cannot be rendered, is given up alone."""
    written = 0
    while True:
        begin_write(db)
        waiting = sa.select(OutboxMessage).where(unwritten())
        if ids is not None:
            waiting = waiting.where(OutboxMessage.id.in_(ids))
        # SKIP LOCKED: two senders share what waits instead of queueing behind each other,
        # and never write the same message twice.
        messages = db.scalars(
            waiting.order_by(OutboxMessage.id)
            .limit(WRITE_BATCH)
            .with_for_update(of=OutboxMessage, skip_locked=True)
            .options(_written_with())
        ).all()
        if not messages:
            db.rollback()
            return written
        for message in messages:
            _write(db, message)
        db.commit()
        written += len(messages)


def _write(db: DbSession, message: OutboxMessage) -> None:
    registration = message.registration
    context = _CONTEXTS.get(message.template or "")
    if registration is None or context is None:
        _give_up(message, f"nothing to write {message.template!r} from")
    else:
        try:
            values = {"registration": registration, "edition": registration.edition}
            values |= context(db, registration)
            rendered = _rendered(
                message.template or "", registration.language, registration.id, None, values
            )
        except Exception as exc:  # whatever it is, it is about this message alone
            log.exception("mail %s could not be written", message.id)
            _give_up(message, f"{type(exc).__name__}: {exc}")
        else:
            for name, value in rendered.items():
                setattr(message, name, value)
            message.to_address = registration.email
    message.template = None


def _give_up(message: OutboxMessage, why: str) -> None:
    message.failed_at, message.failure = utcnow(), MailFailure.UNBUILDABLE
    message.last_error = why[:500]


def unwritten() -> sa.ColumnElement[bool]:
    """A message whose text is not written yet: not sent before it is."""
    return OutboxMessage.template.is_not(None)


def privacy_url(edition: Edition) -> str:
    """The edition's privacy notice, ``/<slug>/privacy`` (a public interface)."""
    return absolute_url("public.privacy", slug=edition.slug)


def mark_queued(db: DbSession) -> None:
    """Note that this transaction queued mail: the sender wakes once it commits."""
    db.info[_QUEUED_MAIL] = True


def new_batch() -> str:
    return uuid.uuid4().hex
