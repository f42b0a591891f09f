"""Badges as PDF, drawn with fpdf2: one badge a page, or A4 sheets with cut marks.

A badge, top to bottom: the edition's name, dates and city; the first name as large as it
fits, the last name; organisation / Cité des métiers; country; the QR code with its quiet
zone, drawn as vector rectangles (sharp at any print size); a band in the colour of the
category, carrying the category's name in French and English, so the colour is never
the only sign (colour-blind readers, black-and-white printers).

Text never leaves its box: it is set as large as the box allows, wrapping between words
before shrinking, and shrinking rather than overflowing; only past the smallest size is a
word broken, and what still does not fit is cut with an ellipsis.

The font is DejaVu Sans, with Noto fallbacks for Chinese, Japanese, Korean and Arabic and
text shaping (``pdf_fonts``): ``Jelenčić``, ``Иван Петров``, ``王芳``, ``محمد العلي``),
embedded as subsets.
"""

from __future__ import annotations

import unicodedata
from collections.abc import Sequence
from dataclasses import dataclass
from functools import cache

from babel import Locale
from fpdf import FPDF

from school import i18n
from school.models import Edition, Registration
from school.services.badges import tokens
from school.services.badges.qr import QrCode, qr_code
from school.services.network import cites
from school.services.pdf_fonts import (
    LEADING,
    PT,
    Box,
    TextStyle,
    add_fonts,
    fit_text,
    shape_if_needed,
)

A4 = (210.0, 297.0)
SHEET_MARGIN = 10.0  # printers leave the edges of a sheet blank
GUTTER = 8.0  # between badges on a sheet: room for the cut marks
MARK_GAP, MARK_LENGTH = 1.5, 4.0

INK = (17, 17, 17)
RULE = (150, 150, 150)
WHITE = (255, 255, 255)
BLACK = (0, 0, 0)


@dataclass(frozen=True)
class BadgeSize:
    name: str  # the key in URLs and on the command line
    width: float  # mm
    height: float
    paper: str = ""  # the ISO paper size it is, if any

    @property
    def label(self) -> str:
        """What people choose from: "A6 (105 × 148 mm)", "90 × 130 mm"."""
        dimensions = f"{self.width:g} × {self.height:g} mm"
        return f"{self.paper} ({dimensions})" if self.paper else dimensions


SIZES = {
    size.name: size
    for size in (
        BadgeSize("a6", 105, 148, "A6"),
        # Fits A6 badge holders and prints four to an A4 sheet with room for cut marks.
        BadgeSize("90x130", 90, 130),
        BadgeSize("a7", 74, 105, "A7"),
    )
}
SINGLE_DEFAULT = "a6"
SHEET_DEFAULT = "90x130"


@dataclass(frozen=True)
class CategoryStyle:
    words: tuple[str, str]  # French, English: printed on every badge, whatever its language
    colour: tuple[int, int, int]
    text_colour: tuple[int, int, int]


# Okabe–Ito colours, told apart by people with the common colour-vision deficiencies;
# the text colour on each keeps a contrast of at least 4.5:1 (tests/test_badges_pdf.py).
CATEGORY_STYLES = {
    "member": CategoryStyle(("Membre du réseau", "Network member"), (0, 114, 178), WHITE),
    "partner": CategoryStyle(("Partenaire", "Partner"), (0, 158, 115), BLACK),
    "guest": CategoryStyle(("Invité·e", "Guest"), (230, 159, 0), BLACK),
    "speaker": CategoryStyle(("Intervenant·e", "Speaker"), (213, 94, 0), BLACK),
    "staff": CategoryStyle(("Organisation", "Staff"), (0, 0, 0), WHITE),
    "press": CategoryStyle(("Presse", "Press"), (204, 121, 167), BLACK),
}


