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

from fpdf import FPDF

from school.paths import asset_dir

FONT_DIR = asset_dir("static") / "fonts" / "dejavu"
NOTO_DIR = asset_dir("static") / "fonts" / "noto"
FAMILY = "DejaVu"  # regular "" and bold "B"
CONDENSED = "DejaVuCondensed"  # bold "B" only: large names in narrow boxes
CJK = "NotoSansCJK"  # regular only
ARABIC = "NotoNaskhArabic"  # regular "" and bold "B"


def add_fonts(pdf: FPDF, *, condensed: bool = False) -> None:
    """Make DejaVu Sans (and its condensed bold, if asked) usable in ``pdf``, with the
    Noto fallbacks and text shaping on."""
    pdf.add_font(FAMILY, "", FONT_DIR / "DejaVuSans.ttf")
    pdf.add_font(FAMILY, "B", FONT_DIR / "DejaVuSans-Bold.ttf")
    if condensed:
        pdf.add_font(CONDENSED, "B", FONT_DIR / "DejaVuSansCondensed-Bold.ttf")
    pdf.add_font(CJK, "", NOTO_DIR / "NotoSansCJKsc-Regular-subset.otf")
    pdf.add_font(ARABIC, "", NOTO_DIR / "NotoNaskhArabic-Regular.ttf")
    pdf.add_font(ARABIC, "B", NOTO_DIR / "NotoNaskhArabic-Bold.ttf")
    # CJK first: with the Arabic font ahead of it, fpdf2 2.8 loses the font of the text
    # that follows a fallback (pdftotext: "No font in show").
    pdf.set_fallback_fonts([CJK, ARABIC], exact_match=False)
    pdf.set_text_shaping(True)
