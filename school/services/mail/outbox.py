"""E-mail through an outbox: a message is stored with the change that caused it,
then sent; a mail server that is down delays it and loses nothing.

- ``queue_mail`` renders a message (``templates/mail/<name>.txt`` and ``.html``, in
  the recipient's language) into the outbox, in the caller's transaction, and notes on
  the session that this transaction queued mail (``queued_mail``).
- ``send_pending`` sends what is due, claiming each message first so two senders
  (two workers, a worker and ``flask mail send``) never send it twice; a failure
  is retried later with a growing delay.
- ``wake`` starts a background sender in this process after a request committed
  mail (``school.web.actions`` calls it from the commit), so no request waits for the
  mail server.
"""

from __future__ import annotations

import logging
import smtplib
import threading
import uuid
from datetime import datetime, timedelta
from email.message import EmailMessage
from email.utils import formataddr, make_msgid
from pathlib import Path
from typing import Any, Protocol
from urllib.parse import urlsplit

import sqlalchemy as sa
from flask import Flask, render_template
from flask_babel import force_locale
from sqlalchemy.orm import Session as DbSession

from school.database import begin_write, utcnow
from school.models import OutboxMessage

log = logging.getLogger(__name__)

MAX_ATTEMPTS = 12
CLAIM_FOR = timedelta(minutes=2)
_QUEUED_MAIL = "school.outbox.queued_mail"  # a key of the database session's ``info``


def is_due(now: datetime) -> sa.ColumnElement[bool]:
    """A message to send now: not sent, its time come, not given up, and not claimed by
    a sender (or its claim ran out: that sender died)."""
    return sa.and_(
        OutboxMessage.sent_at.is_(None),
        OutboxMessage.send_after <= now,
        OutboxMessage.attempts < MAX_ATTEMPTS,
        sa.or_(OutboxMessage.claimed_until.is_(None), OutboxMessage.claimed_until < now),
    )


def is_given_up() -> sa.ColumnElement[bool]:
    """A message that failed ``MAX_ATTEMPTS`` times: never due again."""
    return sa.and_(OutboxMessage.sent_at.is_(None), OutboxMessage.attempts >= MAX_ATTEMPTS)


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
    **context: Any,
) -> OutboxMessage:
    """Render ``templates/mail/<template>`` in ``language`` into the outbox (flushes,
    unless ``flush=False``: a mailing adds a thousand messages and flushes once).

    A message rendered for a ``registration`` (or given its ``registration_id``) is linked
    to it, and every message to its ``edition``: the participant's data download lists
    it, the privacy purge blanks it.
    """
    with force_locale(language):
        text = render_template(f"mail/{template}.txt", language=language, **context)
        html = render_template(f"mail/{template}.html", language=language, **context)
    subject, _, body = text.partition("\n")
    message = OutboxMessage(
        to_address=to,
        subject=subject.removeprefix("Subject:").strip(),
        text_body=body.lstrip("\n"),
        html_body=html,
        purpose=purpose,
        batch=batch,
        registration_id=registration_id or getattr(context.get("registration"), "id", None),
        edition_id=getattr(context.get("edition"), "id", None),
        created_at=now or utcnow(),
        send_after=now or utcnow(),
    )
    db.add(message)
    db.info[_QUEUED_MAIL] = True
    if flush:
        db.flush()
    return message


def queued_mail(db: DbSession) -> bool:
    """Whether the transaction under way queued a message (known until it ends)."""
    return bool(db.info.get(_QUEUED_MAIL))


def forget_queued_mail(db: DbSession) -> None:
    """The transaction ended (committed or rolled back): the next one starts afresh."""
    db.info.pop(_QUEUED_MAIL, None)


def new_batch() -> str:
    return uuid.uuid4().hex


class Transport(Protocol):
    def send(self, message: EmailMessage) -> None: ...

    def close(self) -> None: ...


