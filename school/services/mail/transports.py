"""How a message leaves: over SMTP, or into a folder when there is no mail server; and
what a failure to send one means for it.

``verdict`` sorts what went wrong into three: the server is unreachable (every other
message would fail alike: stop the round), the server refused this message for now
(try it again later), or it refused it for good (give it up, alone).
"""

from __future__ import annotations

import enum
import logging
import smtplib
import uuid
from dataclasses import dataclass
from email import policy
from email.message import EmailMessage
from pathlib import Path
from typing import Protocol
from urllib.parse import urlsplit

from flask import Flask

from school.database import utcnow
from school.models.vocabulary import MailFailure

log = logging.getLogger(__name__)


class SmtpUtf8NotOffered(smtplib.SMTPNotSupportedError):
    """The recipient's address needs SMTPUTF8 (RFC 6531) and the server lacks it."""


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
        try:
            if self._smtp is not None:
                try:
                    self._send(self._smtp, message)
                    return
                except smtplib.SMTPServerDisconnected:
                    self._smtp = None  # dropped while idle: opened again, once
            self._smtp = self._connect()
            self._send(self._smtp, message)
        except Exception as exc:
            # A refusal leaves the connection ready for the next message (the server
            # was told RSET); a broken one is closed.
            if verdict(exc).outcome is Outcome.UNREACHABLE:
                self.close()
            raise

    @staticmethod
    def _send(smtp: smtplib.SMTP, message: EmailMessage) -> None:
        smtp.ehlo_or_helo_if_needed()
        if not message["To"].isascii() and not smtp.has_extn("smtputf8"):
            raise SmtpUtf8NotOffered(
                "The mail server does not offer SMTPUTF8, which an address whose local"
                " part is not ASCII needs"
            )
        smtp.send_message(message)

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
        # An address in Unicode is written as SMTPUTF8 would carry it.
        international = not message["To"].isascii()
        (self.folder / name).write_bytes(
            message.as_bytes(policy=policy.SMTPUTF8) if international else bytes(message)
        )
        log.info("mail to %s written to %s", message["To"], self.folder / name)

    def close(self) -> None:
        pass


def transport_for(app: Flask) -> Transport:
    url = app.config.get("MAIL_URL")
    if url:
        return SmtpTransport(url, timeout=app.config.get("MAIL_TIMEOUT", 10))
    return FileTransport(Path(app.instance_path) / "outbox")


class Outcome(enum.Enum):
    SENT = "sent"
    UNREACHABLE = "unreachable"  # the server is down or will not talk: stop the round
    RETRY = "retry"  # refused for now (4xx): this message is tried again later
    FAILED = "failed"  # refused for good, or it cannot be sent at all: given up


@dataclass(frozen=True)
class Verdict:
    outcome: Outcome
    failure: MailFailure | None = None  # why, when given up
    detail: str = ""  # what the server said, or what went wrong


def _server_wide(exc: Exception) -> bool:
    """A failure about the server or the connection rather than one message."""
    return isinstance(
        exc,
        smtplib.SMTPServerDisconnected
        | smtplib.SMTPConnectError
        | smtplib.SMTPHeloError
        | smtplib.SMTPAuthenticationError,
    )


def _reply(code: int, text: bytes | str) -> str:
    said = text.decode("utf-8", "replace") if isinstance(text, bytes) else str(text)
    return f"{code} {said}"


def verdict(exc: Exception) -> Verdict:
    """What a failure to send a message means for it."""
    if isinstance(exc, SmtpUtf8NotOffered):
        return Verdict(Outcome.FAILED, MailFailure.SMTPUTF8, str(exc))
    if isinstance(exc, smtplib.SMTPRecipientsRefused):
        # One recipient per message: its reply is the server's answer about it.
        code, text = next(iter(exc.recipients.values()), (550, b""))
        return _by_code(code, _reply(code, text))
    if isinstance(exc, smtplib.SMTPResponseException) and not _server_wide(exc):
        # MAIL FROM or DATA refused: about this message (its size, its content).
        return _by_code(exc.smtp_code, _reply(exc.smtp_code, exc.smtp_error))
    if isinstance(exc, OSError):  # smtplib's errors included: the connection, the login
        return Verdict(Outcome.UNREACHABLE, None, f"{type(exc).__name__}: {exc}")
    # Anything else was raised while writing the message out: it cannot be sent.
    return Verdict(Outcome.FAILED, MailFailure.UNBUILDABLE, f"{type(exc).__name__}: {exc}")


def _by_code(code: int, said: str) -> Verdict:
    if 500 <= code < 600:
        return Verdict(Outcome.FAILED, MailFailure.REFUSED, said)
    return Verdict(Outcome.RETRY, None, said)
