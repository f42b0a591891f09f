"""Printed badges: read back with pdftotext, rendered with pdftoppm, scanned with zxing-cpp."""

from __future__ import annotations

import pytest

from school.services.badges import pdf, printing, tokens
from school.services.badges.tokens import KeyRing
from tests.support.factories import make_registration
from tests.support.pdf_tools import decode_qr, pdf_images, pdf_pages, pdf_text

RING = KeyRing.from_config({"SECRET_KEY": "test-secret-key"})
LONG_NAME = "Castello-Branco de Albuquerque e Sousa Łukasiewicz-Ñúñez Jr."  # 60 characters


def _squeezed(text: str) -> str:
    return "".join(text.split())


def _words_in(page, x0, y0, x1, y1):
    return [w for w in page.words if w.x0 >= x0 and w.x1 <= x1 and w.y0 >= y0 and w.y1 <= y1]


def test_one_badge_shows_who_and_scans_back_to_the_registration(db, demo):
    person = make_registration(
        db,
        demo,
        first_name="Majda",
        last_name="Jelenčić",
        organisation="Cité des métiers de Genève",
        country="HR",
        category="member",
        language="fr",
    )
    db.commit()
    document = printing.pdf_for([person], keyring=RING)

    [page] = pdf_pages(document)
    assert (round(page.width), round(page.height)) == (105, 148)  # A6 portrait
    lines = pdf_text(document).splitlines()
    for expected in ("Majda", "Jelenčić", "Cité des métiers de Genève", "Croatie"):
        assert expected in lines
    after = [line for line in lines[lines.index("Croatie") + 1 :] if line]
    assert after[1:3] == ["Membre du réseau", "Network member"]
    assert "19–21 juin 2019 · Paris" in lines

    [image] = pdf_images(document, dpi=150)
    [scanned] = decode_qr(image)
    check = tokens.verify(db, scanned, demo, keyring=RING)
    assert check.is_valid and check.registration.id == person.id
    # Under the QR code, its text for a door without a camera: the same token, grouped.
    assert after[0].replace(" ", "") == scanned


def test_accented_names_print_exactly(db, demo):
    people = [
        make_registration(db, demo, first_name="Majda", last_name="Jelenčić"),
        make_registration(db, demo, first_name="Jan", last_name="Łukasiewicz", country="PL"),
        make_registration(
            db, demo, first_name="Íñigo", last_name="Ñúñez", country="ES", language="en"
        ),
    ]
    db.commit()
    lines = pdf_text(printing.pdf_for(people, keyring=RING)).splitlines()
    for name in ("Majda", "Jelenčić", "Jan", "Łukasiewicz", "Íñigo", "Ñúñez", "Pologne", "Spain"):
        assert name in lines


def test_a_60_character_name_stays_inside_its_badge(db, demo):
    assert len(LONG_NAME) == 60
    person = make_registration(db, demo, first_name=LONG_NAME, last_name=LONG_NAME)
    db.commit()
    [page] = pdf_pages(printing.pdf_for([person], keyring=RING))
    assert all(w.x0 >= 5 and w.x1 <= page.width - 5 for w in page.words)  # within the margins
    # Both names in their boxes, under the edition's name and above the organisation.
    names = _words_in(page, 5, 21, page.width - 5, 67)
    assert _squeezed(" ".join(w.text for w in names)) == _squeezed(LONG_NAME) * 2
    assert "Cité des métiers de Genève" in pdf_text(printing.pdf_for([person], keyring=RING))


def test_a_sheet_holds_four_badges_with_cut_marks_sorted_as_given(db, demo):
    names = ["Ñúñez", "Jelenčić", LONG_NAME, "Łukasiewicz", "Martin", "Dandoy"]
    for n, last in enumerate(names):
        make_registration(db, demo, first_name=f"Prénom{n}", last_name=last)
    db.commit()
    chosen = printing.registrations_to_print(db, demo)
    document = printing.pdf_for(chosen, sheet=True, keyring=RING)

    pages = pdf_pages(document)
    assert len(pages) == 2 and (round(pages[0].width), round(pages[0].height)) == (210, 297)
    layout = pdf.SheetLayout.for_badge(pdf.SIZES["90x130"])
    assert layout.per_page == 4

    # Each badge's names lie inside its own slot, in last-name order across the pages.
    for index, registration in enumerate(chosen):
        page = pages[index // 4]
        x, y = layout.origin(index % 4)
        words = _words_in(page, x, y, x + 90, y + 130)
        text = _squeezed(" ".join(w.text for w in words))
        assert _squeezed(registration.last_name) in text
        assert _squeezed(registration.first_name) in text

    images = pdf_images(document, dpi=150)
    scanned = decode_qr(images[0]) + decode_qr(images[1])
    assert [tokens.verify(db, t, demo, keyring=RING).registration.id for t in scanned] == [
        r.id for r in chosen
    ]

    # Cut marks: ink in the margin beside each corner of the first badge, none on the corner.
    image = images[0]
    dots_per_mm = 150 / 25.4

    def ink(x_mm, y_mm):  # anything dark within a pixel or two of the point
        cx, cy = round(x_mm * dots_per_mm), round(y_mm * dots_per_mm)
        return image.crop((cx - 2, cy - 2, cx + 3, cy + 3)).getextrema()[0] < 128

    x, y = layout.origin(0)
    assert ink(x - 3, y) and ink(x, y - 3) and ink(x + 90 + 3, y + 130) and ink(x, y + 130 + 3)
    assert not ink(x - 3, y - 3)


def test_sizes_can_be_chosen(db, demo):
    person = make_registration(db, demo)
    db.commit()
    [page] = pdf_pages(printing.pdf_for([person], size="a7", keyring=RING))
    assert (round(page.width), round(page.height)) == (74, 105)
    [image] = pdf_images(printing.pdf_for([person], size="a7", keyring=RING), dpi=200)
    assert decode_qr(image) == [tokens.token_for(person, RING)]
    assert pdf.SheetLayout.for_badge(pdf.SIZES["a6"]).per_page == 2  # landscape


def test_text_too_long_for_any_size_is_cut_not_spilled():
    document = pdf._new_pdf()
    box = pdf.Box(0, 0, 91, 16)
    style = pdf.TextStyle("DejaVuCondensed", "B", 24, 7, 2)
    size, lines = pdf.fit_text(document, "W" * 200, box, style)
    assert size == 7 and len(lines) == 2 and lines[-1].endswith("…")
    document.set_font("DejaVuCondensed", "B", size)
    assert all(document.get_string_width(line) <= box.w for line in lines)


def _luminance(rgb) -> float:
    def channel(c):
        c /= 255
        return c / 12.92 if c <= 0.03928 else ((c + 0.055) / 1.055) ** 2.4

    r, g, b = (channel(c) for c in rgb)
    return 0.2126 * r + 0.7152 * g + 0.0722 * b


@pytest.mark.parametrize("category", sorted(pdf.CATEGORY_STYLES))
def test_category_bands_are_legible_and_distinct(category):
    style = pdf.CATEGORY_STYLES[category]
    light, dark = sorted((_luminance(style.colour), _luminance(style.text_colour)), reverse=True)
    assert (light + 0.05) / (dark + 0.05) >= 4.5
    colours = [s.colour for s in pdf.CATEGORY_STYLES.values()]
    assert colours.count(style.colour) == 1
    assert all(style.words)
