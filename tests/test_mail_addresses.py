"""Addresses in other scripts: delivered where they can be (the domain in IDNA always,
a Unicode local part over SMTPUTF8), failed alone where they cannot, shown to the
organisers with the reason, and sent again once the address is corrected."""

from __future__ import annotations

import pytest
import sqlalchemy as sa

from school.models import OutboxMessage, Registration
from school.services.mail import outbox
from tests.support.backoffice import Organiser, flashes, fresh, make_admin
from tests.support.servers import Inbox, SmtpServer

UNICODE = "josé.niño@exämple.org"
IDNA_ONLY = "ana@exämple.org"


def register(client, demo, email: str, **overrides) -> dict:
    data = {
        "first_name": "José",
        "last_name": "Niño",
        "email": email,
        "country": "ES",
        "category": "guest",
        "language": "fr",
        "days": ["2019-06-20"],
        "consent": True,
    }
    data.update(overrides)
    response = client.post(f"/api/v1/editions/{demo.slug}/registrations", json=data)
    assert response.status_code == 201, response.get_json()
    return response.get_json()


@pytest.fixture
def smtputf8(app):
    """A real SMTP server that offers SMTPUTF8 (RFC 6531)."""
    server = SmtpServer(smtputf8=True).start()
    app.config.update(MAIL_URL=server.url, MAIL_SEND_AFTER_REQUEST=True)
    yield server
    outbox.wait_idle()
    server.stop()


def test_a_unicode_address_arrives_over_smtputf8_with_its_headers(smtputf8, client, demo):
    answer = register(client, demo, UNICODE)
    (message,) = smtputf8.inbox.wait_for(1)
    (envelope,) = smtputf8.inbox.envelopes
    assert envelope.rcpt_tos == (UNICODE,)
    assert "SMTPUTF8" in envelope.mail_options
    assert message["To"] == UNICODE
    assert message["Subject"].startswith("Votre inscription")
    assert "Bonjour José," in Inbox.text(message)
    assert answer["manage_url"] in Inbox.text(message)


def test_a_domain_in_unicode_is_delivered_in_ascii_without_smtputf8(smtp, client, demo):
    register(client, demo, IDNA_ONLY)
    (message,) = smtp.inbox.wait_for(1)
    (envelope,) = smtp.inbox.envelopes
    assert envelope.rcpt_tos == ("ana@xn--exmple-cua.org",)
    assert "SMTPUTF8" not in envelope.mail_options
    assert message["To"] == "ana@xn--exmple-cua.org"


def test_without_smtputf8_it_fails_alone_and_organisers_resend_it_once_corrected(
    smtp, app, client, demo, db
):
    register(client, demo, UNICODE)
    outbox.wait_idle()
    register(client, demo, "eve@example.org", first_name="Ève")
    smtp.inbox.wait_for(1)
    outbox.wait_idle()
    assert [m["To"] for m in smtp.inbox.messages] == ["eve@example.org"]
    jose = fresh(db).scalar(sa.select(Registration).where(Registration.email == UNICODE))
    failed = db.scalar(sa.select(OutboxMessage).where(OutboxMessage.to_address == UNICODE))
    assert failed.failure == "smtputf8" and failed.sent_at is None

    make_admin(app, db)
    organiser = Organiser(client).login()
    page = f"/organiser/{demo.slug}/registrations/{jose.id}"
    html = organiser.page(page)
    assert "Could not be delivered:" in html
    assert "does not accept such addresses (SMTPUTF8)" in html
    listing = organiser.page(f"/organiser/{demo.slug}/mailings")
    assert "Messages that could not be delivered" in listing
    assert UNICODE in listing and f"/registrations/{jose.id}" in listing
    assert "eve@example.org" not in listing.split("Messages that could not be delivered")[1]
    french = Organiser(client, lang="fr")
    assert "et le serveur de courrier n'accepte pas ces adresses (SMTPUTF8)" in french.page(page)

    # The participant gives another address; the organiser corrects it and resends.
    data = {
        "first_name": "José", "last_name": "Niño", "email": "jose.nino@example.org",
        "country": "ES", "category": "guest", "language": "fr", "days": ["2019-06-20"],
        "privacy_consent": "y",
    }  # fmt: skip
    assert organiser.submit(page, data).status_code == 302
    response = organiser.submit(
        f"/organiser/{demo.slug}/messages/{failed.id}/resend",
        {"back": "registration"},
        page=page,
        prefix="action-",
    )
    assert response.headers["Location"].endswith(page)
    assert "The message is sent again to jose.nino@example.org." in flashes(organiser.page(page))
    resent = smtp.inbox.wait_for(2)[-1]
    assert resent["To"] == "jose.nino@example.org"
    assert resent["Subject"].startswith("Votre inscription")
    outbox.wait_idle()
    message = fresh(db).get(OutboxMessage, failed.id)
    assert message.sent_at and message.failed_at is None and message.failure is None
    assert "Messages that could not be delivered" in (
        listing := organiser.page(f"/organiser/{demo.slug}/mailings")
    )
    assert UNICODE not in listing.split("Messages that could not be delivered")[1]


def test_only_a_failed_message_can_be_resent(smtp, app, client, demo, db):
    register(client, demo, "eve@example.org")
    smtp.inbox.wait_for(1)
    outbox.wait_idle()
    sent = fresh(db).scalar(sa.select(OutboxMessage))
    make_admin(app, db)
    organiser = Organiser(client).login()
    response = organiser.submit(
        f"/organiser/{demo.slug}/messages/{sent.id}/resend",
        {},
        page=f"/organiser/{demo.slug}/mailings",
        prefix="action-",
    )
    assert "Only a message that could not be delivered can be resent." in flashes(
        organiser.page(response.headers["Location"])
    )
    outbox.wait_idle()
    assert len(smtp.inbox.messages) == 1
