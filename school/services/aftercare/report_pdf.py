"""The edition's report ("retour en chiffres"), a few A4 pages in the edition's language
(French unless asked otherwise), ready to paste into the network's annual activity
report: the figures, charts (present per day, attendance per session, Cités and
countries), the survey's results and a selection of its comments. Drawn with fpdf2 in
DejaVu Sans; every number is text. Call inside an app context (translations).
"""

from __future__ import annotations

from datetime import datetime

from babel.numbers import format_decimal
from flask_babel import force_locale
from flask_babel import gettext as _
from fpdf import FPDF
from fpdf.fonts import FontFace
from sqlalchemy.orm import Session as DbSession

from school import i18n
from school.labels import KIND_LABELS
from school.models import Edition
from school.services.aftercare import charts_pdf, figures, results
from school.services.aftercare.figures import Figures
from school.services.aftercare.results import Results
from school.services.aftercare.survey import again_label
from school.services.network.countries import country_names
from school.services.pdf_fonts import FAMILY, add_fonts

INK = (17, 17, 17)
MUTED = (90, 90, 90)
BOX = (236, 240, 246)
COMMENTS_PER_QUESTION = 5
COMMENT_LIMIT = 400  # characters of a comment quoted in the report


class _Report(FPDF):
    def __init__(self, title: str, running_head: str) -> None:
        super().__init__(format="A4")
        self.running_head = running_head
        add_fonts(self)
        self.set_margins(16, 14, 16)
        self.set_auto_page_break(True, margin=16)
        self.set_title(title)
        self.set_creator("school")
        self.set_text_color(*INK)

    def header(self) -> None:
        if self.page_no() > 1:
            self.set_font(FAMILY, "", 8)
            self.set_text_color(*MUTED)
            self.cell(0, 4, self.running_head, new_x="LMARGIN", new_y="NEXT")
            self.set_text_color(*INK)
            self.ln(3)

    def footer(self) -> None:
        self.set_y(-12)
        self.set_font(FAMILY, "", 8)
        self.set_text_color(*MUTED)
        page = _("Page %(number)s of %(total)s", number=self.page_no(), total="{nb}")
        self.cell(0, 4, page, align="R")
        self.set_text_color(*INK)

    def text_line(self, text: str, size: float, *, bold: bool = False, after: float = 0) -> None:
        self.set_font(FAMILY, "B" if bold else "", size)
        # Flush left: fpdf2 justifies by default, which stretches a wrapped title's words.
        self.multi_cell(0, size * 0.5, text, align="L", new_x="LMARGIN", new_y="NEXT")
        if after:
            self.ln(after)

    def heading(self, text: str, *, room: float = 40) -> None:
        """A section's title, on a new page when less than ``room`` mm are left."""
        if self.get_y() + room > self.page_break_trigger:
            self.add_page()
        self.ln(3)
        self.text_line(text, 13, bold=True, after=2)


def report_pdf(db: DbSession, edition: Edition, *, lang: str | None, now: datetime) -> bytes:
    lang = lang or "fr"
    found = figures.figures(db, edition)
    answers = results.results(db, edition)
    with force_locale(lang):
        title = edition.text("title", lang)
        pdf = _Report(
            f"{_('The edition in figures')} — {title}", f"{title} · {_('The edition in figures')}"
        )
        pdf.set_lang(lang)
        pdf.add_page()
        _cover(pdf, found, lang, now)
        _attendance(pdf, found, lang)
        _origins(pdf, found, lang)
        if answers is not None and answers.answered:
            _survey(pdf, answers, lang)
    return bytes(pdf.output())


