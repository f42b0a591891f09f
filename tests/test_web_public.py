"""The public pages: in French and English, escaped, and cheap to serve."""

from __future__ import annotations

import re

import pytest
import sqlalchemy as sa

from bench.synthetic import programme_text
from school.models import EditionDay, Person, Session
from school.services.programme import export, importer
from tests.support.factories import make_edition

PAGES = [
    "/",
    "/{slug}/",
    "/{slug}/programme",
    "/{slug}/sessions/{session}",
    "/{slug}/speakers",
    "/{slug}/speakers/{person}",
    "/{slug}/register",
]


def _urls(db, slug):
    session = db.scalar(sa.select(Session.id).order_by(Session.id))
    person = db.scalar(sa.select(Person.key).order_by(Person.id))
    return [p.format(slug=slug, session=session, person=person) for p in PAGES]


@pytest.mark.parametrize(
    ("lang", "words"),
    [
        ("fr", ["Programme", "Intervenants", "S'inscrire"]),
        ("en", ["Programme", "Speakers", "Register"]),
    ],
)
def test_every_public_page_answers_in_both_languages(client, demo, db, lang, words):
    for url in _urls(db, demo.slug):
        response = client.get(url, query_string={"lang": lang})
        assert response.status_code == 200, url
        html = response.get_data(as_text=True)
        assert f'<html lang="{lang}">' in html
        if url != "/":
            for word in words:
                assert word in html, (url, word)


def test_the_programme_reads_in_the_chosen_language(client, demo):
    fr = client.get(f"/{demo.slug}/programme?lang=fr").get_data(as_text=True)
    en = client.get(f"/{demo.slug}/programme?lang=en").get_data(as_text=True)
    assert "Assemblée générale du Réseau" in fr and "mercredi 19 juin 2019" in fr
    assert "General Assembly" in en and "Wednesday 19 June 2019" in en
    assert "Table ronde" in fr and "Round table" in en
    # Times in the edition's timezone, formatted for the language.
    assert ">08:45<" in fr and ">08:45<" in en


def test_the_language_is_remembered_and_the_switch_keeps_the_page(client, demo):
    client.get(f"/{demo.slug}/speakers?lang=en")
    html = client.get(f"/{demo.slug}/programme").get_data(as_text=True)
    assert '<html lang="en">' in html
    assert f'href="/{demo.slug}/programme?lang=fr"' in html


def test_the_browser_language_is_the_default(client, demo):
    html = client.get("/", headers={"Accept-Language": "en-GB,en;q=0.9"}).get_data(as_text=True)
    assert '<html lang="en">' in html
    html = client.get("/", headers={"Accept-Language": "de-DE"}).get_data(as_text=True)
    assert '<html lang="fr">' in html


def test_parallel_sessions_stand_side_by_side(client, demo):
    html = client.get(f"/{demo.slug}/programme").get_data(as_text=True)
    parallel = re.findall(
        r'<li class="slot is-parallel">(.*?)</li>\s*(?=<li class="slot|</ol>)', html, re.S
    )
    assert any(
        "Explora" in slot and "place publique" in slot and "Assemblée générale" in slot
        for slot in parallel
    )


def test_session_page_shows_marks_speakers_and_seats(client, demo, db):
    explora = db.scalar(sa.select(Session).where(Session.key == "d1-visit-explora"))
    html = client.get(f"/{demo.slug}/sessions/{explora.id}?lang=en").get_data(as_text=True)
    assert "Registration required" in html
    assert f"{explora.capacity} seats left" in html
    assembly = db.scalar(sa.select(Session).where(Session.key == "d1-general-assembly"))
    html = client.get(f"/{demo.slug}/sessions/{assembly.id}?lang=fr").get_data(as_text=True)
    assert "Réservé aux membres" in html
    stakes = db.scalar(sa.select(Session).where(Session.key == "d2-stakes"))
    html = client.get(f"/{demo.slug}/sessions/{stakes.id}?lang=fr").get_data(as_text=True)
    assert "Majda Jelenčić" in html
    assert re.search(r"Sandrine Lamiré</strong></a>\s*<em class=\"tentative\">sous réserve", html)


def test_unknown_edition_session_or_speaker_is_a_clean_404(client, demo):
    for url in ["/nope/", f"/{demo.slug}/sessions/999999", f"/{demo.slug}/speakers/nobody"]:
        response = client.get(url + "?lang=en")
        assert response.status_code == 404
        assert "This page does not exist" in response.get_data(as_text=True)
    response = client.get("/api/v1/editions/nope/programme")
    assert response.status_code == 404 and response.is_json


HOSTILE = """
edition:
  slug: hostile
  title: {fr: "<script>alert('edition')</script>"}
  city: "<b>Paris</b>"
  venue: V
  address: A
  timezone: Europe/Paris
  starts_on: 2024-12-04
  ends_on: 2024-12-04
  published: true
days:
  - date: 2024-12-04
    theme: {fr: "<img src=x onerror=alert(1)>"}
people:
  - id: eve
    first_name: "<script>alert('first')</script>"
    last_name: "\\"><img onerror=alert(2)>"
    organisation: "<i>org</i>"
sessions:
  - id: s1
    date: 2024-12-04
    start: "09:00"
    end: "10:00"
    kind: plenary
    title: {fr: "<script>alert('title')</script>", en: "<script>alert('title')</script>"}
    description: {fr: "<script>alert('description')</script>"}
    speakers: [{person: eve, role: speaker}]
"""