# Where things go on a 105 × 148 mm badge; other sizes scale it.
DESIGN_WIDTH, DESIGN_HEIGHT = 105.0, 148.0
LAYOUT = {
    "edition": (Box(7, 6, 91, 8), TextStyle("DejaVu", "B", 10, 6, 2)),
    "when": (Box(7, 14, 91, 5), TextStyle("DejaVu", "", 8.5, 5, 1)),
    "first_name": (Box(7, 23, 91, 27), TextStyle("DejaVuCondensed", "B", 40, 8, 2)),
    "last_name": (Box(7, 50, 91, 16), TextStyle("DejaVuCondensed", "B", 24, 7, 2)),
    "organisation": (Box(7, 67, 91, 10), TextStyle("DejaVu", "", 11, 5.5, 2)),
    "country": (Box(7, 77, 91, 6), TextStyle("DejaVu", "", 10, 6, 1)),
    "band": (Box(5, 131, 95, 15), TextStyle("DejaVu", "B", 15, 6, 2)),
    # The QR code's text, for a door without a camera: typed into the scanner.
    "code": (Box(7, 124.6, 91, 4.6), TextStyle("DejaVu", "", 7.5, 5, 1)),
}
RULE_Y = 20.5
QR_BOX = Box(32.5, 84, 40, 40)  # quiet zone included
BAND_TOP = 130.0


def render(
    items: Sequence[tuple[Registration, str]], *, size: str | None = None, sheet: bool = False
) -> bytes:
    """The PDF of badges for (registration, badge token) pairs, in the order given."""
    if not items:
        raise ValueError("no badge to render")
    badge = SIZES[size or (SHEET_DEFAULT if sheet else SINGLE_DEFAULT)]
    editions = {registration.edition_id: registration.edition for registration, _ in items}
    # Everything typed by someone, in any script: which fallback fonts to load.
    texts = [t for r, _ in items for t in (r.first_name, r.last_name, r.organisation, r.cite)]
    texts += [t for e in editions.values() for t in (e.title_fr, e.title_en, e.city)]
    pdf = _new_pdf(texts)
    pdf.set_title(" · ".join(e.text("title", "fr") for e in editions.values()))
    layout = SheetLayout.for_badge(badge) if sheet else None
    for index, (registration, token) in enumerate(items):
        if layout is None:
            pdf.add_page(format=(badge.width, badge.height))
            x, y = 0.0, 0.0
        else:
            slot = index % layout.per_page
            if slot == 0:
                pdf.add_page(format=A4, orientation=layout.orientation)
            x, y = layout.origin(slot)
            layout.draw_cut_marks(pdf, x, y)
        _draw_badge(pdf, registration, token, Box(x, y, badge.width, badge.height))
    return bytes(pdf.output())


def _new_pdf(texts: Sequence[str | None] = ()) -> FPDF:
    pdf = FPDF(unit="mm", format=A4)
    pdf.set_auto_page_break(False)
    pdf.set_margin(0)
    pdf.c_margin = 0  # text cells span their whole box
    pdf.set_creator("school")
    add_fonts(pdf, condensed=True, texts=texts, shaping=False)
    return pdf