def _cover(pdf: _Report, found: Figures, lang: str, now: datetime) -> None:
    edition = found.edition
    pdf.set_text_color(*MUTED)
    pdf.text_line(_("The edition in figures"), 10)
    pdf.set_text_color(*INK)
    pdf.text_line(edition.text("title", lang), 20, bold=True, after=1)
    dates = i18n.local_date(edition.starts_on, "long", lang)
    if edition.ends_on != edition.starts_on:
        dates += " – " + i18n.local_date(edition.ends_on, "long", lang)
    pdf.text_line(f"{dates} · {edition.venue}, {edition.city}", 10.5, after=4)
    boxes = [
        (found.registered, _("registered")),
        (found.present, _("present (checked in at least once)")),
        (found.no_shows, _("no-shows")),
        (found.sessions_held, _("sessions held")),
        (found.workshops, _("workshops")),
        (found.cites_present, _("Cités present")),
        (found.countries_present, _("countries present")),
    ]
    if found.initiatives_shared is not None:
        boxes.append((found.initiatives_shared, _("initiatives shared")))
    if found.survey is not None and found.survey.answered:
        rate = found.survey.response_rate or 0
        boxes.append((f"{rate * 100:.0f} %", _("answered the survey")))
        if found.survey.overall_average is not None:
            boxes.append((_out_of_5(found.survey.overall_average, lang), _("overall rating")))
    _boxes(pdf, boxes)
    held = sessions_held_text(found)
    if held:
        pdf.text_line(held, 9.5, after=1)
    pdf.set_text_color(*MUTED)
    pdf.text_line(
        _(
            "Computed on %(when)s from the registrations, the check-ins at the door and in the"
            " rooms, and the survey's answers.",
            when=i18n.local_datetime(now, edition.tz, "long", lang),
        ),
        8.5,
        after=2,
    )
    pdf.set_text_color(*INK)
    pdf.heading(_("Present per day"), room=75)
    charts_pdf.columns(
        pdf,
        [(i18n.local_date(day, "EEE d MMM", lang), n) for day, n in found.present_per_day.items()],
    )


def _boxes(pdf: _Report, boxes: list[tuple[object, str]]) -> None:
    per_row, gap = 4, 3.0
    width = (pdf.w - pdf.l_margin - pdf.r_margin - gap * (per_row - 1)) / per_row
    height = 22.0
    for i, (value, label) in enumerate(boxes):
        if i % per_row == 0 and i:
            pdf.set_y(pdf.get_y() + height + gap)
        x = pdf.l_margin + (i % per_row) * (width + gap)
        y = pdf.get_y()
        pdf.set_fill_color(*BOX)
        pdf.rect(x, y, width, height, style="F")
        pdf.set_xy(x, y + 2.5)
        pdf.set_font(FAMILY, "B", 17)
        pdf.cell(width, 8, str(value), align="C")
        pdf.set_xy(x + 1.5, y + 11)
        pdf.set_font(FAMILY, "", 8)
        pdf.multi_cell(width - 3, 3.6, label, align="C")
        pdf.set_xy(pdf.l_margin, y)
    pdf.set_y(pdf.get_y() + height + 6)


def sessions_held_text(found: Figures) -> str:
    """ "Sessions held: 7 × plenary, 2 × workshop." in the current language, as the report
    and the organisers' page say it; empty when none was held."""
    kinds = ", ".join(
        f"{n} × {str(KIND_LABELS.get(kind, kind)).lower()}"
        for kind, n in found.sessions_held_by_kind.items()
    )
    return _("Sessions held: %(kinds)s.", kinds=kinds) if kinds else ""


def _attendance(pdf: _Report, found: Figures, lang: str) -> None:
    held = found.attendance  # breaks and social events left out (``figures``)
    if not held:
        return
    pdf.heading(_("Attendance per session"))
    pdf.set_text_color(*MUTED)
    pdf.text_line(_("People checked in at each session held (breaks left out)."), 8.5, after=2)
    pdf.set_text_color(*INK)
    tz = found.edition.tz
    charts_pdf.bars(
        pdf,
        [
            (
                f"{i18n.local_date(a.session.starts_at.astimezone(tz).date(), 'd MMM', lang)}"
                f" · {a.session.text('title', lang)}",
                a.present,
            )
            for a in held
        ],
        label_width=100,
    )


def _origins(pdf: _Report, found: Figures, lang: str) -> None:
    pdf.heading(_("Cités present: %(num)d", num=found.cites_present))
    charts_pdf.bars(pdf, found.per_cite)
    names = country_names(lang)
    pdf.heading(_("Countries present: %(num)d", num=found.countries_present))
    charts_pdf.bars(pdf, [(names.get(code, code), n) for code, n in found.per_country])