def test_every_page_escapes_what_organisers_typed(client, app, db):
    importer.import_text(db, HOSTILE, "hostile.yaml")
    db.commit()
    for url in _urls(db, "hostile"):
        for lang in ("fr", "en"):
            html = client.get(url, query_string={"lang": lang}).get_data(as_text=True)
            assert "<script>alert" not in html, url
            assert "<img src=x" not in html and "<img onerror" not in html, url
            assert "<b>Paris" not in html and "<i>org" not in html, url
    html = client.get("/hostile/programme").get_data(as_text=True)
    assert "&lt;script&gt;alert(&#39;title&#39;)&lt;/script&gt;" in html
    data = client.get("/api/v1/editions/hostile/programme").get_json()
    assert data["sessions"][0]["title"]["fr"] == "<script>alert('title')</script>"


def test_the_programme_page_runs_a_fixed_number_of_queries(client, app, db, count_queries):
    importer.import_text(db, programme_text(20, 10, slug="small"), "small.yaml")
    importer.import_text(db, programme_text(200, 100, slug="large"), "large.yaml")
    db.commit()
    # Every request builds its page: the per-process cache would hide an N+1 query.
    app.config["RENDER_CACHE_BYTES"] = 0
    app.extensions.pop("school.render_cache", None)
    counts = {}
    for slug in ("small", "large"):
        for url in (f"/{slug}/programme", f"/api/v1/editions/{slug}/programme", f"/{slug}/"):
            client.get(url)  # warm up
            with count_queries() as statements:
                assert client.get(url).status_code == 200
            counts[(slug, url.replace(slug, "*"))] = len(statements)
    for url in ("/*/programme", "/api/v1/editions/*/programme", "/*/"):
        assert counts[("small", url)] == counts[("large", url)], counts
        assert counts[("small", url)] <= 6, counts


def test_static_files_and_pages_use_no_third_party_host(client, demo):
    html = client.get(f"/{demo.slug}/programme").get_data(as_text=True)
    for url in re.findall(r'(?:src|href)="([^"]+)"', html):
        assert not url.startswith(("http://", "https://", "//")), url
    css = client.get("/static/vendor/pico/pico.min.css").get_data(as_text=True)
    assert not re.search(r"url\((['\"]?)(https?:)?//", css)


def test_the_cached_programme_follows_every_change(client, demo, db, count_queries):
    from school.models import Session

    url = f"/{demo.slug}/programme?lang=en"
    assert "20 seats left" in client.get(url).get_data(as_text=True)
    with count_queries() as statements:
        client.get(url)
    assert len(statements) <= 3  # served from the cache: only the edition is read
    # A seat taken through the service changes the page at once.
    from school.services.registration import registrations
    from school.services.registration.data import RegistrationData

    explora = db.scalar(sa.select(Session).where(Session.key == "d1-visit-explora"))
    with client.application.app_context():
        registrations.register(
            db,
            db.get(type(explora.edition), demo.id),
            RegistrationData(
                first_name="Ève",
                last_name="Núñez",
                email="eve@example.org",
                country="ES",
                category="guest",
                days=list(demo.dates),
                sessions=[explora.id],
                privacy_consent=True,
            ),
            now=explora.created_at,
        )
    db.commit()
    assert "19 seats left" in client.get(url).get_data(as_text=True)
    # And so does a programme change.
    from school.services.programme import importer

    text = export.export_text(db, demo.slug)
    text = text.replace("Tour of the permanent exhibitions (Explora)", "EXPLORA-X")
    importer.import_text(db, text, "x.yaml")
    db.commit()
    assert "EXPLORA-X" in client.get(url).get_data(as_text=True)


def test_the_programme_json_answers_304_to_its_etag(client, demo):
    first = client.get(f"/api/v1/editions/{demo.slug}/programme")
    again = client.get(
        f"/api/v1/editions/{demo.slug}/programme", headers={"If-None-Match": first.headers["ETag"]}
    )
    assert first.status_code == 200 and again.status_code == 304


def test_a_visitors_message_is_never_served_to_the_next_visitor(app, client, demo):
    """The programme page is kept whole between changes; a message waiting for one visitor
    (flashed by the page they came from) is theirs alone."""
    url = f"/{demo.slug}/programme?lang=en"
    client.get(url)  # the page is now kept
    with client.session_transaction() as session:
        session["_flashes"] = [("message", "Your registration is cancelled.")]
    assert "Your registration is cancelled." in client.get(url).get_data(as_text=True)
    other = app.test_client()
    assert "Your registration is cancelled." not in other.get(url).get_data(as_text=True)
    assert "Your registration is cancelled." not in client.get(url).get_data(as_text=True)


def test_an_edition_without_day_themes_shows_no_empty_days_heading(client, db):
    edition = make_edition(db, "autumn-school-2027")
    db.commit()
    html = client.get(f"/{edition.slug}/", query_string={"lang": "en"}).get_data(as_text=True)
    assert "Autumn School 2024" in html
    assert 'id="themes-title"' not in html
    edition.days.append(
        EditionDay(date=edition.starts_on, theme_fr="Ouverture", theme_en="Opening")
    )
    db.commit()
    html = client.get(f"/{edition.slug}/", query_string={"lang": "en"}).get_data(as_text=True)
    assert 'id="themes-title"' in html and "Opening" in html
