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

Text is fitted as people write names (``fit_text``, badges and attendance sheets): set as
large as its box allows, wrapped between words, after a hyphen (Castello-|Branco) or
after an ideograph before shrinking, and shrunk rather than overflowing; only past the
smallest size is a word broken, and what still does not fit is cut with an ellipsis.
Widths are measured with the fallback fonts and shaping, as the text will be drawn.
"""

from __future__ import annotations

import math
import re
import unicodedata
from collections.abc import Iterable
from dataclasses import dataclass

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


def is_right_to_left(text: str) -> bool:
    """Whether ``text`` is written right to left, as its first letter of a directional
    script says (Unicode's rule for a paragraph's direction: digits and punctuation
    do not count), so that a cell sets it against its right edge (``محمد العلي``)."""
    for char in text:
        direction = unicodedata.bidirectional(char)
        if direction in ("R", "AL"):
            return True
        if direction == "L":
            return False
    return False


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


PT = 25.4 / 72  # millimetres in a typographic point
LEADING = 1.17  # line height, in font sizes


@dataclass(frozen=True)
class Box:
    x: float
    y: float
    w: float
    h: float


@dataclass(frozen=True)
class TextStyle:
    font: str  # a family added by pdf_fonts.add_fonts
    style: str
    max_pt: float
    min_pt: float
    max_lines: int


def fit_text(
    pdf: FPDF, text: str, box: Box, style: TextStyle, k: float = 1.0
) -> tuple[float, list[str]]:
    """The largest size (points) and the lines at which ``text`` fits in ``box``.
    A line break in ``text`` is kept (each part then wraps on its own)."""
    pdf.set_font(style.font, style.style, 100)

    def width(s: str) -> float:  # millimetres per point of font size
        return pdf.get_string_width(s) / 100

    paragraphs = [_pieces(part) for part in text.split("\n")]
    widths = [[width(piece) for _, piece in pieces] for pieces in paragraphs]
    space = width(" ")
    size = style.max_pt * k
    smallest = style.min_pt * k
    while True:
        lines: list[str] | None = []
        for pieces, piece_widths in zip(paragraphs, widths, strict=True):
            wrapped = _wrap(pieces, piece_widths, space, box.w / size, style.max_lines)
            lines = None if wrapped is None or lines is None else lines + wrapped
        if lines and len(lines) <= style.max_lines and len(lines) * LEADING * size * PT <= box.h:
            return size, lines
        if size <= smallest:
            break
        size = max(smallest, size * 0.95)
    room = max(1, min(style.max_lines, math.floor(box.h / (LEADING * smallest * PT))))
    return smallest, _break_words(text.replace("\n", " "), width, box.w / smallest, room)


# Chinese and Japanese are written without spaces: a line may end after any character.
_IDEOGRAPHS = "\u2e80-\u9fff\uf900-\ufaff"
_PIECE = re.compile(rf"[{_IDEOGRAPHS}]|[^-{_IDEOGRAPHS}]*-+|[^-{_IDEOGRAPHS}]+")


def _pieces(text: str) -> list[tuple[str, str]]:
    """(separator, piece): a line may end at a space, after a hyphen (Castello-|Branco)
    or after an ideograph (司马|相如)."""
    pieces = []
    for n, word in enumerate(text.split(" ")):
        for m, piece in enumerate(_PIECE.findall(word)):
            pieces.append((" " if n and not m else "", piece))
    return pieces


def _wrap(
    pieces: list[tuple[str, str]],
    widths: list[float],
    space: float,
    limit: float,
    max_lines: int,
) -> list[str] | None:
    """Pieces in lines no wider than ``limit`` (greedy), or None if they need more lines."""
    lines: list[str] = []
    current = 0.0
    for (separator, piece), w in zip(pieces, widths, strict=True):
        if w > limit:
            return None
        gap = space if separator else 0.0
        if lines and current + gap + w <= limit:
            lines[-1] += separator + piece
            current += gap + w
        else:
            lines.append(piece)
            current = w
            if len(lines) > max_lines:
                return None
    return lines


def _break_words(text: str, width, limit: float, max_lines: int) -> list[str]:
    """Lines wrapped between words as far as they go, a word wider than a line cut where
    it must, the last line ending with an ellipsis if the text goes on."""
    lines: list[str] = []
    for separator, piece in _pieces(text):
        if lines and width(lines[-1] + separator + piece) <= limit:
            lines[-1] += separator + piece
            continue
        current = ""
        for char in piece:
            if current and width(current + char) > limit:
                lines.append(current)
                current = char
            else:
                current += char
        lines.append(current)
    if len(lines) <= max_lines:
        return lines
    last = lines[max_lines - 1]
    while last and width(last + "…") > limit:
        last = last[:-1]
    return [*lines[: max_lines - 1], last + "…"]
