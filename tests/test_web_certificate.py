"""The participant's certificate of attendance: on their private page from the last day of
the event, as a PDF in their language, and never for someone who was not checked in."""

from __future__ import annotations

import re
from datetime import timedelta
from zoneinfo import ZoneInfo

import pytest

from school.database import utcnow
from tests.support.attendance_scenario import spring_school_scans
from tests.support.factories import make_edition, make_registration
from tests.support.pdf_tools import pdf_pages, pdf_text


@pytest.fixture
def school(app, demo, db):
    with app.app_context():
        return spring_school_scans(db, demo)


def section(html: str) -> str:
    found = re.search(r'<section aria-labelledby="certificate-title".*?</section>', html, re.S)
    return found.group(0) if found else ""


def test_after_the_event_a_participant_downloads_the_certificate(client, school):
    eve = school["eve"]
    html = client.get(f"/my/{eve.manage_token}?lang=en").get_data(as_text=True)
    assert "Certificate of attendance" in section(html)
    assert f'href="/my/{eve.manage_token}/certificate.pdf"' in section(html)

    response = client.get(f"/my/{eve.manage_token}/certificate.pdf")
    assert response.status_code == 200 and response.mimetype == "application/pdf"
    assert response.headers["Cache-Control"] == "private, no-store"
    assert len(pdf_pages(response.data)) == 1
    lines = pdf_text(response.data).splitlines()
    # Ève registered in English: her certificate is in English, the French heading after.
    assert lines.index("Certificate of attendance") + 1 == lines.index("Attestation de présence")
    assert "Ève Ñúñez" in lines
    french = pdf_text(client.get(f"/my/{eve.manage_token}/certificate.pdf?lang=fr").data)
    assert "Jours de présence : mercredi 19 juin 2019, jeudi 20 juin 2019" in french


def test_someone_never_checked_in_gets_no_certificate(client, school, db):
    # Held, not the demo (which stays a School to come, open to be tried).
    school["edition"].is_demo = False
    db.commit()
    inigo = school["inigo"]  # his only scan was taken back
    html = client.get(f"/my/{inigo.manage_token}?lang=en").get_data(as_text=True)
    assert "No check-in was recorded for you" in section(html)
    assert "certificate.pdf" not in html
    response = client.get(f"/my/{inigo.manage_token}/certificate.pdf?lang=en")
    assert response.status_code == 404
    page = response.get_data(as_text=True)
    assert "No check-in was recorded for you, so there is no certificate of attendance." in page
    assert "springschool.ricdm@gmail.com" in page


def test_the_demo_does_not_talk_about_a_certificate_to_someone_just_registered(client, school, db):
    inigo = school["inigo"]  # never checked in: in the demo, as if the School were to come
    html = client.get(f"/my/{inigo.manage_token}?lang=en").get_data(as_text=True)
    assert section(html) == "" and "certificate" not in html.lower()


def _edition_around_today(db, first: int, last: int):
    """An edition whose first and last days are ``first`` and ``last`` days from today."""
    today = utcnow().astimezone(ZoneInfo("Europe/Brussels")).date()
    edition = make_edition(
        db,
        starts_on=today + timedelta(days=first),
        ends_on=today + timedelta(days=last),
        contact_email="autumn@example.org",
    )
    person = make_registration(db, edition, first_name="Jan", last_name="Łukasiewicz")
    db.commit()
    return edition, person


def test_before_the_event_nothing_is_shown_and_the_file_says_when(client, db):
    edition, person = _edition_around_today(db, 10, 12)
    html = client.get(f"/my/{person.manage_token}?lang=en").get_data(as_text=True)
    assert section(html) == "" and "My badge" in html
    response = client.get(f"/my/{person.manage_token}/certificate.pdf?lang=en")
    assert response.status_code == 404
    when = f"{edition.ends_on:%A} {edition.ends_on.day} {edition.ends_on:%B %Y}"
    assert (
        f"Your certificate of attendance will be here from {when}, the last day of the event."
        in response.get_data(as_text=True)
    )


def test_during_the_event_the_page_says_when_the_certificate_comes(client, db):
    _, person = _edition_around_today(db, -1, 1)
    html = client.get(f"/my/{person.manage_token}?lang=fr").get_data(as_text=True)
    assert "Votre attestation de présence sera disponible ici à partir du" in section(html)
    assert client.get(f"/my/{person.manage_token}/certificate.pdf").status_code == 404


def test_a_wrong_link_finds_nothing(client, school):
    assert client.get("/my/not-a-token/certificate.pdf").status_code == 404


@pytest.mark.parametrize(
    ("lang", "heading"),
    [("it", "Attestato di partecipazione"), ("es", "Certificado de asistencia"),
     ("pt", "Certificado de presença")],
)  # fmt: skip
def test_a_certificate_in_another_language_is_headed_in_it(client, school, lang, heading):
    # The heading in the participant's language, then the official French and English ones,
    # each once: not the French heading twice.
    eve = school["eve"]
    text = pdf_text(client.get(f"/my/{eve.manage_token}/certificate.pdf?lang={lang}").data)
    lines = text.splitlines()
    assert lines.index(heading) + 1 == lines.index(
        "Attestation de présence / Certificate of attendance"
    )
    assert text.count("Attestation de présence") == 1
