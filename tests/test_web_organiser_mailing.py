"""Organisers e-mail participants: audiences, placeholders filled safely, a preview, and
a thousand messages queued at once and delivered by the outbox, none lost."""

from __future__ import annotations

import re
from html import unescape

import pytest
import sqlalchemy as sa

from school.database import utcnow
from school.models import Edition, Mailing, OutboxMessage, Registration, RegistrationDay, Session
from school.services.mail import mailing
from tests.support.backoffice import Organiser, flashes, fresh, make_admin, send_mailing
from tests.support.factories import make_choice, make_registration
from tests.support.servers import Inbox


@pytest.fixture
def organiser(app, client, db, demo):
    make_admin(app, db)
    return Organiser(client).login()


def message(**fields) -> dict:
    data = {
        "audience": "all",
        "category": "",
        "session_id": "",
        "subject_fr": "Informations pratiques",
        "body_fr": "Bonjour {first_name},\n\nVotre lien : {manage_link}\n\n{edition}",
        "subject_en": "Practical information",
        "body_en": "Hello {first_name},\n\nYour link: {manage_link}",
    }
    data.update(fields)
    return data


def test_preview_fills_the_placeholders_for_the_first_recipient(organiser, demo, db):
    eve = make_registration(db, demo, first_name="Ève", email="eve@example.org")
    db.commit()
    url = f"/organiser/{demo.slug}/mailings"
    html = organiser.submit(url, {**message(), "action": "preview"}).get_data(as_text=True)
    assert "It will go to 1 participant." in html
    assert "Bonjour Ève," in html and f"/my/{eve.manage_token}" in html
    assert "Spring School 2019 — Réseau international" in html
    assert "Hello Ève," in html
    assert fresh(db).scalar(sa.select(sa.func.count()).select_from(OutboxMessage)) == 0


@pytest.mark.parametrize(
    "body",
    [
        "{first_name.__class__.__mro__}",
        "{manage_link[0]}",
        "{name!r}",
        "{name:>999999}",
        "{password}",
        "{0}",
        "Hello {",
    ],
)
def test_placeholders_are_a_whitelist_not_a_template_language(organiser, demo, db, body):
    make_registration(db, demo)
    db.commit()
    url = f"/organiser/{demo.slug}/mailings"
    html = send_mailing(organiser, url, message(body_fr=body)).get_data(as_text=True)
    assert "Unknown placeholder" in html
    assert (
        "class"
        not in re.sub(r'class="[^"]*"', "", html.split("<main")[1])
        .split("Unknown placeholder")[0]
        .split("body_fr")[-1]
    )
    assert fresh(db).scalar(sa.select(sa.func.count()).select_from(OutboxMessage)) == 0


def test_braces_are_written_doubled():
    assert mailing.fill("{{ {name} }}", dict.fromkeys(mailing.PLACEHOLDERS, "x")) == "{ x }"


def test_audiences_and_languages(organiser, demo, db):
    explora = fresh(db).scalar(sa.select(Session).where(Session.key == "d1-visit-explora"))
    member = make_registration(db, demo, email="member@example.org", language="en")
    partner = make_registration(db, demo, email="partner@example.org", category="partner")
    waiting = make_registration(db, demo, email="waiting@example.org", category="partner")
    make_registration(db, demo, email="gone@example.org", status="cancelled")
    make_choice(db, member, explora)
    make_choice(db, waiting, explora, status="waitlisted")
    db.commit()
    url = f"/organiser/{demo.slug}/mailings"

    def send(**fields) -> list[tuple[str, str]]:
        response = send_mailing(organiser, url, message(**fields))
        assert response.status_code == 302, response.get_data(as_text=True)
        found = fresh(db).scalar(sa.select(Mailing).order_by(Mailing.id.desc()))
        return sorted(
            db.execute(
                sa.select(OutboxMessage.to_address, OutboxMessage.subject).where(
                    OutboxMessage.batch == found.batch
                )
            ).all()
        )

    assert send() == [
        ("member@example.org", "Practical information"),
        ("partner@example.org", "Informations pratiques"),
        ("waiting@example.org", "Informations pratiques"),
    ]
    assert [a for a, _ in send(audience="category", category="partner")] == [
        "partner@example.org",
        "waiting@example.org",
    ]
    assert [a for a, _ in send(audience="session", session_id=explora.id)] == ["member@example.org"]
    # Without an English text, everyone gets the French one.
    assert send(audience="waitlist", session_id=explora.id, subject_en="", body_en="") == [
        ("waiting@example.org", "Informations pratiques")
    ]
    html = send_mailing(organiser, url, message(audience="session"))
    assert "Please choose a session." in html.get_data(as_text=True)
    page = organiser.page(url)
    assert page.count("Informations pratiques</a>") == 4
    text = db.scalar(
        sa.select(OutboxMessage.text_body).where(OutboxMessage.to_address == partner.email)
    )
    assert text.startswith("Bonjour Majda,") and f"/my/{partner.manage_token}" in text


def test_the_page_says_which_text_a_portuguese_reader_gets(organiser, demo, db):
    make_registration(db, demo, email="joana@example.org", language="pt")
    db.commit()
    url = f"/organiser/{demo.slug}/mailings"
    assert send_one(organiser, url, db) == "Practical information"
    page = organiser.page(url)
    assert "English, Italian, Spanish or Portuguese get the English text" in page

    fresh(db).get(Edition, demo.id).content_fallback = "fr"
    db.commit()
    assert send_one(organiser, url, db) == "Informations pratiques"
    page = organiser.page(url, lang="fr")
    assert "tous les autres reçoivent le texte français" in page


