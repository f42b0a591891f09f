"""What a participant reads in every e-mail of their registration (confirmation, private
link, a change of sessions, a seat freed for them, cancellation), in each language: no
sentence glued to the next in the text or the HTML part, and French typography (a
no-break space before the colon between a session's time and its title)."""

from __future__ import annotations

import re
from html.parser import HTMLParser
from urllib.parse import urlsplit

import pytest
import sqlalchemy as sa

from school.models import OutboxMessage, Session
from school.services.mail import writing
from tests.support.backoffice import fresh

NBSP = "\u00a0"
BLOCKS = {"p", "br", "li", "ul", "ol", "div", "header", "footer", "main", "h1", "h2", "tr"}
# A sentence's end (or a label's colon) followed at once by the next one's capital.
GLUED = re.compile(r"[^\W\d_][.!?:;][«“]?[^\W\d_]", re.UNICODE)


class Reading(HTMLParser):
    """The HTML part as a client lays it out: blocks on lines of their own, inline
    elements (links, bold) within the line."""

    def __init__(self, html: str):
        super().__init__()
        self.parts: list[str] = []
        self.feed(html)

    def handle_starttag(self, tag, attrs):
        if tag in BLOCKS:
            self.parts.append("\n")

    def handle_endtag(self, tag):
        self.handle_starttag(tag, [])

    def handle_data(self, data):
        self.parts.append(" ".join(data.split("\n")))

    @property
    def lines(self) -> list[str]:
        # Spaces collapsed as HTML does, no-break ones kept.
        return [re.sub(r"[ \t\r]+", " ", line).strip() for line in "".join(self.parts).split("\n")]


def glued(lines: list[str]) -> list[str]:
    """Lines where a sentence runs into the next, URLs, times and e-mail addresses
    aside."""
    found = []
    for line in lines:
        words = [w for w in line.split() if not re.search(r"https?://|@|\d:\d", w)]
        found += [w for w in words if GLUED.search(w) and not w.isupper()]
    return found


def csrf(page: str) -> str:
    return re.search(r'name="csrf_token"(?: type="hidden")? value="([^"]+)"', page).group(1)


def register(client, demo, email: str, language: str, sessions: list[int]) -> str:
    response = client.post(
        f"/api/v1/editions/{demo.slug}/registrations",
        json={
            "first_name": "Ève", "last_name": "Dandoy", "email": email, "country": "BE",
            "category": "guest", "language": language, "days": ["2019-06-19"],
            "consent": True, "sessions": sessions,
        },
    )  # fmt: skip
    assert response.status_code == 201, response.get_json()
    return urlsplit(response.get_json()["manage_url"]).path


def every_mail_of_a_registration(app, client, demo, db, language: str) -> list[OutboxMessage]:
    """Two people want the last seat of a visit: the first gets it, the second waits,
    asks for the private link again, swaps the place in line for another visit and back,
    and gets the seat when the first cancels."""
    explora = db.scalar(sa.select(Session).where(Session.key == "d1-visit-explora"))
    spaces = db.scalar(sa.select(Session).where(Session.key == "d1-visit-spaces"))
    explora.capacity = 1
    db.commit()
    first = register(client, demo, "first@example.org", language, [explora.id])
    second = register(client, demo, "second@example.org", language, [explora.id])
    page = client.get(f"/{demo.slug}/register/lost-link").get_data(as_text=True)
    client.post(
        f"/{demo.slug}/register/lost-link",
        data={"csrf_token": csrf(page), "email": "second@example.org"},
    )
    token = csrf(client.get(second).get_data(as_text=True))
    for leaving, joining in ((explora, spaces), (spaces, explora)):
        client.post(
            f"{second}/choices/swap",
            data={
                "csrf_token": token,
                "session_id": leaving.id,
                "to_session": joining.id,
                "give_up_seat": "y",
            },
        )
    client.post(f"{first}/cancel", data={"csrf_token": csrf(client.get(f"{first}/cancel").text)})
    db = fresh(db)
    with app.app_context():
        writing.write_waiting(db)
    return db.scalars(sa.select(OutboxMessage).order_by(OutboxMessage.id)).all()


@pytest.mark.parametrize("language", ["fr", "en", "it", "es", "pt"])
def test_no_sentence_runs_into_the_next_in_any_mail(app, client, demo, db, language):
    messages = every_mail_of_a_registration(app, client, demo, db, language)
    purposes = {m.purpose for m in messages}
    assert {"confirmation", "link", "choices_changed", "promotion", "cancellation"} <= purposes
    for message in messages:
        assert not glued(message.text_body.splitlines()), (message.purpose, message.text_body)
        assert not glued(Reading(message.html_body).lines), (message.purpose, message.html_body)


def test_in_french_a_no_break_space_comes_before_the_colon_after_a_sessions_time(
    app, client, demo, db
):
    messages = every_mail_of_a_registration(app, client, demo, db, "fr")
    # Written by the sender after the others: by then the second person holds the seat.
    (confirmation,) = [
        m for m in messages if m.to_address == "second@example.org" and m.purpose == "confirmation"
    ]
    item = f"mercredi 19 juin, 17:00–18:30{NBSP}: Visite des expositions permanentes"
    assert item in confirmation.text_body
    assert item in " ".join(Reading(confirmation.html_body).lines)
