"""E-mail through an outbox: a message is stored with the change that caused it,
then sent; a mail server that is down delays it and loses nothing.

- ``mail.writing`` writes messages into the outbox.
- ``send_pending`` sends what is due, claiming each message first so two senders
  (two workers, a worker and ``flask mail send``) never send it twice. A message
  refused for now, or kept back by a server that is down, is retried later with a
  growing delay; one that cannot be built or is refused for good is given up alone,
  with its reason (``failed_at``, ``failure``, ``last_error``), and never holds back
  another. Organisers see it and may resend it (``services.mail.failures``).
- ``wake`` starts a background sender in this process after a request committed
  mail (``school.web.actions`` calls it from the commit), so no request waits for the
  mail server.
"""

from __future__ import annotations

import logging
import threading
from dataclasses import dataclass
from datetime import datetime, timedelta
from email.headerregistry import Address
from email.message import EmailMessage
from email.utils import format_datetime, make_msgid, parseaddr
from typing import Any
from urllib.parse import urlsplit

import sqlalchemy as sa
from flask import Flask
from sqlalchemy.orm import Session as DbSession

from school.database import begin_write, utcnow
from school.models import OutboxMessage
from school.models.vocabulary import MailFailure
from school.services.email_addresses import address_for_delivery
from school.services.mail import headers, writing
from school.services.mail.transports import Outcome, Transport, Verdict, transport_for, verdict

log = logging.getLogger(__name__)

MAX_ATTEMPTS = 12
CLAIM_FOR = timedelta(minutes=2)


def is_due(now: datetime) -> sa.ColumnElement[bool]:
    """A message to send now: written, not sent, its time come, not given up, and not
    claimed by a sender (or its claim ran out: that sender died)."""
    return sa.and_(
        sa.not_(writing.unwritten()),
        OutboxMessage.sent_at.is_(None),
        OutboxMessage.send_after <= now,
        OutboxMessage.failed_at.is_(None),
        sa.or_(OutboxMessage.claimed_until.is_(None), OutboxMessage.claimed_until < now),
    )


def is_given_up() -> sa.ColumnElement[bool]:
    """A message given up for good (refused, unbuildable, or ``MAX_ATTEMPTS`` tried):
    never due again, unless an organiser resends it."""
    return sa.and_(OutboxMessage.sent_at.is_(None), OutboxMessage.failed_at.is_not(None))


def message_id_domain(app: Flask) -> str:
    """The right-hand side of our Message-IDs: the site's host (``BASE_URL``), else the
    sender's domain."""
    host = urlsplit(app.config.get("BASE_URL") or "").hostname
    sender = parseaddr(app.config["MAIL_SENDER"])[1]
    return host or sender.rpartition("@")[2] or "localhost"


class Unbuildable(Exception):
    def __init__(self, failure: MailFailure, detail: str):
        super().__init__(detail)
        self.failure, self.detail = failure, detail


def as_email(message: OutboxMessage, sender: str, domain: str | None = None) -> EmailMessage:
    """The message as it is sent: from the server's address under the edition's name,
    replies to the edition's contact. Raises ``Unbuildable`` when it cannot be written."""
    to = address_for_delivery(message.to_address)
    if to is None:
        raise Unbuildable(MailFailure.INVALID_ADDRESS, f"not an address: {message.to_address!r}")
    name, address = parseaddr(sender)
    # A sender setting without an address is the configuration's fault, not this
    # message's: it raises, and no message is given up for it.
    server = Address(addr_spec=address)
    try:
        email = EmailMessage(policy=headers.POLICY)
        email["From"] = Address(
            message.sender_name or name, username=server.username, domain=server.domain
        )
        email["To"] = to
        reply_to = message.reply_to and address_for_delivery(message.reply_to)
        if reply_to:
            email["Reply-To"] = reply_to
        email["Subject"] = message.subject
        email["Date"] = format_datetime(utcnow())
        email["Message-ID"] = make_msgid(domain=domain or server.domain)
        if message.unsubscribe_url:  # RFC 2369 and RFC 8058 (one click, by POST)
            email["List-Unsubscribe"] = f"<{message.unsubscribe_url}>"
            email["List-Unsubscribe-Post"] = "List-Unsubscribe=One-Click"
        email.set_content(message.text_body)
        if message.html_body:
            email.add_alternative(message.html_body, subtype="html")
    except (ValueError, TypeError, LookupError) as exc:  # a header the library refuses
        raise Unbuildable(MailFailure.UNBUILDABLE, f"{type(exc).__name__}: {exc}") from exc
    return email


CLAIM_BATCH = 50  # messages claimed in one transaction


@dataclass
class Round:
    """What became of the messages a round of sending took on."""

    sent: int = 0
    failed: int = 0  # given up for good (``failure`` on the message says why)
    retrying: int = 0  # refused for now, or the server is down: tried again later
    unreachable: bool = False  # the server could not be reached: the round stopped

    @property
    def handled(self) -> int:
        return self.sent + self.failed + self.retrying

    def add(self, other: Round) -> None:
        self.sent += other.sent
        self.failed += other.failed
        self.retrying += other.retrying
        self.unreachable = self.unreachable or other.unreachable