def _survey(pdf: _Report, answers: Results, lang: str) -> None:
    pdf.add_page()
    pdf.text_line(_("The participants' opinion"), 15, bold=True, after=1)
    pdf.text_line(
        _(
            "%(answered)d answers from %(invited)d people invited (%(rate)s %%).",
            answered=answers.answered,
            invited=answers.invited,
            rate=f"{(answers.response_rate or 0) * 100:.0f}",
        ),
        10,
        after=3,
    )
    for item in answers.questions:
        kind = item.question.kind
        if kind == "rating" and item.ratings.count:
            pdf.text_line(str(item.question.label), 10.5, bold=True, after=1)
            pdf.text_line(
                _(
                    "Average %(average)s/5 from %(num)d answers.",
                    average=_decimal(item.ratings.average, lang),
                    num=item.ratings.count,
                ),
                9.5,
                after=1,
            )
            charts_pdf.bars(
                pdf,
                [(f"{k}/5", n) for k, n in sorted(item.ratings.distribution.items(), reverse=True)],
                label_width=20,
            )
        elif kind == "choice" and item.choices:
            pdf.text_line(str(item.question.label), 10.5, bold=True, after=1)
            charts_pdf.bars(
                pdf, [(again_label(k), n) for k, n in item.choices.most_common()], label_width=30
            )
    rated = [s for s in answers.sessions if s.ratings.count]
    if rated:
        pdf.heading(_("Sessions as rated by those who attended"))
        pdf.set_font(FAMILY, "", 9)
        pdf.set_fill_color(255, 255, 255)
        pdf.set_draw_color(170, 170, 170)
        with pdf.table(
            col_widths=(120, 25, 25),
            text_align=("LEFT", "RIGHT", "RIGHT"),
            headings_style=FontFace(emphasis="BOLD", fill_color=BOX),
            line_height=5,
        ) as table:
            table.row((_("Session"), _("Ratings"), _("Average")))
            for s in rated:
                table.row(
                    (s.session.text("title", lang), str(s.ratings.count),
                     _out_of_5(s.ratings.average, lang))
                )  # fmt: skip
    commented = [s for s in answers.sessions if s.comments]
    if commented:
        pdf.heading(_("Comments on the sessions"), room=30)
        for s in commented:
            pdf.text_line(s.session.text("title", lang), 9.5, bold=True, after=1)
            _quotes(pdf, s.comments, lang)
    for item in answers.questions:
        if item.question.kind == "text" and item.comments:
            pdf.heading(str(item.question.label), room=30)
            _quotes(pdf, item.comments, lang)


def _quotes(pdf: _Report, comments, lang: str) -> None:
    opening, closing = ("« ", " »") if lang == "fr" else ("“", "”")
    for comment in _selection(comments):
        pdf.set_font(FAMILY, "", 9.5)
        pdf.multi_cell(
            0, 4.8, f"{opening}{comment}{closing}", align="L", new_x="LMARGIN", new_y="NEXT"
        )
        pdf.ln(1.5)


def _decimal(value: float, lang: str) -> str:
    return format_decimal(value, "0.0", locale=lang)


def _out_of_5(value: float, lang: str) -> str:
    return f"{_decimal(value, lang)}/5"


def _selection(comments) -> list[str]:
    """A few comments worth quoting: the most developed ones first, each cut to a paragraph.
    A sentence several people wrote is quoted once, leaving room for the others."""
    distinct: dict[str, results.Comment] = {}
    for comment in sorted(comments, key=lambda c: -len(c.text)):
        distinct.setdefault(" ".join(comment.text.split()).casefold(), comment)
    chosen = list(distinct.values())[:COMMENTS_PER_QUESTION]
    return [
        c.text if len(c.text) <= COMMENT_LIMIT else c.text[: COMMENT_LIMIT - 1].rstrip() + "…"
        for c in chosen
    ]
