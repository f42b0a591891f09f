"""Writing e-mail into the outbox: a message is rendered from ``templates/mail/<name>``
(``.txt`` and ``.html``, in the recipient's language, with the footer every message
carries) and stored with the change that caused it; ``outbox`` sends it.

- ``queue_mail`` renders a message in the caller's transaction, and notes on the
  database session that this transaction queued mail: the sender is woken once it
  commits (``committed`` and ``ended``, called by the hooks ``web.actions`` installs).
- ``queue_after_commit`` stores a message whose text is written once its transaction
  has committed (``ended``, from the commit hook), in a short transaction
  of its own, by the function the template ``renders`` names. The confirmation of a
  registration is written so: its seats are decided under locks held until the commit,
  and everyone registering for the same workshop waits for that commit; rendering two
  templates there made each of them wait for all the others' e-mails. Its row is stored
  in the registration's transaction all the same, so a process that dies between the
  two loses nothing: the sender writes what is still unwritten (``write_waiting``)
  before it sends.
"""

from __future__ import annotations

import logging
import uuid
from collections.abc import Callable
from contextlib import AbstractContextManager, nullcontext
from datetime import datetime, timedelta
from typing import Any

import sqlalchemy as sa
from flask import Flask, current_app, has_app_context, render_template
from flask_babel import force_locale
from sqlalchemy.orm import Session as DbSession

from school.database import begin_write, utcnow
from school.models import Edition, OutboxMessage, Registration
from school.models.vocabulary import MailFailure
from school.urls import absolute_url

log = logging.getLogger(__name__)

_QUEUED_MAIL = "school.writing.queued_mail"  # keys of the database session's ``info``
_TO_WRITE = "school.outbox.to_write"
_COMMITTED = "school.outbox.committed"

# What a template written after the commit is rendered with, for its registration.
Context = Callable[[DbSession, Registration], dict[str, Any]]
_CONTEXTS: dict[str, Context] = {}

# A message still unwritten this long after it was queued was left by a process that
# stopped between its two transactions: the sender writes it.
LEFT_AFTER = timedelta(minutes=1)


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


def queue_after_commit(
    db: DbSession,
    registration: Registration,
    *,
    template: str,
    purpose: str,
    now: datetime,
    context: Callable[[], dict[str, Any]] | None = None,
) -> OutboxMessage:
    """Store a message to ``registration``, written once this transaction has committed,
    then sent. Nothing is flushed here: the row goes with the transaction's last flush.

    ``context`` gives what the template is written with, from what the transaction holds
    in memory: it is called as the transaction commits, when no query can run any more.
    If it needs one (something not loaded), or is not given, the message is written
    from the database instead, with what ``renders(template)`` declared."""
    if template not in _CONTEXTS:
        raise ValueError(f"no context declared for the mail template {template!r}")
    message = OutboxMessage(
        to_address=registration.email,
        subject="",
        text_body="",
        template=template,
        purpose=purpose,
        registration=registration,
        edition_id=registration.edition_id,
        created_at=now,
        send_after=now,
    )
    db.add(message)
    # The app too: the transaction may commit outside its context (a script, a test).
    app = current_app._get_current_object()
    db.info.setdefault(_TO_WRITE, []).append((message, context, app))
    mark_queued(db)
    return message


def committed(db: DbSession) -> None:
    """The transaction committed (the commit hook): what it queued is in the outbox.
    What it left to write is rendered now, while what it read is still in memory (the
    commit is about to expire it); it is stored once the connection is free (``ended``)."""
    if not db.info.get(_QUEUED_MAIL):
        return
    written: list[tuple[OutboxMessage, dict[str, Any] | None, Flask]] = []
    for message, context, app in db.info.pop(_TO_WRITE, []):
        with _within(app):
            written.append((message, _from_memory(message, context), app))
    db.info[_COMMITTED] = written


def _within(app: Flask) -> AbstractContextManager:
    return nullcontext() if has_app_context() else app.app_context()


