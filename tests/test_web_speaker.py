"""The speakers' corner: a speaker of the demo sees when, where and with whom they
speak, gets a calendar and a one-page PDF, confirms, and corrects their details."""

from __future__ import annotations

import re
import subprocess
from html import unescape

import pytest
import sqlalchemy as sa
from flask_babel import force_locale

from school.database import utcnow
from school.models import AuditEntry, Edition, OutboxMessage, Person, SessionPerson
from school.services.backoffice import audit_words
from school.services.programme import speakers
from tests.support.backoffice import page_title
from tests.support.calendars import LISBON, csrf_token, local, parse, session
from tests.support.servers import Inbox

# Koulsoum Logerot speaks at round table 2 on Thursday 20 June 2019, "sous réserve".
KEY = "koulsoum-logerot"


def _person(db, key=KEY) -> Person:
    db.commit()  # a new transaction sees what requests committed (SQLite: a new snapshot)
    db.expire_all()
    return db.scalar(sa.select(Person).where(Person.key == key))


def _page(client, person, **query):
    response = client.get(f"/speaker/{person.speaker_token}", query_string=query)
    assert response.status_code == 200
    return response.get_data(as_text=True)


def _text(html: str) -> str:
    """What a reader sees, roughly: tags out, entities decoded, spaces squeezed."""
    return re.sub(r"\s+", " ", unescape(re.sub(r"<[^>]+>", " ", html))).replace(" – ", "–")


def test_the_page_shows_day_time_room_role_and_the_other_speakers(client, demo, db):
    person = _person(db)
    response = client.get(f"/speaker/{person.speaker_token}")
    assert response.headers["X-Robots-Tag"] == "noindex"
    assert "no-store" in response.headers["Cache-Control"]
    text = _text(response.get_data(as_text=True))  # her language: French
    assert "jeudi 20 juin 2019, 15:30–16:30" in text
    assert "Salle Auditorium" in text
    assert "Type Table ronde" in text
    assert "Votre rôle Intervenant·e sous réserve" in text
    for other in (
        "Charlotte Dudignac",
        "Bernard Van Asbrouck",
        "Aurore Dandoy",
        "Carolina Ferreira",
    ):
        assert other in text
    assert "L'orientation, la formation et l'emploi couvrent tous les âges" in text
    assert "30 avenue Corentin-Cariou, 75019 Paris, France" in text
    assert "springschool.ricdm@gmail.com" in text
    html = response.get_data(as_text=True)
    assert f'href="webcal://localhost/speaker/{person.speaker_token}/agenda.ics"' in html
    assert f"/speaker/{person.speaker_token}/schedule.pdf" in html


def test_the_page_speaks_the_speakers_language_unless_asked(client, demo, db):
    person = _person(db)
    person.language = "en"
    db.commit()
    text = _text(_page(client, person))
    assert "Thursday 20 June 2019" in text and "Your role Speaker to be confirmed" in text
    assert "jeudi 20 juin 2019" in _text(_page(client, person, lang="fr"))


def test_the_pdf_shows_the_day_time_and_room_on_one_page(client, demo, db, tmp_path):
    person = _person(db)
    response = client.get(f"/speaker/{person.speaker_token}/schedule.pdf")
    assert response.status_code == 200 and response.mimetype == "application/pdf"
    path = tmp_path / "schedule.pdf"
    path.write_bytes(response.data)
    text = subprocess.run(
        ["pdftotext", "-layout", str(path), "-"], capture_output=True, text=True, check=True
    ).stdout
    info = subprocess.run(["pdfinfo", str(path)], capture_output=True, text=True).stdout
    assert re.search(r"Pages:\s+1\b", info)
    assert "Koulsoum Logerot" in text
    assert "jeudi 20 juin 2019, 15:30–16:30 · Auditorium" in text
    assert "Table ronde n° 2" in text and "sous réserve" in text
    assert "Charlotte Dudignac" in text
    assert "30 avenue Corentin-Cariou" in text


