"""A message that fails, fails alone: one that cannot be built or that the mail server
refuses for good is marked failed with its reason and never holds back anyone else's;
one refused for now is tried again later. Against a real SMTP server (aiosmtpd)."""

from __future__ import annotations

from collections import Counter
from datetime import timedelta

import sqlalchemy as sa

from school.database import utcnow
from school.models import OutboxMessage
from school.services.mail import outbox, transports

GOOD = [f"p{n:02d}@example.org" for n in range(20)]


def register(client, demo, email: str, **overrides):
    data = {
        "first_name": "Ève",
        "last_name": "O'Brien",
        "email": email,
        "country": "IE",
        "category": "guest",
        "language": "fr",
        "days": ["2019-06-20"],
        "consent": True,
    }
    data.update(overrides)
    response = client.post(f"/api/v1/editions/{demo.slug}/registrations", json=data)
    assert response.status_code == 201, response.get_json()
    return response.get_json()


def received_by(inbox) -> Counter:
    return Counter(rcpt for envelope in inbox.envelopes for rcpt in envelope.rcpt_tos)


def message_to(db, address: str) -> OutboxMessage:
    db.rollback()
    return db.scalar(sa.select(OutboxMessage).where(OutboxMessage.to_address == address))


def test_poisoned_messages_among_good_ones_fail_alone_with_mail_send(
    smtp, app, client, demo, db, runner
):
    app.config["MAIL_SEND_AFTER_REQUEST"] = False  # everything waits for `mail send`
    smtp.inbox.refuse = {
        "nobody@example.org": "550 5.1.1 <nobody@example.org>: Recipient address rejected",
        "busy@example.org": "451 4.3.0 Mailbox busy, try again later",
    }
    # The poisoned ones sit in the middle of the good ones, in the same claimed batch.
    for address in GOOD[:10]:
        register(client, demo, address)
    register(client, demo, "josé@example.org")  # needs SMTPUTF8, which this server lacks
    register(client, demo, "nobody@example.org")  # refused for good
    register(client, demo, "busy@example.org")  # refused for now
    now = utcnow()
    db.add(  # an address kept before addresses were checked: no message can be built for it
        OutboxMessage(to_address="jean dupont@example.org", subject="Old", text_body="Hello",
                      purpose="test", created_at=now, send_after=now)
    )  # fmt: skip
    db.commit()
    for address in GOOD[10:]:
        register(client, demo, address)

    result = runner.invoke(args=["mail", "send"])

    assert result.exception is None or isinstance(result.exception, SystemExit), result.output
    assert "20 sent, 3 failed for good, 1 to retry later" in result.output
    assert result.exit_code == 1  # not everything was delivered
    assert received_by(smtp.inbox) == Counter(GOOD)  # every good one, exactly once
    jose = message_to(db, "josé@example.org")
    assert jose.failed_at and jose.failure == "smtputf8" and jose.sent_at is None
    nobody = message_to(db, "nobody@example.org")
    assert nobody.failed_at and nobody.failure == "refused"
    assert "550 5.1.1" in nobody.last_error and "Recipient address rejected" in nobody.last_error
    broken = message_to(db, "jean dupont@example.org")
    assert broken.failed_at and broken.failure == "invalid_address"
    busy = message_to(db, "busy@example.org")
    assert busy.failed_at is None and busy.attempts == 1 and busy.send_after > utcnow()
    assert "451" in busy.last_error

    # Nothing is tried again but what was refused for now, once its time has come.
    smtp.inbox.refuse = {}
    db.execute(sa.update(OutboxMessage).values(send_after=utcnow() - timedelta(seconds=1)))
    db.commit()
    again = runner.invoke(args=["mail", "send"])
    assert again.exit_code == 0 and "1 sent, 0 failed for good, 0 to retry later" in again.output
    assert received_by(smtp.inbox) == Counter([*GOOD, "busy@example.org"])
    assert message_to(db, "josé@example.org").sent_at is None


def test_a_round_reports_what_became_of_each_message(smtp, db):
    smtp.inbox.refuse = {"nobody@example.org": "550 5.1.1 No such user"}
    now = utcnow()
    db.add_all(
        OutboxMessage(to_address=address, subject="Hello", text_body="Hello", purpose="test",
                      created_at=now, send_after=now)
        for address in ["a@example.org", "nobody@example.org", "josé@example.org", "b@example.org"]
    )  # fmt: skip
    db.commit()
    report = outbox.send_pending(db, transports.SmtpTransport(smtp.url), "s@example.org")
    assert (report.sent, report.failed, report.retrying) == (2, 2, 0)
    assert not report.unreachable
    assert received_by(smtp.inbox) == Counter(["a@example.org", "b@example.org"])


def test_the_background_sender_is_not_held_back_by_a_poisoned_message(smtp, client, demo, db):
    """As in production: each registration wakes the sender after its commit. The first
    address cannot be delivered by this server; every later confirmation still arrives."""
    register(client, demo, "josé@example.org")
    outbox.wait_idle()
    for address in GOOD[:5]:
        register(client, demo, address)
        outbox.wait_idle()
    smtp.inbox.wait_for(5)
    assert received_by(smtp.inbox) == Counter(GOOD[:5])
    jose = message_to(db, "josé@example.org")
    assert jose.failed_at and jose.failure == "smtputf8" and jose.attempts == 1
    db.rollback()
    assert not outbox.has_due(db)  # nothing left to claim over and over
