"""The guide of good practices of an edition, as a PDF (fpdf2): a cover with the edition and
its figures, the contents by theme, one page per accepted initiative, the index of Cités.
Everything submitters typed is printed as text, never read as markup."""

from __future__ import annotations

import io
from collections import defaultdict
from datetime import datetime

from flask_babel import force_locale
from flask_babel import gettext as _
from fpdf import FPDF
from PIL import Image
from sqlalchemy.orm import Session as DbSession

from school import i18n
from school.models import Edition, Initiative
from school.services.network import cites, initiatives
from school.services.network.countries import country_names
from school.services.pdf_fonts import FAMILY, add_fonts, fit_line

INK = (20, 33, 46)
ACCENT = (29, 92, 141)
MUTED = (95, 105, 115)
LINES_PER_CONTENTS_PAGE = 34


class _Guide(FPDF):
    def __init__(self, title: str) -> None:
        super().__init__(format="A4")
        add_fonts(self)
        self.set_margins(18, 16, 18)
        self.set_auto_page_break(True, margin=18)
        self.set_title(title)
        self.set_creator("school")
        self.running_head = title
        self.set_text_color(*INK)

    def header(self) -> None:
        if self.page_no() > 1:
            self.set_font(FAMILY, "", 8)
            self.set_text_color(*MUTED)
            self.cell(0, 4, self.running_head, new_x="LMARGIN", new_y="NEXT")
            self.set_text_color(*INK)
            self.ln(3)

    def footer(self) -> None:
        if self.page_no() > 1:
            self.set_y(-12)
            self.set_font(FAMILY, "", 8)
            self.set_text_color(*MUTED)
            self.cell(0, 4, str(self.page_no()), align="C")
            self.set_text_color(*INK)

    def text_block(self, text: str, size: float, *, bold: bool = False, colour=INK,
                   after: float = 0.0, align: str = "L") -> None:  # fmt: skip
        self.set_font(FAMILY, "B" if bold else "", size)
        self.set_text_color(*colour)
        self.multi_cell(0, size * 0.5, text, align=align, new_x="LMARGIN", new_y="NEXT")
        self.set_text_color(*INK)
        if after:
            self.ln(after)


def render(db: DbSession, edition: Edition, lang: str, *, now: datetime) -> bytes:
    """The guide in ``lang`` (fr or en): exactly the edition's accepted initiatives."""
    with force_locale(lang):
        return _render(db, edition, lang)


