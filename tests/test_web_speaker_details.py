"""The speaker's details on their page: what they correct (function, organisation, bio),
the language we write to them in and the address we write to, and what the invitation
says they may change; organisers see each change in the log."""

from __future__ import annotations

import re
from html import unescape

import pytest
import sqlalchemy as sa
from flask_babel import force_locale

from school.database import utcnow
from school.models import AuditEntry, Edition, OutboxMessage
from school.services.backoffice import audit_words
from school.services.programme import speakers
from tests.support.backoffice import page_title
from tests.support.calendars import csrf_token
from tests.support.servers import Inbox
from tests.support.speaker_corner import KEY
from tests.support.speaker_corner import page as _page
from tests.support.speaker_corner import person as _person
from tests.support.speaker_corner import text as _text


def test_the_speaker_corrects_their_details_and_organisers_see_what_changed(client, demo, db):
    person = _person(db)
    html = _page(client, person)
    changed_at = db.get(Edition, person.edition_id).changed_at
    response = client.post(
        f"/speaker/{person.speaker_token}/details",
        data={
            "csrf_token": csrf_token(html),
            "function_fr": "Directrice générale",
            "function_en": "Director General",
            "organisation": "Uniformation",
            "bio_fr": "",
            "bio_en": "Works on skills in the social economy.",
        },
    )
    assert response.status_code == 302
    person = _person(db)
    assert person.function_fr == "Directrice générale" and person.bio_fr is None
    entry = db.scalar(sa.select(AuditEntry).where(AuditEntry.action == "speaker.updated"))
    assert entry.actor == f"speaker:{person.id}"
    assert entry.details == {
        "function_fr": [None, "Directrice générale"],
        "function_en": [None, "Director General"],
        "bio_en": [None, "Works on skills in the social economy."],
    }
    assert db.get(Edition, person.edition_id).changed_at > changed_at
    public = client.get(f"/{demo.slug}/speakers/{KEY}?lang=en").get_data(as_text=True)
    assert "Director General, Uniformation" in public
    assert "Works on skills in the social economy." in public


def test_details_that_are_too_long_are_refused_with_a_message(client, demo, db):
    person = _person(db)
    html = _page(client, person, lang="en")
    response = client.post(
        f"/speaker/{person.speaker_token}/details",
        data={"csrf_token": csrf_token(html), "organisation": "x" * 201},
    )
    assert response.status_code == 422
    page = response.get_data(as_text=True)
    assert 'aria-invalid="true"' in page and "200" in page
    assert _person(db).organisation == "Uniformation"
    assert db.scalar(sa.select(sa.func.count()).select_from(AuditEntry)) == 0


# -- What we write to the speaker at, and in


def _details(client, person, html, **changed):
    """Send the details form as a browser sends what the page shows, ``changed`` typed over it."""
    form = {"csrf_token": csrf_token(html), "language": person.language}
    for name in ("function_fr", "function_en", "organisation", "email"):
        field = re.search(rf'<input[^>]*name="{name}"[^>]*>', html).group(0)
        value = re.search(r'value="([^"]*)"', field)
        form[name] = unescape(value.group(1)) if value else ""
    for name in ("bio_fr", "bio_en"):
        text = re.search(rf'<textarea[^>]*name="{name}"[^>]*>(.*?)</textarea>', html, re.S)
        form[name] = unescape(text.group(1)).removeprefix("\r\n").removeprefix("\n")
    form.update(changed)
    return client.post(f"/speaker/{person.speaker_token}/details", data=form)


def _invite(app, db, person) -> None:
    with app.app_context():
        edition = db.get(Edition, person.edition_id)
        speakers.invite(
            db, edition, link_for=lambda p: "https://x", now=utcnow(), person_id=person.id
        )
        db.commit()


def _outbox(db) -> list[OutboxMessage]:
    db.rollback()
    return db.scalars(sa.select(OutboxMessage).order_by(OutboxMessage.id)).all()


def test_the_speaker_chooses_the_language_of_their_emails(app, client, demo, db):
    person = _person(db)
    html = _page(client, person)
    select = re.search(r'<select[^>]*name="language".*?</select>', html, re.S).group(0)
    for code, name in (("fr", "Français"), ("en", "English"), ("it", "Italiano"),
                       ("es", "Español"), ("pt", "Português")):  # fmt: skip
        assert re.search(rf'<option lang="{code}"[^>]*value="{code}">{name}</option>', select)
    assert re.search(r'<option lang="fr" selected value="fr">', select)
    changed_at = db.get(Edition, person.edition_id).changed_at

    response = _details(client, person, html, language="it")
    assert response.status_code == 302
    person = _person(db)
    assert person.language == "it"
    # The page follows at once, in Italian, and says it is saved.
    page = _text(_page(client, person))
    assert "Grazie: i tuoi dati sono aggiornati." in page
    assert "giovedì 20 giugno 2019" in page
    entry = db.scalar(sa.select(AuditEntry).where(AuditEntry.action == "speaker.updated"))
    assert entry.details == {"language": ["fr", "it"]}
    with app.test_request_context(), force_locale("en"):  # as the organisers read the log
        [said] = audit_words.describe(db, db.get(Edition, person.edition_id), [entry])
    assert [(line.label, line.text) for line in said.lines] == [("Language", "Français → Italiano")]
    # Nothing the programme shows changed: its pages and calendars are left alone.
    assert db.get(Edition, person.edition_id).changed_at == changed_at

    # The next e-mail we write to her is in Italian.
    person.email = "koulsoum@example.org"
    db.commit()
    _invite(app, db, person)
    [invitation] = _outbox(db)
    assert invitation.to_address == "koulsoum@example.org"
    assert invitation.subject.startswith("Le tue sessioni a Spring School 2019")
    assert "giovedì 20 giugno 2019" in invitation.text_body


