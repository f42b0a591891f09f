"""Five languages: every public, participant, speaker and door page and every e-mail speaks the
reader's language; what the organisers did not translate is shown in the fallback language and
marked with it (``lang=``) so that screen readers pronounce it right. The back office stays in
French and English."""

from __future__ import annotations

import re
from datetime import timedelta
from html.parser import HTMLParser

import pytest
import sqlalchemy as sa
import yaml
from babel.messages.pofile import read_po

from school.database import utcnow
from school.models import Edition, OutboxMessage, Person, Session
from school.models.vocabulary import LANGUAGES
from school.paths import PACKAGE_DIR
from school.services.backoffice import organisers
from school.services.mail import notifications, writing
from tests.support.backoffice import Organiser, attempt_login, make_admin
from tests.support.factories import make_choice, make_registration

NEW = ("it", "es", "pt")
PASSWORD = "Vingt-quatre Cités en 2024!"
VOID = {"area", "base", "br", "col", "embed", "hr", "img", "input", "link", "meta", "source",
        "track", "wbr"}  # fmt: skip


class Texts(HTMLParser):
    """Every text node of a page with the language it is in (the nearest ``lang``)."""

    def __init__(self):
        super().__init__()
        self.stack: list[tuple[str, str | None]] = []
        self.nodes: list[tuple[str, str]] = []
        self.skip = 0

    def handle_starttag(self, tag, attrs):
        if tag in VOID:
            return
        self.stack.append((tag, dict(attrs).get("lang")))
        if tag in ("script", "style", "template"):
            self.skip += 1

    def handle_endtag(self, tag):
        while self.stack:
            open_tag, _ = self.stack.pop()
            if open_tag in ("script", "style", "template"):
                self.skip -= 1
            if open_tag == tag:
                break

    def handle_data(self, data):
        if self.skip or not data.strip():
            return
        lang = next((lang for _, lang in reversed(self.stack) if lang), None)
        self.nodes.append((" ".join(data.split()), lang))


def texts(html: str) -> list[tuple[str, str]]:
    parser = Texts()
    parser.feed(html)
    return parser.nodes


def english_sentences(lang: str) -> set[str]:
    """Interface sentences whose translation differs from the English: if one of them shows on
    a page in ``lang``, outside an element marked English, it was left untranslated."""
    with open(PACKAGE_DIR / "translations" / lang / "LC_MESSAGES" / "messages.po", "rb") as fh:
        catalog = read_po(fh)
    return {
        m.id
        for m in catalog
        if isinstance(m.id, str)
        and "%" not in m.id
        and len(m.id.split()) >= 3
        and m.string
        and m.string != m.id
    }


def untranslated(html: str, lang: str, sentences: set[str]) -> list[str]:
    return sorted(
        {s for text, where in texts(html) if where in (None, lang) for s in sentences if s in text}
    )


@pytest.fixture
def pages(app, db, demo):
    with app.app_context():
        organisers.create_organiser(db, "door@example.org", "checkin", PASSWORD)
    session = db.scalar(sa.select(Session).where(Session.key == "d1-visit-explora"))
    person = db.scalar(sa.select(Person).order_by(Person.id))
    edition = db.get(Edition, demo.id)
    registration = make_registration(db, edition)
    make_choice(db, registration, session)
    # The call for initiatives is open, so its form is shown.
    edition.initiatives_open_at = utcnow() - timedelta(days=1)
    edition.initiatives_close_at = utcnow() + timedelta(days=30)
    db.commit()
    token = registration.manage_token
    return {
        "home": "/",
        "edition": f"/{demo.slug}/",
        "programme": f"/{demo.slug}/programme",
        "session": f"/{demo.slug}/sessions/{session.id}",
        "speakers": f"/{demo.slug}/speakers",
        "speaker": f"/{demo.slug}/speakers/{person.key}",
        "register": f"/{demo.slug}/register",
        "lost link": f"/{demo.slug}/register/lost-link",
        "private": f"/my/{token}",
        "private edit": f"/my/{token}/edit",
        "private cancel": f"/my/{token}/cancel",
        "badge": f"/my/{token}/badge",
        "speaker corner": f"/speaker/{person.speaker_token}",
        "wall": f"/{demo.slug}/initiatives",
        "wall screen": f"/{demo.slug}/initiatives/screen",
        "initiative": f"/{demo.slug}/initiatives/submit",
        "door picker": f"/organiser/{demo.slug}/checkin",
        "door scanner": f"/organiser/{demo.slug}/checkin/entrance:2019-06-19",
    }


