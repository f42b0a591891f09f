"""Messages as they are received from a real SMTP server: written as the edition (sender
name, Reply-To its contact), dated and identified, with the shared header and footer;
organisers' mailings in Markdown as HTML + text with clickable links, inert when
hostile, List-Unsubscribe on news only, an unsubscribe link that works and is honoured;
speakers as an audience."""

from __future__ import annotations

from email.header import decode_header, make_header
from email.utils import parseaddr, parsedate_to_datetime
from html.parser import HTMLParser
from urllib.parse import urlsplit

import pytest
import sqlalchemy as sa

from school.models import Mailing, MailingOptOut, Person, SessionPerson
from school.services.mail import outbox
from tests.support import backoffice
from tests.support.backoffice import Organiser, fresh, make_admin
from tests.support.factories import make_registration
from tests.support.servers import Inbox

CONTACT = "springschool.ricdm@gmail.com"  # the demo edition's contact
TITLE_EN = "Spring School 2019 — International network of Cités des métiers"


class Page(HTMLParser):
    """What a mail client makes of an HTML part: its elements, links and text."""

    def __init__(self, html: str):
        super().__init__()
        self.tags: list[tuple[str, dict]] = []
        self.text: list[str] = []
        self.feed(html)

    def handle_starttag(self, tag, attrs):
        self.tags.append((tag, dict(attrs)))

    def handle_data(self, data):
        self.text.append(data)

    @property
    def links(self) -> list[str]:
        return [attrs.get("href", "") for tag, attrs in self.tags if tag == "a"]

    @property
    def words(self) -> str:
        return " ".join(" ".join(self.text).split())


def sender(message) -> tuple[str, str]:
    """The From header as a mail client reads it. Python's own parser puts a space where
    two RFC 2047 encoded words meet inside a name; ``decode_header`` follows the RFC."""
    raw = dict(message.raw_items())["From"]
    return parseaddr(str(make_header(decode_header(raw))))


def html_of(message) -> str:
    return message.get_body(("html",)).get_content()


@pytest.fixture
def organiser(app, client, db, demo):
    make_admin(app, db)
    return Organiser(client).login()


@pytest.fixture
def site(app):
    app.config["BASE_URL"] = "https://school.example.org"
    return app


def register(client, demo, email: str, language: str = "en") -> dict:
    response = client.post(
        f"/api/v1/editions/{demo.slug}/registrations",
        json={
            "first_name": "Ève", "last_name": "Dandoy", "email": email, "country": "BE",
            "category": "guest", "language": language, "days": ["2019-06-20"], "consent": True,
        },
    )  # fmt: skip
    assert response.status_code == 201, response.get_json()
    return response.get_json()


def send_mailing(organiser, demo, **fields) -> str:
    data = {
        "audience": "all", "category": "", "session_id": "",
        "subject_fr": "Nouvelles", "body_fr": "Bonjour {first_name}",
        "subject_en": "News", "body_en": "Hello {first_name}",
    }  # fmt: skip
    data.update(fields)
    if not data.get("is_essential"):
        data.pop("is_essential", None)
    response = backoffice.send_mailing(organiser, f"/organiser/{demo.slug}/mailings", data)
    assert response.status_code == 302, response.get_data(as_text=True)[-3000:]
    outbox.wait_idle()
    return response.headers["Location"]


def test_a_confirmation_is_written_as_the_edition_with_date_id_and_footer(smtp, site, client, demo):
    answer = register(client, demo, "eve@example.org")
    (message,) = smtp.inbox.wait_for(1)
    name, address = sender(message)
    assert name == TITLE_EN
    assert address == "no-reply@citesdesmetiers.example"  # the server's sender, for SPF/DKIM
    assert message["Reply-To"] == CONTACT
    assert parsedate_to_datetime(message["Date"]).tzinfo is not None
    assert message["Message-ID"].startswith("<") and message["Message-ID"].endswith(
        "@school.example.org>"
    )
    assert message.get_content_type() == "multipart/alternative"
    assert message["List-Unsubscribe"] is None and message["List-Unsubscribe-Post"] is None

    page = Page(html_of(message))
    # Written by the sender, outside any request: the site's address is BASE_URL's.
    assert f"https://school.example.org{urlsplit(answer['manage_url']).path}" in page.links
    assert f"mailto:{CONTACT}" in page.links
    assert f"https://school.example.org/{demo.slug}/privacy" in page.links
    assert "You receive this e-mail because you registered for" in page.words
    assert page.words.startswith(TITLE_EN)  # the header names the edition
    text = Inbox.text(message).replace("\r\n", "\n")
    assert "\n-- \n" in text and f"Contact: {CONTACT}" in text
    assert f"/{demo.slug}/privacy" in text
    assert "unsubscribe" not in text.lower()