def send_pending(
    db: DbSession,
    transport: Transport,
    sender: str,
    *,
    domain: str | None = None,
    now: datetime | None = None,
    limit: int = 500,
) -> Round:
    """Send what is due. Each message claimed ends sent, given up (alone: the others go
    on) or due again later; the round stops early only when the server is unreachable.
    Commits after each message: it is a worker, not a request."""
    report = Round()
    try:
        while report.handled < limit:
            claimed = _claim(db, now or utcnow(), min(CLAIM_BATCH, limit - report.handled))
            if not claimed:
                break
            rows = db.scalars(sa.select(OutboxMessage).where(OutboxMessage.id.in_(claimed)))
            ready = {m.id: (_built(m, sender, domain), m.attempts + 1) for m in rows}
            db.rollback()  # hold no transaction while talking to the mail server
            for index, message_id in enumerate(claimed):
                if message_id not in ready:
                    continue
                email, attempts = ready[message_id]
                result = _send_one(db, transport, message_id, email, attempts)
                if result.outcome is Outcome.SENT:
                    report.sent += 1
                elif result.failure is not None:
                    report.failed += 1
                else:
                    report.retrying += 1
                if result.outcome is Outcome.UNREACHABLE:  # the rest would fail alike
                    _release(db, claimed[index + 1 :])
                    report.unreachable = True
                    return report
    finally:
        transport.close()
    return report


def send_due(app: Flask, db: DbSession, *, limit: int = 500) -> Round:
    """One round of sending with the app's settings (the CLI, the worker, the background
    sender), after writing what is queued unwritten."""
    writing.write_waiting(db)
    return send_pending(
        db,
        transport_for(app),
        app.config["MAIL_SENDER"],
        domain=message_id_domain(app),
        limit=limit,
    )


def _built(message: OutboxMessage, sender: str, domain: str | None) -> EmailMessage | Unbuildable:
    try:
        return as_email(message, sender, domain)
    except Unbuildable as exc:
        return exc


def _send_one(
    db: DbSession,
    transport: Transport,
    message_id: int,
    email: EmailMessage | Unbuildable,
    attempts: int,
) -> Verdict:
    """Send one claimed message and record what became of it: sent, given up (its
    ``failure`` set), or due again after a delay that grows with each attempt."""
    if isinstance(email, Unbuildable):
        found = Verdict(Outcome.FAILED, email.failure, email.detail)
    else:
        try:
            transport.send(email)
        except Exception as exc:  # whatever it is, it is about this message
            found = verdict(exc)
        else:
            _record(db, message_id, attempts=attempts, sent_at=utcnow(), claimed_until=None)
            return Verdict(Outcome.SENT)
    if found.failure is None and attempts >= MAX_ATTEMPTS:  # refused for now, every time
        found = Verdict(found.outcome, MailFailure.GAVE_UP, found.detail)
    values: dict[str, Any] = {
        "attempts": attempts,
        "last_error": found.detail[:500],
        "claimed_until": None,
    }
    if found.failure is not None:
        values |= {"failed_at": utcnow(), "failure": found.failure}
    else:
        values["send_after"] = utcnow() + timedelta(seconds=min(30 * 2**attempts, 6 * 3600))
    _record(db, message_id, **values)
    log.warning("mail %s not sent (%s): %s", message_id, found.failure or "later", found.detail)
    return found


def _record(db: DbSession, message_id: int, **values: Any) -> None:
    begin_write(db)
    db.execute(sa.update(OutboxMessage).where(OutboxMessage.id == message_id).values(**values))
    db.commit()


def _release(db: DbSession, message_ids: list[int]) -> None:
    if message_ids:
        begin_write(db)
        db.execute(
            sa.update(OutboxMessage)
            .where(OutboxMessage.id.in_(message_ids), OutboxMessage.sent_at.is_(None))
            .values(claimed_until=None)
        )
        db.commit()


def _claim(db: DbSession, now: datetime, size: int) -> list[int]:
    """Claim up to ``size`` due messages. Only the rows this update changed are ours:
    another sender that claimed a row first made the condition false for us."""
    begin_write(db)
    due = is_due(now)
    candidates = db.scalars(
        sa.select(OutboxMessage.id)
        .where(due)
        .order_by(OutboxMessage.send_after, OutboxMessage.id)
        .limit(size)
    ).all()
    if not candidates:
        db.rollback()
        return []
    claimed = db.scalars(
        sa.update(OutboxMessage)
        .where(OutboxMessage.id.in_(candidates), due)
        .values(claimed_until=now + CLAIM_FOR)
        .returning(OutboxMessage.id)
    ).all()
    db.commit()
    return sorted(claimed, key=candidates.index)


_wake_lock = threading.Lock()


def wake(app: Flask) -> None:
    """Send the outbox in the background, once at a time in this process."""
    if not app.config.get("MAIL_SEND_AFTER_REQUEST", True):
        return
    if not _wake_lock.acquire(blocking=False):
        return  # a sender is already running; it will find the new message
    threading.Thread(target=_drain, args=(app,), daemon=True, name="mail-sender").start()


def _drain(app: Flask) -> None:
    from school.extensions import db

    with app.app_context():
        while True:
            try:
                send_due(app, db.session)
            except Exception:
                log.exception("background mail sender failed")
            finally:
                db.session.remove()
                _wake_lock.release()
            # A message queued while we were finishing would otherwise wait for the worker.
            if not has_due(db.session) or not _wake_lock.acquire(blocking=False):
                db.session.remove()
                return


def has_due(db: DbSession, now: datetime | None = None) -> bool:
    """Whether a round would find something: due, or still to write."""
    waiting = sa.or_(is_due(now or utcnow()), writing.unwritten())
    due = db.scalar(sa.select(OutboxMessage.id).where(waiting).limit(1))
    db.rollback()
    return due is not None


def wait_idle(timeout: float = 30) -> None:
    """Wait until this process's background sender has finished (tests, shutdown)."""
    if _wake_lock.acquire(timeout=timeout):
        _wake_lock.release()