@pytest.mark.parametrize("lang", LANGUAGES)
def test_every_page_speaks_the_readers_language(client, pages, lang):
    sentences = english_sentences(lang) if lang != "en" else set()
    attempt_login(client, "door@example.org", PASSWORD)
    problems = {}
    for name, path in pages.items():
        response = client.get(path, query_string={"lang": lang})
        assert response.status_code == 200, (name, response.status_code)
        html = response.get_data(as_text=True)
        assert f'<html lang="{lang}"' in html, name
        if found := untranslated(html, lang, sentences):
            problems[name] = found
    assert problems == {}


@pytest.mark.parametrize("lang", NEW)
def test_the_language_switch_offers_the_five(client, demo, lang):
    html = client.get(f"/{demo.slug}/programme", query_string={"lang": lang}).get_data(True)
    switch = html.split('class="lang-switch"')[1].split("</li>")[0]
    assert re.findall(r' lang="(\w\w)"', switch) == list(LANGUAGES)


@pytest.mark.parametrize(
    ("header", "lang"),
    [
        ("pt-PT,pt;q=0.9,en;q=0.5", "pt"),
        ("pt-PT, en;q=0.5", "pt"),  # a region counts for its language, before the next one
        ("de-CH, it;q=0.8, en;q=0.5", "it"),
        ("es-419", "es"),
        ("zh-CN, ar;q=0.9", "fr"),
        ("en;q=0, it", "it"),
    ],
)
def test_the_browser_preference_picks_among_the_five(client, demo, header, lang):
    html = client.get(f"/{demo.slug}/", headers={"Accept-Language": header})
    assert f'<html lang="{lang}"' in html.get_data(as_text=True)


def test_the_back_office_stays_in_french_and_english(client, demo):
    with client.application.app_context():
        from school.extensions import db

        organisers.create_organiser(db.session, "chef@example.org", "admin", PASSWORD)
        db.session.commit()
    attempt_login(client, "chef@example.org", PASSWORD)
    html = client.get("/organiser/", query_string={"lang": "it"}).get_data(as_text=True)
    assert re.search(r'<html lang="(fr|en)"', html)
    switch = html.split('class="lang-switch"')[1].split("</li>")[0]
    assert re.findall(r' lang="(\w\w)"', switch) == ["fr", "en"]


# One English "Confirmed" qualifies a seat and a registration: masculine and feminine in
# Italian (posto, iscrizione) and Portuguese (lugar, inscrição).
AGREEMENT = {"it": ("Confermato", "Confermata"), "pt": ("Confirmado", "Confirmada")}


@pytest.fixture
def back_office_in_every_language(app_config):
    """An installation whose back office speaks the five languages (a setting): so the
    registrations' list can be read in Italian and Portuguese."""
    app_config["BACKOFFICE_LANGUAGES"] = LANGUAGES
    return app_config


