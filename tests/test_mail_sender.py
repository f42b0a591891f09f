"""The outbox sender: messages claimed in batches, one connection per round, and two
senders at once never send a message twice."""

from __future__ import annotations

import threading

import sqlalchemy as sa
import sqlalchemy.orm

from school.database import utcnow
from school.models import OutboxMessage
from school.services.mail import outbox, transports


def queue(db, count: int) -> None:
    now = utcnow()
    db.add_all(
        OutboxMessage(to_address=f"p{n}@example.org", subject=f"Message {n}", text_body="Hello",
                      purpose="test", created_at=now, send_after=now)
        for n in range(count)
    )  # fmt: skip
    db.commit()


def test_two_senders_at_once_send_every_message_once(smtp, engine, db):
    queue(db, 150)
    results = []

    def sender():
        session = sa.orm.Session(engine)
        try:
            results.append(
                outbox.send_pending(session, transports.SmtpTransport(smtp.url), "School <s@x.org>")
            )
        finally:
            session.close()

    threads = [threading.Thread(target=sender) for _ in range(2)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=120)
    received = smtp.inbox.wait_for(150)
    assert sorted(m["To"] for m in received) == sorted(f"p{n}@example.org" for n in range(150))
    assert sum(r.sent for r in results) == 150 and not any(r.failed or r.retrying for r in results)
    db.rollback()
    assert db.scalar(sa.select(sa.func.count()).where(OutboxMessage.sent_at.is_(None))) == 0


def test_a_round_stops_at_its_limit_and_the_next_one_goes_on(smtp, db):
    queue(db, 7)
    transport = transports.SmtpTransport(smtp.url)
    assert outbox.send_pending(db, transport, "s@x.org", limit=5).sent == 5
    assert outbox.send_pending(db, transport, "s@x.org", limit=5).sent == 2
    assert len(smtp.inbox.wait_for(7)) == 7