def test_a_speaker_with_many_sessions_still_gets_one_page(client, db, tmp_path):
    from bench.synthetic import programme_text
    from school.services.programme import importer

    importer.import_text(db, programme_text(150, 15, slug="busy"), "busy.yaml")
    db.commit()
    person = _person(db, "p0")
    assert len(person.sessions) >= 10
    path = tmp_path / "busy.pdf"
    path.write_bytes(client.get(f"/speaker/{person.speaker_token}/schedule.pdf").data)
    info = subprocess.run(["pdfinfo", str(path)], capture_output=True, text=True).stdout
    assert re.search(r"Pages:\s+1\b", info), info


def test_the_speakers_feed_lists_their_sessions_with_their_role(client, demo, db):
    person = _person(db)
    response = client.get(f"/speaker/{person.speaker_token}/agenda.ics")
    assert response.status_code == 200
    events = parse(response.data)
    round_table = session(db, "d2-round-table-2")
    assert list(events) == [round_table.uid]
    event = events[round_table.uid]
    assert event["status"] == "TENTATIVE"
    assert "Votre rôle : Intervenant·e (sous réserve)" in event["description"]
    assert local(event["start"], LISBON) == "2019-06-20 14:30"
    again = client.get(
        f"/speaker/{person.speaker_token}/agenda.ics",
        headers={"If-None-Match": response.headers["ETag"]},
    )
    assert again.status_code == 304


def test_a_cancelled_session_is_no_longer_to_be_confirmed(client, demo, db, tmp_path):
    """Nothing is left to confirm about a session that will not take place: the page, the
    PDF and the feed say it is cancelled, not that the speaker's role awaits them."""
    person = _person(db)
    person.language = "en"
    session(db, "d2-round-table-2").status = "cancelled"
    db.commit()
    text = _text(_page(client, person))
    assert "Cancelled" in text and "to be confirmed" not in text
    pdf = tmp_path / "schedule.pdf"
    pdf.write_bytes(client.get(f"/speaker/{person.speaker_token}/schedule.pdf").data)
    printed = subprocess.run(
        ["pdftotext", "-layout", str(pdf), "-"], capture_output=True, text=True, check=True
    ).stdout
    assert "Cancelled" in printed and "to be confirmed" not in printed
    event = next(
        iter(parse(client.get(f"/speaker/{person.speaker_token}/agenda.ics").data).values())
    )
    assert event["status"] == "CANCELLED" and "to be confirmed" not in event["description"]


def test_confirming_clears_the_tentative_mark_everywhere(client, demo, db):
    person = _person(db)
    round_table = session(db, "d2-round-table-2")
    public_url = f"/{demo.slug}/sessions/{round_table.id}?lang=fr"
    mark = r"Koulsoum Logerot</strong></a>\s*<em class=\"tentative\">sous réserve"
    assert re.search(mark, client.get(public_url).get_data(as_text=True))
    programme = client.get(f"/{demo.slug}/programme?lang=fr").get_data(as_text=True)
    assert re.search(r"Koulsoum Logerot\s*<em class=\"tentative\">sous réserve", programme)
    feed = client.get(f"/speaker/{person.speaker_token}/agenda.ics")
    programme_feed = client.get(f"/{demo.slug}/programme.ics")

    html = _page(client, person)
    response = client.post(
        f"/speaker/{person.speaker_token}/confirm",
        data={"csrf_token": csrf_token(html), "session_id": str(round_table.id)},
    )
    assert response.status_code == 302
    page = _page(client, person)
    assert "Merci : votre participation est confirmée." in page
    assert "Je confirme mon intervention" not in page

    public = client.get(public_url).get_data(as_text=True)
    assert "Koulsoum Logerot" in public and not re.search(mark, public)
    programme = client.get(f"/{demo.slug}/programme?lang=fr").get_data(as_text=True)
    assert re.search(r"Koulsoum Logerot\s*<span", programme)  # no "sous réserve" after her name
    assert _person(db).confirmed_at is not None
    entry = db.scalar(sa.select(AuditEntry).where(AuditEntry.action == "speaker.confirmed"))
    assert entry.actor == f"speaker:{person.id}" and entry.target == f"session:{round_table.id}"

    # Calendars follow: the speaker's event is confirmed, with a higher SEQUENCE.
    after = client.get(
        f"/speaker/{person.speaker_token}/agenda.ics",
        headers={"If-None-Match": feed.headers["ETag"]},
    )
    assert after.status_code == 200
    event = parse(after.data)[round_table.uid]
    assert event["status"] == "CONFIRMED"
    assert event["sequence"] > parse(feed.data)[round_table.uid]["sequence"]
    programme_after = client.get(
        f"/{demo.slug}/programme.ics", headers={"If-None-Match": programme_feed.headers["ETag"]}
    )
    assert programme_after.status_code == 200
    assert "[sous réserve]" not in parse(programme_after.data)[round_table.uid]["description"]