@dataclass(frozen=True)
class SheetLayout:
    """Badges in a grid on A4, the grid centred, the orientation that holds the most."""

    badge: BadgeSize
    orientation: str  # "P" or "L"
    columns: int
    rows: int
    left: float
    top: float

    @property
    def per_page(self) -> int:
        return self.columns * self.rows

    @classmethod
    def for_badge(cls, badge: BadgeSize) -> SheetLayout:
        options = []
        for orientation, (page_w, page_h) in (("P", A4), ("L", A4[::-1])):
            columns = int((page_w - 2 * SHEET_MARGIN + GUTTER) // (badge.width + GUTTER))
            rows = int((page_h - 2 * SHEET_MARGIN + GUTTER) // (badge.height + GUTTER))
            grid_w = columns * badge.width + (columns - 1) * GUTTER
            grid_h = rows * badge.height + (rows - 1) * GUTTER
            options.append(
                cls(badge, orientation, columns, rows, (page_w - grid_w) / 2, (page_h - grid_h) / 2)
            )
        best = max(options, key=lambda layout: layout.per_page)
        if best.per_page == 0:
            raise ValueError(f"a {badge.name} badge does not fit on an A4 sheet")
        return best

    def origin(self, slot: int) -> tuple[float, float]:
        row, column = divmod(slot, self.columns)
        return (
            self.left + column * (self.badge.width + GUTTER),
            self.top + row * (self.badge.height + GUTTER),
        )

    def draw_cut_marks(self, pdf: FPDF, x: float, y: float) -> None:
        """Short lines in the line of each edge, outside the badge, at its four corners."""
        pdf.set_draw_color(*BLACK)
        pdf.set_line_width(0.2)
        w, h = self.badge.width, self.badge.height
        near, far = MARK_GAP, MARK_GAP + MARK_LENGTH
        for cx, sx in ((x, -1), (x + w, 1)):
            for cy, sy in ((y, -1), (y + h, 1)):
                pdf.line(cx + sx * near, cy, cx + sx * far, cy)
                pdf.line(cx, cy + sy * near, cx, cy + sy * far)


def _draw_badge(pdf: FPDF, registration: Registration, token: str, area: Box) -> None:
    k = min(area.w / DESIGN_WIDTH, area.h / DESIGN_HEIGHT)
    dx = area.x + (area.w - DESIGN_WIDTH * k) / 2
    language = registration.language
    edition = registration.edition
    style = CATEGORY_STYLES[registration.category]
    texts = {
        "edition": edition.text("title", language),
        "when": _when(edition, language),
        "first_name": registration.first_name,
        "last_name": registration.last_name,
        "organisation": " — ".join(
            _unique([registration.organisation, cites.name_of(registration)])
        ),
        "country": _country_name(registration.country, language),
        "band": "\n".join(_unique(style.words)),
        "code": tokens.printed(token),
    }

    def place(box: Box) -> Box:
        return Box(dx + box.x * k, area.y + box.y * k, box.w * k, box.h * k)

    # The band first: full width, from its top to the badge's bottom edge.
    band_top = area.y + BAND_TOP * k
    pdf.set_fill_color(*style.colour)
    pdf.rect(area.x, band_top, area.w, area.y + area.h - band_top, style="F")

    pdf.set_draw_color(*RULE)
    pdf.set_line_width(0.2 * k)
    pdf.line(dx + 7 * k, area.y + RULE_Y * k, dx + 98 * k, area.y + RULE_Y * k)

    for field, (box, text_style) in LAYOUT.items():
        colour = style.text_colour if field == "band" else INK
        _draw_text(pdf, texts[field], place(box), text_style, k, colour)

    _draw_qr(pdf, qr_code(token), place(QR_BOX))


def _draw_qr(pdf: FPDF, code: QrCode, box: Box) -> None:
    module = box.w / code.size
    pdf.set_fill_color(*WHITE)  # the quiet zone, white even on a tinted paper
    pdf.rect(box.x, box.y, box.w, box.h, style="F")
    pdf.set_fill_color(*BLACK)
    for x, y, length in code.runs():
        pdf.rect(box.x + x * module, box.y + y * module, length * module, module, style="F")


def _draw_text(pdf: FPDF, text: str | None, box: Box, style: TextStyle, k: float, colour) -> None:
    paragraphs = [" ".join(p.split()) for p in (text or "").splitlines()]
    text = unicodedata.normalize("NFC", "\n".join(p for p in paragraphs if p))
    if not text:
        return
    shape_if_needed(pdf, text)  # before measuring: shaped text has other widths
    size, lines = fit_text(pdf, text, box, style, k)
    pdf.set_font(style.font, style.style, size)
    pdf.set_text_color(*colour)
    line_h = LEADING * size * PT
    top = box.y + (box.h - line_h * len(lines)) / 2
    for n, line in enumerate(lines):
        # A cell, not ``FPDF.text``: only cells fall back to the Noto fonts and shape
        # (Arabic joined, right to left, in logical order for readers).
        pdf.set_xy(box.x, top + n * line_h)
        pdf.cell(box.w, line_h, line, align="C")


def _unique(values) -> list[str]:
    seen: list[str] = []
    for value in values:
        value = (value or "").strip()
        if value and value.casefold() not in (s.casefold() for s in seen):
            seen.append(value)
    return seen


@cache
def _country_name(code: str, language: str) -> str:
    return Locale(language).territories.get(code.upper(), code.upper())


def _when(edition: Edition, language: str) -> str:
    dates = i18n.date_range(edition.starts_on, edition.ends_on, language)
    return f"{dates} · {edition.city_in(language)}"
