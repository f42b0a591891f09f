"""The typeface of every PDF the site makes: DejaVu Sans, vendored in ``static/fonts/dejavu``
with its licence. It covers the names of the whole network (Latin, Greek, Cyrillic:
``Jelenčić``, ``Łukasiewicz``, ``Ñúñez``), where the PDF core fonts stop at Latin-1;
fpdf2 embeds only the glyphs a document uses."""

from __future__ import annotations

from fpdf import FPDF

from school.paths import asset_dir

FONT_DIR = asset_dir("static") / "fonts" / "dejavu"
FAMILY = "DejaVu"  # regular "" and bold "B"
CONDENSED = "DejaVuCondensed"  # bold "B" only: large names in narrow boxes


def add_fonts(pdf: FPDF, *, condensed: bool = False) -> None:
    """Make DejaVu Sans (and its condensed bold, if asked) usable in ``pdf``."""
    pdf.add_font(FAMILY, "", FONT_DIR / "DejaVuSans.ttf")
    pdf.add_font(FAMILY, "B", FONT_DIR / "DejaVuSans-Bold.ttf")
    if condensed:
        pdf.add_font(CONDENSED, "B", FONT_DIR / "DejaVuSansCondensed-Bold.ttf")
