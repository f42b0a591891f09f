"""The speakers' corner: a speaker of the demo sees when, where and with whom they
speak, gets a calendar and a one-page PDF, and confirms. Their details (function, bio,
language, address): tests/test_web_speaker_details.py."""

from __future__ import annotations

import re
import subprocess

import pytest
import sqlalchemy as sa

from school.models import AuditEntry, Edition, Person, SessionPerson
from tests.support.calendars import LISBON, csrf_token, local, parse, session
from tests.support.speaker_corner import page as _page
from tests.support.speaker_corner import person as _person
from tests.support.speaker_corner import text as _text


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
