"""The typefaces of every PDF the site makes, vendored with their licences:

- DejaVu Sans (``static/fonts/dejavu``): Latin, Greek, Cyrillic (``Jelenčić``,
  ``Łukasiewicz``, ``Ñúñez``, ``Иван Петров``) and Arabic, where the PDF core fonts stop
  at Latin-1;
- then, for what it lacks, Noto Sans CJK SC (``static/fonts/noto``: Chinese ``王芳``,
  Japanese kana, Korean Hangul; one weight) and Noto Naskh Arabic.

fpdf2 picks the fallback font for each character DejaVu has no glyph for, and shapes
the text with HarfBuzz (``uharfbuzz``), so Arabic is written right to left with its
letters joined and its text kept in logical order (a reader searching or copying gets
``محمد العلي``, not its letters reversed). Only the glyphs a document uses are
embedded. Text must go through ``cell``, ``multi_cell``, ``write`` or ``table``:
``FPDF.text`` neither falls back nor shapes.
"""

from __future__ import annotations

import unicodedata
from collections.abc import Iterable

from fpdf import FPDF

from school.paths import asset_dir

FONT_DIR = asset_dir("static") / "fonts" / "dejavu"
NOTO_DIR = asset_dir("static") / "fonts" / "noto"
FAMILY = "DejaVu"  # regular "" and bold "B"
CONDENSED = "DejaVuCondensed"  # bold "B" only: large names in narrow boxes
CJK = "NotoSansCJK"  # regular only
ARABIC = "NotoNaskhArabic"  # regular "" and bold "B"


def add_fonts(
    pdf: FPDF,
    *,
    condensed: bool = False,
    texts: Iterable[str | None] | None = None,
    shaping: bool = True,
) -> None:
    """Make DejaVu Sans (and its condensed bold, if asked) usable in ``pdf``, with the
    Noto fallbacks and text shaping on.

    ``texts``, when given, is all the document will write: then only the fallbacks
    that it needs are loaded (parsing the CJK font costs a few tenths of a second,
    which a one-badge download of a Latin name need not pay). ``shaping=False`` leaves
    shaping to the caller, per text (``shape_if_needed``): HarfBuzz on every line of a
    1,000-badge batch triples its time, and only some scripts need it."""
    pdf.add_font(FAMILY, "", FONT_DIR / "DejaVuSans.ttf")
    pdf.add_font(FAMILY, "B", FONT_DIR / "DejaVuSans-Bold.ttf")
    if condensed:
        pdf.add_font(CONDENSED, "B", FONT_DIR / "DejaVuSansCondensed-Bold.ttf")
    needed = _scripts(texts) if texts is not None else {CJK, ARABIC}
    fallbacks = []
    # CJK first: with the Arabic font ahead of it, fpdf2 2.8 loses the font of the text
    # that follows a fallback (pdftotext: "No font in show").
    if CJK in needed:
        pdf.add_font(CJK, "", NOTO_DIR / "NotoSansCJKsc-Regular-subset.otf")
        fallbacks.append(CJK)
    if ARABIC in needed:
        pdf.add_font(ARABIC, "", NOTO_DIR / "NotoNaskhArabic-Regular.ttf")
        pdf.add_font(ARABIC, "B", NOTO_DIR / "NotoNaskhArabic-Bold.ttf")
        fallbacks.append(ARABIC)
    if fallbacks:
        pdf.set_fallback_fonts(fallbacks, exact_match=False)
    pdf.set_text_shaping(shaping)


_ARABIC = ((0x0600, 0x08FF), (0xFB50, 0xFDFF), (0xFE70, 0xFEFF))
_CJK = ((0x1100, 0x11FF), (0x2E80, 0x9FFF), (0xAC00, 0xD7AF), (0xF900, 0xFAFF), (0xFF00, 0xFFEF))


def _scripts(texts: Iterable[str | None]) -> set[str]:
    found = set()
    for text in texts:
        for char in text or "":
            code = ord(char)
            if code < 0x0600:  # Latin, Greek, Cyrillic...: DejaVu's
                continue
            if any(a <= code <= b for a, b in _ARABIC):
                found.add(ARABIC)
            elif any(a <= code <= b for a, b in _CJK):
                found.add(CJK)
    return found


def needs_shaping(text: str) -> bool:
    """Whether ``text`` must be shaped to read right: a right-to-left script (letters
    joined, set right to left) or combining marks left after NFC (Indic scripts...)."""
    return any(
        char >= "\u0590"
        and (unicodedata.bidirectional(char) in ("R", "AL") or unicodedata.combining(char))
        for char in text
    )


def shape_if_needed(pdf: FPDF, text: str) -> None:
    """Turn shaping on for ``text`` only if it needs it (see ``add_fonts``)."""
    wanted = needs_shaping(text)
    if bool(pdf.text_shaping) != wanted:
        pdf.set_text_shaping(wanted)


def fit_line(pdf: FPDF, text: str, width: float) -> str:
    """``text``, cut with an ellipsis so that it fits on one line of ``width`` at the current
    font (a table cell, a chart's label, a line of contents)."""
    if pdf.get_string_width(text) <= width:
        return text
    while text and pdf.get_string_width(text + "…") > width:
        text = text[:-1]
    return text.rstrip() + "…"