@pytest.mark.parametrize("lang", AGREEMENT)
def test_a_confirmed_seat_and_a_confirmed_registration_agree_with_their_nouns(
    back_office_in_every_language, app, client, db, demo, lang
):
    seat, registered = AGREEMENT[lang]
    session = db.scalar(sa.select(Session).where(Session.key == "d1-visit-explora"))
    registration = make_registration(db, db.get(Edition, demo.id), language=lang)
    make_choice(db, registration, session)
    db.commit()
    mine = client.get(f"/my/{registration.manage_token}", query_string={"lang": lang})
    assert f"✓ {seat}</strong>" in mine.get_data(as_text=True)
    with app.test_request_context():
        notifications.confirmation(db, registration, now=utcnow())
    db.commit()
    with app.test_request_context():
        assert writing.write_waiting(db) == 1  # the sender writes the confirmation out
    mail = db.scalar(
        sa.select(OutboxMessage).where(OutboxMessage.registration_id == registration.id)
    )
    assert f"({seat.lower()})" in mail.text_body

    make_admin(app, db)
    organiser = Organiser(client, lang).login()
    listed = organiser.page(f"/organiser/{demo.slug}/registrations")
    # The filters: a seat's status, then the registration's; and the registration's row.
    assert f'<option value="confirmed">{seat}</option>' in listed
    assert f'<option value="confirmed" selected>{registered}</option>' in listed
    row = listed.split(f"/registrations/{registration.id}")[1].split("</tr>")[0]
    assert f"<td>{registered}</td>" in row
    page = organiser.page(f"/organiser/{demo.slug}/registrations/{registration.id}")
    assert f'<strong class="status-ok">{seat}</strong>' in page


def test_untranslated_content_is_marked_with_its_language(client, db, demo):
    """The demo's sessions are written in French and English: an Italian reader sees the
    English title, inside an element that says it is English; with a translation, the
    Italian one, unmarked; with the edition's fallback set to French, the French one."""
    translated = db.scalar(sa.select(Session).where(Session.key == "d1-visit-explora"))
    translated.title_it = "Visita di Explora"
    db.commit()
    english = {
        s.title_en
        for s in db.scalars(sa.select(Session).where(Session.edition_id == demo.id))
        if s.title_en
        and s.title_en != s.title_fr
        and s.id != translated.id
        and len(s.title_en.split()) > 1  # one word may also be a label of the interface
    }
    html = client.get(f"/{demo.slug}/programme?lang=it").get_data(as_text=True)
    nodes = texts(html)
    shown = {text for text, _ in nodes}
    assert english <= shown
    assert {text: where for text, where in nodes if text in english and where != "en"} == {}
    assert ("Visita di Explora", "it") in nodes

    db.get(Edition, demo.id).content_fallback = "fr"
    db.commit()
    french = db.scalar(sa.select(Session).where(Session.key == "d2-stakes"))
    html = client.get(f"/{demo.slug}/sessions/{french.id}?lang=es").get_data(as_text=True)
    assert (french.title_fr, "fr") in texts(html)


def test_a_participant_may_choose_any_of_the_five_and_every_email_follows(client, db, demo):
    session = db.scalar(sa.select(Session).where(Session.key == "d1-visit-explora"))
    body = {
        "first_name": "Giulia", "last_name": "Bianchi", "email": "giulia@example.it",
        "organisation": "Città dei mestieri di Milano", "country": "IT", "category": "partner",
        "language": "it", "days": ["2019-06-19"], "sessions": [session.id], "consent": True,
    }  # fmt: skip
    response = client.post(f"/api/v1/editions/{demo.slug}/registrations", json=body)
    assert response.status_code == 201, response.get_json()
    body["language"] = "de"
    body["email"] = "someone@example.de"
    refused = client.post(f"/api/v1/editions/{demo.slug}/registrations", json=body)
    assert refused.status_code == 422 and "language" in refused.get_json()["errors"]


