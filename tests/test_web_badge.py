"""The participant's badge: on the private page, full screen at the door, as SVG and PDF."""

from __future__ import annotations

import re

import pytest
from PIL import Image, ImageDraw

from school.models.vocabulary import RegistrationStatus
from school.services.badges import printing, tokens
from tests.support.factories import make_registration
from tests.support.pdf_tools import decode_qr, pdf_images, pdf_text


@pytest.fixture
def person(db, demo):
    registration = make_registration(
        db, demo, first_name="Jan", last_name="Łukasiewicz", country="PL", language="en"
    )
    db.commit()
    return registration


@pytest.fixture
def cancelled(db, demo):
    registration = make_registration(db, demo, first_name="Íñigo", last_name="Ñúñez")
    registration.status = RegistrationStatus.CANCELLED.value
    db.commit()
    return registration


def _token(app, registration) -> str:
    with app.app_context():
        return tokens.token_for(registration)


def svg_to_image(svg: str, scale: int = 8) -> Image.Image:
    """Draws the QR code's SVG path (the subset qr_svg writes: unit-high runs) in pixels."""
    size = int(re.search(r'viewBox="0 0 (\d+) \1"', svg)[1])
    image = Image.new("L", (size * scale, size * scale), 255)
    draw = ImageDraw.Draw(image)
    path = re.search(r'<path fill="#000" d="([^"]+)"', svg)[1]
    for x, y, length in re.findall(r"M(\d+) (\d+)h(\d+)v1h-\3z", path):
        x, y, length = int(x), int(y), int(length)
        draw.rectangle([x * scale, y * scale, (x + length) * scale - 1, (y + 1) * scale - 1], 0)
    assert path == "".join(
        f"M{x} {y}h{n}v1h-{n}z" for x, y, n in re.findall(r"M(\d+) (\d+)h(\d+)v1h-\3z", path)
    ), "only unit-high runs"
    return image


def test_the_private_page_shows_the_badge(client, app, person):
    page = client.get(f"/my/{person.manage_token}?lang=en").get_data(as_text=True)
    assert "My badge" in page
    assert f'href="/my/{person.manage_token}/badge"' in page
    assert f'href="/my/{person.manage_token}/badge.pdf"' in page
    [svg] = re.findall(r"<svg.*?</svg>", page, re.S)
    assert decode_qr(svg_to_image(svg)) == [_token(app, person)]
    assert "style=" not in page  # the Content-Security-Policy forbids inline styles


def test_the_private_page_of_a_cancelled_registration_has_no_badge(client, cancelled):
    page = client.get(f"/my/{cancelled.manage_token}?lang=en").get_data(as_text=True)
    assert "<svg" not in page
    assert "This registration is cancelled." in page


@pytest.mark.parametrize(
    ("lang", "expected"),
    [("en", "Show my badge full screen"), ("fr", "Afficher mon badge en plein écran")],
)
def test_the_badge_section_speaks_both_languages(client, person, lang, expected):
    assert expected in client.get(f"/my/{person.manage_token}?lang={lang}").get_data(as_text=True)


def test_the_door_page_shows_the_qr_big_and_may_be_kept_offline(client, app, person):
    response = client.get(f"/my/{person.manage_token}/badge?lang=en")
    assert response.status_code == 200
    assert response.headers["Cache-Control"].startswith("private, max-age=")
    assert response.headers["X-Robots-Tag"] == "noindex"
    # Nothing in it depends on the cookie, so a browser finds it again whatever its cookie.
    assert "Cookie" not in response.headers.get("Vary", "")
    assert "Set-Cookie" not in response.headers
    page = response.get_data(as_text=True)
    assert "Jan" in page and "Łukasiewicz" in page and 'lang="en"' in page
    [svg] = re.findall(r"<svg.*?</svg>", page, re.S)
    assert 'width="100%"' in svg  # large even before (or without) the stylesheet
    token = _token(app, person)
    assert decode_qr(svg_to_image(svg)) == [token]
    # To type in if a camera fails: as printed on the badge, the signature in fours.
    shown = re.search(r"<code>([^<]+)</code>", page).group(1)
    assert shown.replace(" ", "") == token and shown.count(" ") == 5
    assert "style=" not in page and not re.search(r"<script(?![^>]*\bsrc=)", page)


def test_the_door_page_speaks_the_participants_language_unless_asked(client, person):
    assert '<html lang="en">' in client.get(f"/my/{person.manage_token}/badge").get_data(
        as_text=True
    )
    french = client.get(f"/my/{person.manage_token}/badge?lang=fr").get_data(as_text=True)
    assert '<html lang="fr">' in french and "Télécharger le badge (PDF)" in french


def test_the_svg_is_the_qr_code_alone(client, app, person):
    response = client.get(f"/my/{person.manage_token}/badge.svg")
    assert response.status_code == 200 and response.mimetype == "image/svg+xml"
    svg = response.get_data(as_text=True)
    assert svg.startswith('<svg xmlns="http://www.w3.org/2000/svg"') and 'width="50mm"' in svg
    assert "Łukasiewicz" not in svg
    assert decode_qr(svg_to_image(svg)) == [_token(app, person)]


def test_the_pdf_badge_scans_back_to_the_registration(client, app, db, demo, person):
    response = client.get(f"/my/{person.manage_token}/badge.pdf")
    assert response.status_code == 200 and response.mimetype == "application/pdf"
    assert "no-store" in response.headers["Cache-Control"]
    assert "badge-Jan-" in response.headers["Content-Disposition"]
    pdf = response.get_data()
    assert "Łukasiewicz" in pdf_text(pdf).splitlines() and "Poland" in pdf_text(pdf)
    [scanned] = decode_qr(pdf_images(pdf)[0])
    with app.app_context():
        check = tokens.verify(db, scanned, demo)
    assert check.is_valid and check.registration.id == person.id


def test_the_pdf_size_can_be_chosen(client, person):
    small = client.get(f"/my/{person.manage_token}/badge.pdf?size=a7")
    assert small.status_code == 200
    assert client.get(f"/my/{person.manage_token}/badge.pdf?size=huge").status_code == 404


@pytest.mark.parametrize("path", ["badge", "badge.svg", "badge.pdf"])
def test_a_cancelled_registration_gets_a_clear_page_and_no_qr(client, cancelled, path):
    response = client.get(f"/my/{cancelled.manage_token}/{path}?lang=en")
    assert response.status_code == 410 and response.mimetype == "text/html"
    page = response.get_data(as_text=True)
    assert "This registration is cancelled: it has no badge." in page
    assert "<svg" not in page and "no-store" in response.headers["Cache-Control"]


@pytest.mark.parametrize("path", ["badge", "badge.svg", "badge.pdf"])
def test_an_unknown_link_has_no_badge(client, demo, path):
    assert client.get(f"/my/not-a-real-token/{path}").status_code == 404


def test_badge_url_for_the_confirmation_email(app, person):
    app.config["BASE_URL"] = "https://school.example.org"
    with app.app_context():
        url = printing.badge_url(person)
    assert url == f"https://school.example.org/my/{person.manage_token}/badge.pdf"