def _render(db: DbSession, edition: Edition, lang: str) -> bytes:
    rows = initiatives.accepted(db, edition)
    names = cites.by_key(db)
    countries = country_names(lang)
    themes = {key: str(label) for key, label in initiatives.THEME_LABELS.items()}
    kinds = {key.value: str(label) for key, label in initiatives.KIND_LABELS.items()}
    title = _("Guide of good practices")
    pdf = _Guide(f"{title} — {edition.text('title', lang)}")

    # Pages follow the themes' order: an initiative sits under its first theme.
    order = list(themes)
    rows.sort(key=lambda i: (_first_theme(i, order), _from(i, names).casefold(), i.id))
    _cover(pdf, edition, lang, rows, names, title)
    contents_lines = len({t for i in rows for t in i.themes}) * 2 + sum(len(i.themes) for i in rows)
    pages = max(1, -(-contents_lines // LINES_PER_CONTENTS_PAGE))
    placed: dict[int, int] = {}

    def contents(pdf_: FPDF, _outline) -> None:
        _contents(pdf_, rows, placed, themes, lang)

    pdf.add_page()
    pdf.insert_toc_placeholder(contents, pages=pages, allow_extra_pages=True)
    # The placeholder leaves a fresh page open: the first initiative (or the index) takes it.
    for n, initiative in enumerate(rows):
        if n:
            pdf.add_page()
        placed[initiative.id] = pdf.page_no()
        pdf.start_section(initiative.text("title", lang)[:120], level=0)
        _initiative_page(pdf, initiative, lang, names, countries, themes, kinds)
    _index(pdf, rows, placed, names, countries, new_page=bool(rows))
    out = io.BytesIO()
    pdf.output(out)
    return out.getvalue()


def _first_theme(initiative: Initiative, order: list[str]) -> int:
    held = [order.index(t) for t in initiative.themes or [] if t in order]
    return min(held) if held else len(order)


def _from(initiative: Initiative, names: dict) -> str:
    return cites.label(names, initiative.cite) or initiative.organisation or ""


def _cover(pdf: _Guide, edition: Edition, lang: str, rows, names, title: str) -> None:
    pdf.add_page()
    pdf.set_fill_color(*ACCENT)
    pdf.rect(0, 0, pdf.w, 92, style="F")
    pdf.set_y(30)
    pdf.text_block(title, 30, bold=True, colour=(255, 255, 255), after=4)
    pdf.text_block(edition.text("title", lang), 15, colour=(255, 255, 255), after=2)
    dates = i18n.date_range(edition.starts_on, edition.ends_on, lang)
    pdf.text_block(f"{dates} · {edition.city}", 12, colour=(255, 255, 255))
    pdf.set_y(110)
    cite_keys = {i.cite for i in rows if i.cite}
    figures = [
        (len(rows), _("initiatives, tools and good practices shared")),
        (len(cite_keys), _("Cités des métiers")),
        (len({i.country for i in rows}), _("countries")),
    ]
    for number, label in figures:
        pdf.set_font(FAMILY, "B", 34)
        pdf.set_text_color(*ACCENT)
        pdf.cell(40, 16, str(number), align="R")
        pdf.set_font(FAMILY, "", 14)
        pdf.set_text_color(*INK)
        pdf.cell(0, 16, "  " + label, new_x="LMARGIN", new_y="NEXT")
        pdf.ln(2)
    pdf.ln(8)
    by_kind = defaultdict(int)
    for i in rows:
        by_kind[i.kind] += 1
    kinds = [
        i18n.pair(label, by_kind[key.value])
        for key, label in initiatives.KIND_LABELS.items()
        if by_kind[key.value]
    ]
    if kinds:
        pdf.text_block(" · ".join(kinds), 11, colour=MUTED, after=6)
    pdf.text_block(
        _("Compiled from the call for initiatives of %(edition)s: each Cité des métiers"
          " shares what works, for the others to learn from it.",
          edition=edition.text("title", lang)),
        11, colour=MUTED,
    )  # fmt: skip


def _contents(pdf: FPDF, rows, placed: dict[int, int], themes: dict[str, str], lang) -> None:
    pdf.set_x(pdf.l_margin)
    pdf.set_font(FAMILY, "B", 22)
    pdf.set_text_color(*ACCENT)
    pdf.cell(0, 12, _("Contents"), new_x="LMARGIN", new_y="NEXT")
    pdf.ln(3)
    width = pdf.w - pdf.l_margin - pdf.r_margin
    for key, label in themes.items():
        held = [i for i in rows if key in (i.themes or [])]
        if not held:
            continue
        pdf.set_font(FAMILY, "B", 12)
        pdf.set_text_color(*ACCENT)
        pdf.cell(0, 8, label, new_x="LMARGIN", new_y="NEXT")
        pdf.set_text_color(*INK)
        pdf.set_font(FAMILY, "", 10)
        for i in sorted(held, key=lambda i: placed.get(i.id, 0)):
            page = str(placed.get(i.id, ""))
            text = fit_line(pdf, i.text("title", lang), width - 18)
            pdf.cell(width - 14, 6, text, link=pdf.add_link(page=placed.get(i.id, 1)))
            pdf.cell(14, 6, page, align="R", new_x="LMARGIN", new_y="NEXT")
        pdf.ln(2)


def _initiative_page(pdf: _Guide, i: Initiative, lang, names, countries, themes, kinds) -> None:
    pdf.text_block(kinds.get(i.kind, i.kind).upper(), 9, bold=True, colour=ACCENT, after=1)
    pdf.text_block(i.text("title", lang), 19, bold=True, after=2)
    where = " · ".join(p for p in (_from(i, names), countries.get(i.country, i.country)) if p)
    pdf.text_block(where, 12, colour=ACCENT, after=1)
    pdf.text_block(" · ".join(themes.get(t, t) for t in i.themes or []), 9, colour=MUTED, after=4)
    if i.picture:
        _picture(pdf, i.picture)
    pdf.text_block(i.text("summary", lang), 11, after=6)
    pdf.set_draw_color(*MUTED)
    pdf.line(pdf.l_margin, pdf.get_y(), pdf.w - pdf.r_margin, pdf.get_y())
    pdf.ln(3)
    pdf.text_block(_("Contact:") + f" {i.contact_name} <{i.contact_email}>", 10, colour=MUTED)


def _picture(pdf: _Guide, data: bytes) -> None:
    """The picture in a box of 100 × 70 mm, its proportions kept (it was checked and
    re-encoded when it was received)."""
    with Image.open(io.BytesIO(data)) as image:
        width, height = image.size
    scale = min(100 / width, 70 / height)
    w, h = width * scale, height * scale
    if pdf.get_y() + h > pdf.page_break_trigger:
        return
    pdf.image(io.BytesIO(data), x=pdf.l_margin, y=pdf.get_y(), w=w, h=h)
    pdf.set_y(pdf.get_y() + h + 5)


def _index(pdf: _Guide, rows, placed: dict[int, int], names, countries, *, new_page) -> None:
    if new_page:
        pdf.add_page()
    pdf.start_section(_("Index of Cités"), level=0)
    pdf.text_block(_("Index of Cités"), 22, bold=True, colour=ACCENT, after=4)
    pages: dict[str, list[int]] = defaultdict(list)
    where: dict[str, str] = {}
    for i in rows:
        name = _from(i, names)
        pages[name].append(placed[i.id])
        where[name] = countries.get(i.country, i.country)
    for name in sorted(pages, key=str.casefold):
        pdf.set_font(FAMILY, "", 10.5)
        numbers = ", ".join(str(p) for p in sorted(pages[name]))
        pdf.multi_cell(0, 6, f"{name} ({where[name]}) — {numbers}", new_x="LMARGIN", new_y="NEXT")