def test_a_changed_address_is_told_to_the_previous_one(smtp, client, demo, db):
    person = _person(db)
    person.email = "koulsoum@example.org"
    db.commit()
    html = _page(client, person)
    response = _details(client, person, html, email="  k.logerot@uniformation.example  ")
    assert response.status_code == 302
    assert _person(db).email == "k.logerot@uniformation.example"
    # Said beside the form, where the page opens again (``#details``).
    page = _page(client, person)
    section = _text(page[page.index('<section id="details"') :])
    assert (
        "Merci : désormais, nous vous écrivons à k.logerot@uniformation.example."
        " Un message prévient votre ancienne adresse du changement."
    ) in section

    [notice] = smtp.inbox.wait_for(1)
    assert notice["To"] == "koulsoum@example.org"
    assert notice["Subject"].startswith("Votre adresse e-mail a été modifiée\u00a0: Spring School")
    text = Inbox.text(notice)
    assert "Bonjour Koulsoum Logerot," in text
    assert "k.logerot@uniformation.example" in text
    assert "prévenez tout de suite les organisateurs" in text
    assert person.speaker_token not in text  # the link itself is not sent about
    assert smtp.inbox.to("k.logerot@uniformation.example") == []

    entry = db.scalar(sa.select(AuditEntry).where(AuditEntry.action == "speaker.updated"))
    assert entry.actor == f"speaker:{person.id}"
    assert entry.details == {"email": ["koulsoum@example.org", "k.logerot@uniformation.example"]}
    # Saved again as it is now: nothing changes, nobody is written to.
    assert _details(client, person, _page(client, person)).status_code == 302
    assert "Rien n'a été modifié." in _text(_page(client, person))
    assert [m.to_address for m in _outbox(db)] == ["koulsoum@example.org"]


@pytest.mark.parametrize(
    ("typed", "message"),
    [
        ("koulsoum.example.org", "This does not look like an e-mail address."),
        ("koulsoum@", "This does not look like an e-mail address."),
        ("", "Please give your e-mail address."),
    ],
)
def test_a_wrong_address_is_refused_and_nothing_changes(client, demo, db, typed, message):
    person = _person(db)
    person.email = "koulsoum@example.org"
    db.commit()
    html = _page(client, person, lang="en")
    response = _details(client, person, html, email=typed, organisation="Elsewhere")
    assert response.status_code == 422
    page = response.get_data(as_text=True)
    field = re.search(r'<input[^>]*name="email"[^>]*>', page).group(0)
    assert 'aria-invalid="true"' in field and "email-errors" in field
    error = re.search(r'<ul class="field-errors" id="email-errors">\s*<li>([^<]*)</li>', page)
    assert unescape(error.group(1)) == message
    assert "Please correct the highlighted fields." in page
    assert '<li><a href="#email">E-mail</a></li>' in page  # the summary above the form
    assert page_title(page) == f"Error: {page_title(html)}"
    assert 'action="/speaker/' in page and '/details#details"' in page
    assert f'value="{typed}"' in field  # what they typed stays, to be corrected
    person = _person(db)
    assert (person.email, person.organisation) == ("koulsoum@example.org", "Uniformation")
    assert db.scalar(sa.select(sa.func.count()).select_from(AuditEntry)) == 0
    assert _outbox(db) == []


def test_the_address_of_another_speaker_is_refused(client, demo, db):
    other = _person(db, "marja-pudas")
    other.email = "Marja.Pudas@Example.org"
    person = _person(db)
    person.email = "koulsoum@example.org"
    db.commit()
    html = _page(client, person, lang="en")
    response = _details(client, person, html, email="marja.pudas@example.ORG")
    assert response.status_code == 422
    page = _text(response.get_data(as_text=True))
    assert "Another speaker of this edition already has this address" in page
    assert "Marja" not in page  # whose it is stays unsaid
    assert _person(db).email == "koulsoum@example.org"
    assert _outbox(db) == []
    # Their own address, written otherwise, is no one else's.
    response = _details(client, person, html, email="Koulsoum@EXAMPLE.org")
    assert response.status_code == 302
    assert _person(db).email == "Koulsoum@example.org"


@pytest.mark.parametrize(
    ("lang", "said"),
    [
        ("en", "correct your function, organisation, short bio and e-mail address, "
               "choose the language of our e-mails,"),
        ("fr", "corriger votre fonction, votre organisme, votre courte biographie et votre "
               "adresse e-mail, choisir la langue de nos e-mails,"),
        ("it", "correggere la tua funzione, organizzazione, breve biografia e indirizzo e-mail, "
               "scegliere la lingua delle nostre e-mail,"),
        ("es", "corregir su cargo, organización, breve biografía y dirección de correo "
               "electrónico, elegir el idioma de nuestros correos,"),
        ("pt", "corrigir a sua função, organização, breve biografia e endereço de e-mail, "
               "escolher a língua dos nossos e-mails,"),
    ],
)  # fmt: skip
def test_the_invitation_tells_what_the_speakers_page_lets_them_change(app, demo, db, lang, said):
    """Their address and the language of our e-mails too, in both parts of the message."""
    person = _person(db)
    person.email, person.language = "koulsoum@example.org", lang
    db.commit()
    _invite(app, db, person)
    [invitation] = _outbox(db)
    assert said in " ".join(invitation.text_body.split())
    assert said in _text(invitation.html_body)