class SmtpTransport:
    """Sends over one connection until ``close()``: a mailing of a thousand messages
    does not open a thousand connections. A connection the server dropped is opened
    again once."""

    def __init__(self, url: str, timeout: float = 10):
        parts = urlsplit(url)
        self.host = parts.hostname or "localhost"
        self.port = parts.port or (465 if parts.scheme == "smtps" else 25)
        self.ssl = parts.scheme == "smtps"
        self.starttls = parts.scheme == "smtp+starttls"
        self.username, self.password = parts.username, parts.password
        self.timeout = timeout
        self._smtp: smtplib.SMTP | None = None

    def _connect(self) -> smtplib.SMTP:
        cls = smtplib.SMTP_SSL if self.ssl else smtplib.SMTP
        smtp = cls(self.host, self.port, timeout=self.timeout)
        try:
            if self.starttls:
                smtp.starttls()
            if self.username:
                smtp.login(self.username, self.password or "")
        except BaseException:
            smtp.close()
            raise
        return smtp

    def send(self, message: EmailMessage) -> None:
        if self._smtp is not None:
            try:
                self._smtp.send_message(message)
                return
            except smtplib.SMTPServerDisconnected:
                self._smtp = None
        self._smtp = self._connect()
        try:
            self._smtp.send_message(message)
        except (OSError, smtplib.SMTPServerDisconnected):
            self.close()
            raise

    def close(self) -> None:
        smtp, self._smtp = self._smtp, None
        if smtp is not None:
            try:
                smtp.quit()
            except (OSError, smtplib.SMTPException):
                smtp.close()


class FileTransport:
    """Without a mail server: each message becomes an .eml file in a folder."""

    def __init__(self, folder: Path):
        self.folder = folder

    def send(self, message: EmailMessage) -> None:
        self.folder.mkdir(parents=True, exist_ok=True)
        name = f"{utcnow():%Y%m%dT%H%M%S}-{uuid.uuid4().hex[:8]}.eml"
        (self.folder / name).write_bytes(bytes(message))
        log.info("mail to %s written to %s", message["To"], self.folder / name)

    def close(self) -> None:
        pass


def transport_for(app: Flask) -> Transport:
    url = app.config.get("MAIL_URL")
    if url:
        return SmtpTransport(url, timeout=app.config.get("MAIL_TIMEOUT", 10))
    return FileTransport(Path(app.instance_path) / "outbox")


def as_email(message: OutboxMessage, sender: str) -> EmailMessage:
    email = EmailMessage()
    email["From"] = sender
    email["To"] = formataddr(("", message.to_address))
    email["Subject"] = message.subject
    email["Message-ID"] = make_msgid(domain=sender.rpartition("@")[2].strip(">") or None)
    email.set_content(message.text_body)
    if message.html_body:
        email.add_alternative(message.html_body, subtype="html")
    return email


CLAIM_BATCH = 50  # messages claimed in one transaction


def send_pending(
    db: DbSession, transport: Transport, sender: str, *, now=None, limit: int = 500
) -> tuple[int, int]:
    """Send what is due. Commits after each message: it is a worker, not a request."""
    sent = failed = 0
    try:
        while sent + failed < limit:
            claimed = _claim(db, now or utcnow(), min(CLAIM_BATCH, limit - sent - failed))
            if not claimed:
                break
            found = db.scalars(sa.select(OutboxMessage).where(OutboxMessage.id.in_(claimed)))
            ready = {m.id: (as_email(m, sender), m.attempts + 1) for m in found}
            db.rollback()  # hold no transaction while talking to the mail server
            for index, message_id in enumerate(claimed):
                if message_id not in ready:
                    continue
                email, attempts = ready[message_id]
                outcome = _send_one(db, transport, message_id, email, attempts)
                if outcome is None:  # the server is unreachable: the rest would fail alike
                    _release(db, claimed[index + 1 :])
                    return sent, failed + 1
                sent, failed = (sent + 1, failed) if outcome else (sent, failed + 1)
    finally:
        transport.close()
    return sent, failed


def _send_one(
    db: DbSession, transport: Transport, message_id: int, email: EmailMessage, attempts: int
) -> bool | None:
    """True when sent, False when refused (retried later), None when the server is down."""
    try:
        transport.send(email)
    except (OSError, smtplib.SMTPException) as exc:
        delay = timedelta(seconds=min(30 * 2**attempts, 6 * 3600))
        _record(
            db,
            message_id,
            attempts=attempts,
            last_error=f"{type(exc).__name__}: {exc}"[:500],
            send_after=utcnow() + delay,
            claimed_until=None,
        )
        log.warning("mail %s to %s failed: %s", message_id, email["To"], exc)
        return None if isinstance(exc, OSError) else False
    _record(db, message_id, attempts=attempts, sent_at=utcnow(), claimed_until=None)
    return True


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
                send_pending(db.session, transport_for(app), app.config["MAIL_SENDER"])
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
    due = db.scalar(sa.select(OutboxMessage.id).where(is_due(now or utcnow())).limit(1))
    db.rollback()
    return due is not None


def wait_idle(timeout: float = 30) -> None:
    """Wait until this process's background sender has finished (tests, shutdown)."""
    if _wake_lock.acquire(timeout=timeout):
        _wake_lock.release()