def test_the_page_says_in_plain_french_who_gets_news_and_who_gets_practical_information(
    organiser, demo
):
    """ "Une nouvelle part avec un lien de désinscription" read as "a new share"; the
    note says which messages carry the link and who does not get them."""
    page = unescape(organiser.page(f"/organiser/{demo.slug}/mailings", lang="fr"))
    assert (
        "Les actualités partent avec un lien de désinscription et ne sont pas envoyées à ceux"
        " qui l'ont utilisé." in page
    )
    assert "Une nouvelle part" not in page


def send_one(organiser, url, db) -> str:
    response = send_mailing(organiser, url, message())
    assert response.status_code == 302
    found = fresh(db).scalar(sa.select(Mailing).order_by(Mailing.id.desc()))
    return db.scalar(sa.select(OutboxMessage.subject).where(OutboxMessage.batch == found.batch))


def test_the_background_sender_delivers_a_mailing(smtp, organiser, demo, db):
    for n in range(5):
        make_registration(db, demo, email=f"p{n}@example.org")
    db.commit()
    response = send_mailing(organiser, f"/organiser/{demo.slug}/mailings", message())
    page = response.headers["Location"]
    assert "5 messages are queued: they are being sent." in flashes(organiser.page(page))
    received = smtp.inbox.wait_for(5)
    assert sorted(m["To"] for m in received) == [f"p{n}@example.org" for n in range(5)]
    assert Inbox.text(received[0]).startswith("Bonjour Majda,")
    from school.services.mail import outbox

    outbox.wait_idle()
    assert "5 of 5 sent" in organiser.page(page)


@pytest.mark.load
def test_a_thousand_messages_are_queued_at_once_and_none_is_lost(
    smtp, app, organiser, demo, db, runner
):
    """The request only queues (the outbox holds 1,000 unsent messages when it returns);
    the sender then delivers every one to a real SMTP server, once."""
    now = utcnow()
    rows = [
        {
            "edition_id": demo.id, "first_name": f"P{n}", "last_name": "Test",
            "email": f"p{n}@example.org", "email_key": f"p{n}@example.org",
            "country": "FR", "category": "member", "language": "fr" if n % 3 else "en",
            "privacy_consent_at": now, "manage_token": f"token-{n:04d}-" + "x" * 40,
            "created_at": now, "updated_at": now,
        }
        for n in range(1000)
    ]  # fmt: skip
    db.execute(sa.insert(Registration), rows)
    ids = db.scalars(sa.select(Registration.id)).all()
    db.execute(
        sa.insert(RegistrationDay), [{"registration_id": i, "date": demo.dates[0]} for i in ids]
    )
    db.commit()
    app.config["MAIL_SEND_AFTER_REQUEST"] = False  # so that nothing is sent before we look

    response = send_mailing(organiser, f"/organiser/{demo.slug}/mailings", message())
    assert response.status_code == 302
    db = fresh(db)
    batch = db.scalar(sa.select(Mailing.batch))
    unsent = sa.select(sa.func.count()).where(
        OutboxMessage.batch == batch, OutboxMessage.sent_at.is_(None)
    )
    assert db.scalar(unsent) == 1000
    assert "0 of 1000 sent" in organiser.page(response.headers["Location"])

    result = runner.invoke(args=["mail", "send"])
    assert result.exit_code == 0 and "1000 sent, 0 failed" in result.output
    received = smtp.inbox.wait_for(1000, timeout=60)
    assert len(received) == 1000
    assert len({m["To"] for m in received}) == 1000
    english = [m for m in received if m["Subject"] == "Practical information"]
    assert len(english) == 334
    assert fresh(db).scalar(unsent) == 0
    assert "1000 of 1000 sent" in organiser.page(response.headers["Location"])


def test_send_first_shows_what_goes_to_how_many_and_a_changed_message_asks_again(
    organiser, demo, db
):
    """A slip on "Send" sent the message to everyone at once: it now shows the message
    and its number of recipients, and sends only what the organiser confirmed."""
    for n in range(3):
        make_registration(db, demo, email=f"p{n}@example.org", first_name="Ярослава")
    db.commit()
    url = f"/organiser/{demo.slug}/mailings"
    queued = sa.select(sa.func.count()).select_from(OutboxMessage)

    first = organiser.submit(url, {**message(), "action": "send"})
    page = unescape(first.get_data(as_text=True))
    assert first.status_code == 200 and fresh(db).scalar(queued) == 0
    assert "Nothing is sent yet: check the message below, then send it." in page
    assert "It goes to 3 participants." in page and "Send to 3 participants" in page
    assert "Bonjour Ярослава," in page  # the preview, as its first recipient reads it
    key = re.search(r'name="confirmed" value="([^"]+)"', page).group(1)

    # The text changed after the preview: asked again, nothing sent.
    changed = organiser.submit(
        url, {**message(body_fr="Autre texte"), "action": "send", "confirmed": key}
    )
    assert changed.status_code == 200 and fresh(db).scalar(queued) == 0
    assert "Send to 3 participants" in changed.get_data(as_text=True)

    sent = organiser.submit(url, {**message(), "action": "send", "confirmed": key})
    assert sent.status_code == 302
    assert fresh(db).scalar(queued) == 3
