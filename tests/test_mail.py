"""E-mails arrive at a real SMTP server, in the participant's language, and survive an outage."""

from __future__ import annotations

from collections import Counter
from datetime import timedelta
from email.utils import parseaddr
from urllib.parse import urlsplit

import sqlalchemy as sa

from school.database import utcnow
from school.models import OutboxMessage
from school.services.mail import outbox
from tests.support.servers import Inbox, SmtpServer, free_port


def register(client, demo, **overrides):
    data = {
        "first_name": "Ève",
        "last_name": "O'Brien-Łukasiewicz",
        "email": "eve@example.org",
        "country": "IE",
        "category": "guest",
        "language": "fr",
        "days": ["2019-06-20"],
        "consent": True,
    }
    data.update(overrides)
    return client.post(f"/api/v1/editions/{demo.slug}/registrations", json=data)


def _smtp_server_on(port: int) -> SmtpServer:
    server = SmtpServer()
    server.port = port
    server.controller = type(server.controller)(server.inbox, hostname="127.0.0.1", port=port)
    return server


def test_confirmations_arrive_in_french_and_in_english(smtp, client, demo):
    fr = register(client, demo).get_json()
    en = register(client, demo, email="majda@example.org", language="en").get_json()
    smtp.inbox.wait_for(2)
    french = smtp.inbox.to("eve@example.org")[0]
    english = smtp.inbox.to("majda@example.org")[0]
    assert french["Subject"].startswith("Votre inscription")
    assert "Bonjour Ève," in Inbox.text(french)
    assert fr["manage_url"] in Inbox.text(french)
    assert "jeudi 20 juin" in Inbox.text(french)
    assert english["Subject"].startswith("Your registration")
    assert en["manage_url"] in Inbox.text(english)
    assert "Thursday 20 June" in Inbox.text(english)
    assert en["manage_url"] in english.get_body(("html",)).get_content()


def test_a_promotion_is_told_by_email(smtp, client, demo, db):
    from school.models import Session

    explora = db.scalar(sa.select(Session).where(Session.key == "d1-visit-explora"))
    explora.capacity = 1
    db.commit()
    days = ["2019-06-19"]
    first = register(client, demo, days=days, sessions=[explora.id]).get_json()
    register(
        client, demo, email="majda@example.org", language="en", days=days, sessions=[explora.id]
    )
    smtp.inbox.wait_for(2)
    token_url = urlsplit(first["manage_url"]).path
    page = client.get(f"{token_url}/cancel").get_data(as_text=True)
    import re

    csrf = re.search(r'name="csrf_token" type="hidden" value="([^"]+)"', page).group(1)
    client.post(f"{token_url}/cancel", data={"csrf_token": csrf})
    smtp.inbox.wait_for(4)
    promoted = [m for m in smtp.inbox.to("majda@example.org") if "seat" in m["Subject"]]
    assert promoted and "Explora" in promoted[0]["Subject"]
    assert [m["Subject"] for m in smtp.inbox.to("eve@example.org")][-1].startswith(
        "Inscription annulée"
    )


def test_mail_server_down_keeps_the_registration_and_mail_send_delivers_later(
    app, client, demo, db, runner
):
    port = free_port()  # nothing listens there yet: the mail server is down
    app.config["MAIL_URL"] = f"smtp://127.0.0.1:{port}"
    app.config["MAIL_TIMEOUT"] = 2
    response = register(client, demo)
    assert response.status_code == 201
    result = runner.invoke(args=["mail", "send"])
    assert result.exit_code == 1 and "0 sent, 0 failed for good, 1 to retry later" in result.output
    message = db.scalar(sa.select(OutboxMessage))
    assert message.sent_at is None and message.attempts == 1 and message.last_error
    # The server comes back; the retry is due once its delay has passed.
    db.execute(sa.update(OutboxMessage).values(send_after=message.created_at))
    db.commit()
    server = _smtp_server_on(port).start()
    try:
        result = runner.invoke(args=["mail", "send"])
        assert result.exit_code == 0 and "1 sent" in result.output
        assert len(server.inbox.wait_for(1)) == 1
        result = runner.invoke(args=["mail", "send"])
        assert "0 sent" in result.output  # sent once, never twice
    finally:
        server.stop()
    assert len(server.inbox.messages) == 1


def test_mail_held_up_by_an_outage_all_arrives_and_only_once(app, client, demo, db, runner):
    """The sending after each request, as in production: while the mail server is down,
    every registration still succeeds and its mail waits; when it is back, each message
    goes exactly once."""
    port = free_port()  # nothing listens there yet: the mail server is down
    app.config.update(MAIL_URL=f"smtp://127.0.0.1:{port}", MAIL_TIMEOUT=2)
    app.config["MAIL_SEND_AFTER_REQUEST"] = True
    people = [f"p{n}@example.org" for n in range(5)]
    for address in people:
        assert register(client, demo, email=address).status_code == 201
        outbox.wait_idle()  # this request's sender tried, and failed
    db.rollback()
    waiting = db.scalars(sa.select(OutboxMessage)).all()
    assert sorted(m.to_address for m in waiting) == people
    assert all(m.sent_at is None and m.attempts >= 1 for m in waiting)

    # The server comes back; the retries are due once their delay has passed.
    db.execute(sa.update(OutboxMessage).values(send_after=utcnow() - timedelta(seconds=1)))
    db.commit()
    server = _smtp_server_on(port).start()
    # Refused connections fail at once; a server that is up but slow to answer on a loaded
    # machine must not be taken for one that is down (its mail would wait for minutes).
    app.config["MAIL_TIMEOUT"] = 20
    try:
        # The next registration's sender delivers what waited, along with its own.
        assert register(client, demo, email="late@example.org").status_code == 201
        outbox.wait_idle()
        server.inbox.wait_for(len(people) + 1)
        result = runner.invoke(args=["mail", "send"])
        assert result.exit_code == 0 and "0 sent" in result.output  # nothing left, or twice
    finally:
        server.stop()
    received = Counter(parseaddr(m["To"])[1] for m in server.inbox.messages)
    assert received == Counter([*people, "late@example.org"])
    db.rollback()
    assert db.scalar(sa.select(sa.func.count()).where(OutboxMessage.sent_at.is_(None))) == 0