def test_a_mailing_in_markdown_arrives_as_html_and_text_and_its_unsubscribe_link_works(
    smtp, site, organiser, client, demo, db
):
    eve = make_registration(db, demo, first_name="Ève", email="eve@example.org", language="en")
    make_registration(db, demo, first_name="Majda", email="majda@example.org", language="en")
    db.commit()
    body = (
        "Hello **{first_name}**,\n\nThe [programme](https://example.org/programme) has"
        " changed.\n\n- Your page: {manage_link}\n- Write to contact@example.org"
    )
    send_mailing(organiser, demo, body_en=body)
    received = smtp.inbox.wait_for(2)
    message = next(m for m in received if m["To"] == "eve@example.org")
    assert message.get_content_type() == "multipart/alternative"
    name, _ = sender(message)
    assert name == TITLE_EN and message["Reply-To"] == CONTACT
    assert message["Date"] and message["Message-ID"]

    page = Page(html_of(message))
    manage = f"/my/{eve.manage_token}"
    assert "https://example.org/programme" in page.links
    assert any(link.endswith(manage) for link in page.links)  # a bare address, made a link
    assert "mailto:contact@example.org" in page.links
    assert ("strong", {}) in page.tags and ("li", {}) in page.tags
    assert "Hello Ève" in page.words
    assert f"https://school.example.org/{demo.slug}/privacy" in page.links  # BASE_URL, always
    assert "You receive this e-mail because you registered for" in page.words
    text = Inbox.text(message).replace("\r\n", "\n")
    assert text.startswith("Hello **Ève**,")  # the text part is what was written
    assert manage in text and "\n-- \n" in text

    # List-Unsubscribe (RFC 2369) with one click (RFC 8058), in the footer too.
    unsubscribe_url = message["List-Unsubscribe"].strip().strip("<>")
    assert message["List-Unsubscribe-Post"] == "List-Unsubscribe=One-Click"
    assert unsubscribe_url.startswith("https://school.example.org/unsubscribe/")  # BASE_URL
    assert unsubscribe_url in page.links and unsubscribe_url in text
    link = urlsplit(unsubscribe_url)
    token = link.path.rsplit("/", 1)[1]
    assert len(token) >= 40 and eve.manage_token not in unsubscribe_url
    assert link.query == "lang=en"  # the page speaks the message's language
    path = f"{link.path}?{link.query}"

    # Opening the link asks; only the POST records it.
    anonymous = type(client)(client.application)
    asked = anonymous.get(path)
    assert asked.status_code == 200 and "Unsubscribe" in asked.get_data(as_text=True)
    assert fresh(db).scalar(sa.select(MailingOptOut.opted_out_at).where(
        MailingOptOut.token == token)) is None  # fmt: skip
    # The mail provider's one-click POST: no cookie, no form token.
    clicked = anonymous.post(
        path,
        data="List-Unsubscribe=One-Click",
        content_type="application/x-www-form-urlencoded",
    )
    assert clicked.status_code == 200
    assert "You are unsubscribed" in clicked.get_data(as_text=True)
    assert fresh(db).scalar(sa.select(MailingOptOut.opted_out_at).where(
        MailingOptOut.token == token)) is not None  # fmt: skip
    assert anonymous.post("/unsubscribe/" + "x" * 43).status_code == 404

    # The next news skips her; practical information still reaches her, without the header.
    send_mailing(organiser, demo, subject_en="More news", subject_fr="Encore")
    news = fresh(db).scalar(sa.select(Mailing).order_by(Mailing.id.desc()))
    assert news.recipients == 1
    send_mailing(organiser, demo, subject_en="Venue", subject_fr="Lieu", is_essential="y")
    received = smtp.inbox.wait_for(5)
    to_eve = [m["Subject"] for m in received if m["To"] == "eve@example.org"]
    assert to_eve == ["News", "Venue"]
    venue = next(m for m in received if m["Subject"] == "Venue")
    assert venue["List-Unsubscribe"] is None
    assert "unsubscribe" not in Inbox.text(venue).lower()


HOSTILE = (
    "<script>alert(1)</script>\n\n[x](javascript:alert(1)) [y](JaVaScRiPt:alert(2))"
    ' <img src=x onerror=alert(3)> <a href="javascript:alert(4)">z</a>'
    " ![i](javascript:alert(5)) [d](data:text/html;base64,PHNjcmlwdD4=)"
)


def test_a_hostile_markdown_body_is_inert(smtp, organiser, demo, db):
    make_registration(db, demo, email="eve@example.org", language="en")
    db.commit()
    preview = organiser.submit(
        f"/organiser/{demo.slug}/mailings", {**_fields(HOSTILE), "action": "preview"}
    ).get_data(as_text=True)
    send_mailing(organiser, demo, body_en=HOSTILE)
    (message,) = smtp.inbox.wait_for(1)
    for html in (html_of(message), _preview_section(preview)):
        page = Page(html)
        assert not [tag for tag, _ in page.tags if tag in ("script", "img", "iframe")]
        assert not [a for _, attrs in page.tags for a in attrs if a.startswith("on")]
        assert not [link for link in page.links if not link.startswith(("http", "mailto:"))]
        assert "<script>alert(1)</script>" in page.words  # shown as text


def _preview_section(page: str) -> str:
    """The preview card alone, without the back office's own navigation around it."""
    return page.split('id="preview-title"')[1].split("</section>")[0]


def _fields(body_en: str) -> dict:
    return {
        "audience": "all", "category": "", "session_id": "",
        "subject_fr": "Nouvelles", "body_fr": "Bonjour", "subject_en": "News", "body_en": body_en,
    }  # fmt: skip


def test_speakers_are_an_audience(smtp, organiser, demo, db):
    people = (
        fresh(db)
        .scalars(
            sa.select(Person)
            .where(sa.exists().where(SessionPerson.person_id == Person.id))
            .order_by(Person.id)
            .limit(3)
        )
        .all()
    )
    people[0].email, people[0].language = "first@example.org", "en"
    people[1].email = "second@example.org"
    people[2].email = "First@Example.org"  # the same address: one message
    make_registration(db, demo, email="participant@example.org")
    db.commit()
    send_mailing(
        organiser, demo, audience="speakers", body_en="Dear {name}, your page: {manage_link}"
    )
    received = smtp.inbox.wait_for(2)
    assert sorted(m["To"] for m in received) == ["first@example.org", "second@example.org"]
    first = next(m for m in received if m["To"] == "first@example.org")
    assert first["Subject"] == "News"
    assert f"/speaker/{people[0].speaker_token}" in Inbox.text(first)
    assert "because you take part in the programme of" in Page(html_of(first)).words
    assert first["List-Unsubscribe"]