@pytest.mark.parametrize("lang", NEW)
def test_every_email_is_written_in_the_participants_language(app, db, demo, lang):
    edition = db.get(Edition, demo.id)
    session = db.scalar(sa.select(Session).where(Session.key == "d1-visit-explora"))
    registration = make_registration(db, edition, language=lang)
    choice = make_choice(db, registration, session)
    db.commit()
    now = utcnow()
    with app.test_request_context():
        notifications.confirmation(db, registration, now=now)
        notifications.link_reminder(db, registration, now=now)
        notifications.promotions(db, [choice], now=now)
        notifications.moved_to_waitlist(db, [choice], now=now)
        notifications.cancellation(
            db, registration, now=now, seats_freed=1, may_register_again=True
        )
    db.commit()
    with app.test_request_context():
        assert writing.write_waiting(db) == 1  # the confirmation
    messages = db.scalars(
        sa.select(OutboxMessage).where(OutboxMessage.registration_id == registration.id)
    ).all()
    assert len(messages) == 5
    sentences = english_sentences(lang)
    for message in messages:
        assert f'<html lang="{lang}">' in message.html_body
        assert untranslated(message.html_body, lang, sentences) == [], message.purpose
        plain = message.subject + "\n" + message.text_body
        assert [s for s in sentences if s in plain] == [], message.purpose
        # The session's English title, a fallback, is marked as English in the HTML part.
        if session.title_en in message.html_body:
            assert (session.title_en, "en") in texts(message.html_body)


def test_feeds_carry_the_language_they_show(client, db, demo):
    session = db.scalar(sa.select(Session).where(Session.key == "d1-visit-explora"))
    session.title_pt = "Visita à Explora"
    db.commit()
    frab = client.get(f"/{demo.slug}/schedule.json?lang=pt").get_json()
    events = [
        event
        for day in frab["schedule"]["conference"]["days"]
        for room in day["rooms"].values()
        for event in room
    ]
    mine = next(e for e in events if e["id"] == session.id)
    assert mine["title"] == "Visita à Explora" and mine["language"] == "pt"
    assert {e["language"] for e in events if e["id"] != session.id} == {"en"}
    ics = client.get(f"/{demo.slug}/programme.ics?lang=pt").get_data(as_text=True)
    assert "SUMMARY:Visita à Explora" in ics
    assert "SUMMARY;LANGUAGE=en:" in ics
    api = client.get(f"/api/v1/editions/{demo.slug}/programme").get_json()
    mine = next(s for s in api["sessions"] if s["id"] == session.id)
    assert mine["title"]["pt"] == "Visita à Explora" and "it" not in mine["title"]


def test_the_programme_file_carries_the_other_languages(runner, db, demo, tmp_path):
    exported = runner.invoke(args=["programme", "export", demo.slug])
    assert exported.exit_code == 0
    source = tmp_path / "programme.yaml"
    data = yaml.safe_load(exported.output)
    entry = next(s for s in data["sessions"] if s["id"] == "d1-visit-explora")
    entry["title"]["es"] = "Visita a Explora"
    entry["description"] = {**(entry.get("description") or {}), "it": "Una visita."}
    source.write_text(yaml.safe_dump(data, allow_unicode=True), encoding="utf-8")
    assert runner.invoke(args=["programme", "import", str(source)]).exit_code == 0
    db.expire_all()
    session = db.scalar(sa.select(Session).where(Session.key == "d1-visit-explora"))
    assert session.title_es == "Visita a Explora" and session.description_it == "Una visita."
    again = runner.invoke(args=["programme", "export", demo.slug]).output
    assert "Visita a Explora" in again and "Una visita." in again

    data["edition"]["content_fallback"] = "fr"
    source.write_text(yaml.safe_dump(data, allow_unicode=True), encoding="utf-8")
    assert runner.invoke(args=["programme", "import", str(source)]).exit_code == 0
    db.rollback()  # a new transaction sees the import
    assert db.get(Edition, demo.id).content_fallback == "fr"
    assert "content_fallback: fr" in runner.invoke(args=["programme", "export", demo.slug]).output

    data["edition"]["content_fallback"] = "de"
    source.write_text(yaml.safe_dump(data, allow_unicode=True), encoding="utf-8")
    refused = runner.invoke(args=["programme", "import", str(source)])
    assert refused.exit_code != 0 and "content_fallback" in refused.output
    data["edition"]["content_fallback"] = "fr"

    entry["title"]["de"] = "Besuch"
    source.write_text(yaml.safe_dump(data, allow_unicode=True), encoding="utf-8")
    refused = runner.invoke(args=["programme", "import", str(source)])
    assert refused.exit_code != 0 and "de" in refused.output
