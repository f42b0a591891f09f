"""Bar charts drawn straight into an fpdf2 page (rectangles and text, no image): the
report's arrivals per day, attendance per session, Cités and countries. Every bar
carries its number, so the chart reads without colour and its figures are text a
reader (or pdftotext) finds."""

from __future__ import annotations

from fpdf import FPDF

from school.services.pdf_fonts import FAMILY, fit_line

BAR = (35, 87, 153)
AXIS = (150, 150, 150)
INK = (17, 17, 17)


def columns(pdf: FPDF, items: list[tuple[str, int]], *, height: float = 55.0) -> None:
    """Vertical bars, one per item (a day), its value above and its label below, from
    the current position across the page's width."""
    if not items:
        return
    x0, y0 = pdf.l_margin, pdf.get_y()
    width = pdf.w - pdf.l_margin - pdf.r_margin
    top = max(n for _, n in items) or 1
    slot = width / len(items)
    bar = min(slot * 0.6, 30.0)
    base = y0 + height
    pdf.set_draw_color(*AXIS)
    pdf.line(x0, base, x0 + width, base)
    for i, (label, n) in enumerate(items):
        h = (height - 8) * n / top
        x = x0 + i * slot + (slot - bar) / 2
        pdf.set_fill_color(*BAR)
        if h > 0:
            pdf.rect(x, base - h, bar, h, style="F")
        pdf.set_font(FAMILY, "B", 9)
        pdf.set_text_color(*INK)
        pdf.set_xy(x0 + i * slot, base - h - 5)
        pdf.cell(slot, 5, str(n), align="C")
        pdf.set_font(FAMILY, "", 8)
        pdf.set_xy(x0 + i * slot, base + 1)
        pdf.multi_cell(slot, 3.6, label, align="C")
    pdf.set_xy(x0, base + 10)


def bars(pdf: FPDF, items: list[tuple[str, int]], *, label_width: float = 80.0) -> None:
    """Horizontal bars, one a line: the label, the bar, its value. Breaks across pages."""
    if not items:
        return
    width = pdf.w - pdf.l_margin - pdf.r_margin - label_width - 12
    top = max(n for _, n in items) or 1
    row = 6.0
    for label, n in items:
        if pdf.get_y() + row > pdf.page_break_trigger:
            pdf.add_page()
        y = pdf.get_y()
        pdf.set_font(FAMILY, "", 8.5)
        pdf.set_text_color(*INK)
        pdf.set_xy(pdf.l_margin, y)
        pdf.cell(label_width - 2, row, fit_line(pdf, label, label_width - 3), align="R")
        length = width * n / top
        pdf.set_fill_color(*BAR)
        if length > 0:
            pdf.rect(pdf.l_margin + label_width, y + 1.2, length, row - 2.4, style="F")
        pdf.set_xy(pdf.l_margin + label_width + length + 1.5, y)
        pdf.set_font(FAMILY, "B", 8.5)
        pdf.cell(10, row, str(n))
        pdf.set_xy(pdf.l_margin, y + row)
    pdf.ln(3)