def test_a_confirmation_without_the_form_token_changes_nothing(client, demo, db):
    person = _person(db)
    response = client.post(f"/speaker/{person.speaker_token}/confirm", data={})
    assert response.status_code == 400
    assert _person(db).confirmed_at is None


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


@pytest.mark.parametrize("token", ["nope", "x" * 200])
def test_an_unknown_link_is_404(client, demo, token):
    for suffix in ("", "/agenda.ics", "/schedule.pdf"):
        assert client.get(f"/speaker/{token}{suffix}").status_code == 404


def test_the_speakers_feed_runs_a_fixed_number_of_queries(client, db, count_queries):
    from bench.synthetic import programme_text
    from school.services.programme import importer

    counts = []
    for slug, size in (("small", 20), ("large", 300)):
        importer.import_text(db, programme_text(size, 10, slug=slug), f"{slug}.yaml")
        db.commit()
        person = db.scalar(
            sa.select(Person).join(Edition).where(Edition.slug == slug, Person.key == "p1")
        )
        with count_queries() as statements:
            assert client.get(f"/speaker/{person.speaker_token}/agenda.ics").status_code == 200
        counts.append(len(statements))
    assert counts[0] == counts[1] and counts[0] <= 6, counts


def test_an_older_file_does_not_undo_a_confirmation(client, demo, db):
    from school.paths import DEMO_FILE
    from school.services.programme import importer

    person = _person(db)
    html = _page(client, person)
    client.post(f"/speaker/{person.speaker_token}/confirm", data={"csrf_token": csrf_token(html)})
    importer.import_file(db, DEMO_FILE)  # still says "tentative: true"
    db.commit()
    db.expire_all()
    links = db.scalars(sa.select(SessionPerson).where(SessionPerson.person_id == person.id)).all()
    assert links and not any(link.is_tentative for link in links)


def test_the_link_to_register_brings_what_the_organisers_know(client, demo, db):
    # The speaker follows "Register for the School" from their page: their name, address
    # and organisation are already there, not to be typed again.
    person = _person(db)
    person.email, person.organisation = "koulsoum@example.org", "Uniformation"
    db.commit()
    page = client.get(f"/{demo.slug}/register?lang=en&speaker={person.speaker_token}")
    html = page.get_data(as_text=True)
    for name, value in (
        ("first_name", "Koulsoum"),
        ("last_name", "Logerot"),
        ("email", "koulsoum@example.org"),
        ("organisation", "Uniformation"),
    ):
        field = re.search(rf'<input[^>]*name="{name}"[^>]*>', html).group(0)
        assert f'value="{value}"' in field, field


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
    with app.app_context():
        edition = db.get(Edition, person.edition_id)
        speakers.invite(
            db, edition, link_for=lambda p: "https://x", now=utcnow(), person_id=person.id
        )
        db.commit()
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
    with app.app_context():
        edition = db.get(Edition, person.edition_id)
        speakers.invite(
            db, edition, link_for=lambda p: "https://x", now=utcnow(), person_id=person.id
        )
        db.commit()
    [invitation] = _outbox(db)
    assert said in " ".join(invitation.text_body.split())
    assert said in _text(invitation.html_body)