def _from_memory(
    message: OutboxMessage, context: Callable[[], dict[str, Any]] | None
) -> dict[str, Any] | None:
    if context is None or sa.inspect(message).identity is None:
        return None
    try:
        registration = message.registration
        values = {"registration": registration, "edition": registration.edition} | context()
        language = registration.language
        return _rendered(message.template or "", language, registration.id, None, values)
    except Exception as exc:  # it needed a query: written from the database instead
        log.info("mail %s written from the database: %s", sa.inspect(message).identity, exc)
        return None


def ended(db: DbSession) -> bool:
    """The transaction ended (the hook, once its connection went back to the pool: a
    request never holds two). Stores the messages it committed and left to write, in a
    transaction of their own, and says whether it committed mail (the sender is to be
    woken). Never raises: each message is safe in the outbox already, and the sender
    writes what fails here. The next transaction starts afresh."""
    written = db.info.pop(_COMMITTED, None)
    db.info.pop(_QUEUED_MAIL, None)
    db.info.pop(_TO_WRITE, None)  # rolled back: never stored
    if written is None:
        return False
    ready = [
        {"written_id": sa.inspect(message).identity[0], **values}
        for message, values, _app in written
        if values is not None
    ]
    unread = [
        (sa.inspect(message).identity[0], app)
        for message, values, app in written
        if values is None and sa.inspect(message).identity is not None
    ]
    try:
        if ready:
            _store(db.get_bind(), ready)
        for message_id, app in unread:
            with _within(app), DbSession(bind=db.get_bind()) as own:
                write_waiting(own, ids=[message_id])
    except Exception:
        log.exception("mail not written after its commit: the sender will write it")
    for message, _values, _app in written:  # what this session holds of them is now stale
        if sa.inspect(message).identity is not None:
            db.expire(message)
    return True


def _store(engine: sa.Engine, ready: list[dict[str, Any]]) -> None:
    """One statement for the messages rendered at the commit; one still unwritten only
    (a sender may have written it meanwhile, from the database)."""
    table = OutboxMessage.__table__
    store = (
        table.update()
        .where(table.c.id == sa.bindparam("written_id"), table.c.template.is_not(None))
        .values(template=None)
    )
    with engine.connect() as connection:
        connection = connection.execution_options(sqlite_immediate=True)
        with connection.begin():
            if engine.dialect.name == "postgresql":
                # Not waited for on disk: lost in a crash, the message is still there
                # unwritten, and the sender writes it (the registration's commit was).
                connection.exec_driver_sql("SET LOCAL synchronous_commit = off")
            connection.execute(store, ready)


def write_waiting(
    db: DbSession, *, ids: list[int] | None = None, now: datetime | None = None
) -> int:
    """Write the messages still unwritten: those of ``ids``, or those left longer than
    ``LEFT_AFTER`` (a process stopped between its two transactions). Commits; returns
    how many were written. A message whose registration is gone is given up."""
    begin_write(db)
    waiting = sa.select(OutboxMessage).where(OutboxMessage.template.is_not(None))
    if ids is not None:
        waiting = waiting.where(OutboxMessage.id.in_(ids))
    else:
        waiting = waiting.where(OutboxMessage.created_at < (now or utcnow()) - LEFT_AFTER)
    # FOR UPDATE: the hook and a sender never write the same message twice.
    messages = db.scalars(waiting.order_by(OutboxMessage.id).with_for_update()).all()
    for message in messages:
        _write(db, message)
    db.commit()
    return len(messages)


def _write(db: DbSession, message: OutboxMessage) -> None:
    registration = message.registration
    context = _CONTEXTS.get(message.template or "")
    if registration is None or context is None:
        message.failed_at, message.failure = utcnow(), MailFailure.UNBUILDABLE
        message.last_error = f"nothing to write {message.template!r} from"
    else:
        values = {"registration": registration, "edition": registration.edition}
        values |= context(db, registration)
        rendered = _rendered(message.template, registration.language, registration.id, None, values)
        for name, value in rendered.items():
            setattr(message, name, value)
        message.to_address = registration.email
    message.template = None


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
