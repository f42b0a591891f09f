"""The two documents funders and training bodies ask for, drawn with fpdf2 in DejaVu Sans:

- the attendance sheet (*feuille d'émargement*) of a session or of the entrance on a day:
  A4 portrait, what and when on top, then a table of the people expected and checked in
  with a column left empty for signatures, its heading row repeated on every page;
- certificates of attendance (*attestations de présence*), one a page, each in its
  participant's language: the sessions they were checked in at, and the hours.

Times are local times of the edition. Call inside an app context (translations).
"""

from __future__ import annotations

from collections.abc import Iterable
from datetime import datetime, timedelta

from flask_babel import force_locale
from flask_babel import gettext as _
from fpdf import FPDF
from fpdf.fonts import FontFace

from school import i18n
from school.labels import CATEGORY_LABELS, ROLE_LABELS
from school.services.badges import tokens
from school.services.checkin.attendance import Sheet
from school.services.checkin.certificates import Certificate, issue_date
from school.services.network import cites
from school.services.pdf_fonts import (
    FAMILY,
    Box,
    TextStyle,
    add_fonts,
    fit_text,
    is_right_to_left,
)

INK = (17, 17, 17)
MUTED = (90, 90, 90)
RULE = (150, 150, 150)
HEADING_FILL = (230, 232, 236)
SIGN_HEIGHT = 13.0  # mm: a row tall enough to sign in
BLANK_LINES = 3  # at the end of a sheet, for people who came without being expected
# The sheet's columns (mm): #, last name, first name, organisation, category, arrival,
# signature; and a cell's padding (above and below, left and right).
SHEET_COLUMNS = (7, 30, 24, 40, 22, 20, 37)
SHEET_PADDING = (0.8, 1.2)
SHEET_PT, SHEET_LINE = 8.5, 4.0  # the table's font size and line height (mm)
# Names and organisations wrap between words, then shrink, in the height of a row to sign.
FITTED = TextStyle(FAMILY, "", SHEET_PT, 6, 3)


class _Document(FPDF):
    """A4 portrait with a running head from the second page on, and page numbers."""

    def __init__(self, title: str, running_head: str = "", *, numbered: bool = True) -> None:
        super().__init__(format="A4")
        self.running_head = running_head
        self.numbered = numbered
        self.footer_note = ""
        add_fonts(self)
        self.set_margins(15, 14, 15)
        self.set_auto_page_break(True, margin=16)
        self.set_title(title)
        self.set_creator("school")
        self.set_text_color(*INK)

    def header(self) -> None:
        if self.page_no() > 1 and self.running_head:
            self.set_font(FAMILY, "", 8)
            self.set_text_color(*MUTED)
            # Wrapped, not one cell: a long title would push the day off the page.
            self.multi_cell(0, 3.6, self.running_head, new_x="LMARGIN", new_y="NEXT")
            self.set_text_color(*INK)
            self.ln(2)

    def footer(self) -> None:
        if not self.numbered:
            return
        self.set_y(-12)
        self.set_font(FAMILY, "", 8)
        self.set_text_color(*MUTED)
        if self.footer_note:
            self.cell(0, 4, self.footer_note, align="L")
            self.set_x(self.l_margin)
        page = _("Page %(number)s of %(total)s", number=self.page_no(), total="{nb}")
        self.cell(0, 4, page, align="R")
        self.set_text_color(*INK)

    def line_of(self, text: str, size: float, *, bold: bool = False, after: float = 0.0) -> None:
        self.set_font(FAMILY, "B" if bold else "", size)
        self.multi_cell(0, size * 0.48, text, align="L", new_x="LMARGIN", new_y="NEXT")
        if after:
            self.ln(after)


# -- the attendance sheet


def sheet_pdf(sheet: Sheet, *, lang: str, now: datetime) -> bytes:
    """The attendance sheet of a checkpoint, in ``lang``, as of ``now``."""
    edition, checkpoint = sheet.edition, sheet.checkpoint
    tz = edition.tz
    with force_locale(lang):
        session = checkpoint.session
        day = i18n.local_date(checkpoint.day, "full", lang)
        what = session.text("title", lang) if session else _("Entrance of the venue")
        heading = _("Attendance sheet")
        when = day
        if session is not None:
            when = i18n.day_and_times(session.starts_at, session.ends_at, tz, lang)
        pdf = _Document(
            f"{heading} — {what} — {edition.text('title', lang)}",
            running_head=f"{edition.text('title', lang)} · {what} · {when}",
        )
        pdf.set_lang(lang)
        pdf.footer_note = _(
            "Check-ins as of %(when)s", when=i18n.local_datetime(now, tz, "short", lang)
        )
        pdf.add_page()
        pdf.set_text_color(*MUTED)
        pdf.line_of(edition.text("title", lang), 9.5)
        pdf.set_text_color(*INK)
        pdf.line_of(heading, 16, bold=True, after=1)
        pdf.line_of(what, 13, bold=True, after=1)
        if session is None:
            when += f" · {edition.venue}"
        elif session.room:
            when += " · " + session.room.text("name", lang)
        pdf.line_of(when, 10.5)
        if session is not None and session.people:
            people = "; ".join(
                f"{link.person.full_name} ({ROLE_LABELS[link.role]})"
                if link.role != "speaker"
                else link.person.full_name
                for link in session.people
            )
            pdf.line_of(_("Speakers: %(people)s", people=people), 9.5)
        counts = _(
            "Expected: %(expected)d · Checked in: %(present)d · Not checked in: %(absent)d",
            expected=sheet.expected,
            present=sheet.present,
            absent=len(sheet.no_shows),
        )
        pdf.line_of(counts, 9.5, after=3)
        _sheet_table(pdf, sheet, lang)
        pdf.ln(6)
        pdf.line_of(_("Certified by the organisers (name, date and signature):"), 9.5)
        return bytes(pdf.output())  # the last page's footer is drawn here: in ``lang`` too


def _sheet_table(pdf: _Document, sheet: Sheet, lang: str) -> None:
    tz = sheet.edition.tz
    headings = (
        "#",
        _("Last name"),
        _("First name"),
        _("Organisation"),
        _("Category"),
        _("Arrival"),
        _("Signature"),
    )
    pdf.set_font(FAMILY, "", SHEET_PT)
    with pdf.table(
        col_widths=SHEET_COLUMNS,
        text_align=("CENTER", "LEFT", "LEFT", "LEFT", "LEFT", "CENTER", "LEFT"),
        v_align="MIDDLE",
        line_height=SHEET_LINE,
        padding=SHEET_PADDING,
        headings_style=FontFace(emphasis="BOLD", fill_color=HEADING_FILL),
        repeat_headings=1,  # on top of every page
        min_row_height=SIGN_HEIGHT,
        borders_layout="ALL",
    ) as table:
        table.row(headings, min_height=8)
        for n, line in enumerate(sheet.lines, start=1):
            person = line.registration
            organisation = " — ".join(p for p in (person.organisation, cites.name_of(person)) if p)
            row = table.row()
            row.cell(str(n))
            for column, text in ((1, person.last_name), (2, person.first_name), (3, organisation)):
                fitted, size = _fit_cell(pdf, text, SHEET_COLUMNS[column])
                # An Arabic name starts at the cell's right edge, as its reader reads it.
                align = "RIGHT" if is_right_to_left(text) else None
                row.cell(fitted, align=align, style=FontFace(size_pt=size))
            row.cell(str(CATEGORY_LABELS[person.category]))
            row.cell(i18n.local_time(line.checked_in_at, tz, lang) if line.checked_in_at else "")
            row.cell("")
        for n in range(len(sheet.lines) + 1, len(sheet.lines) + 1 + BLANK_LINES):
            table.row((str(n), "", "", "", "", "", ""))


def _fit_cell(pdf: _Document, text: str, column: float) -> tuple[str, float]:
    """``text`` in lines that fit a cell of the column ``column`` mm wide, and its size.
    Lines are cut here, not by fpdf2, which breaks inside a word at the cell's edge
    (Łukasiewicz-Żółki|ewska) where a hyphen or a smaller size would do."""
    # A hair narrower than the cell, so that fpdf2 never wraps a line again.
    room = column - 2 * SHEET_PADDING[1] - 0.3
    size, lines = fit_text(pdf, text, Box(0, 0, room, SIGN_HEIGHT), FITTED)
    pdf.set_font(FAMILY, "", SHEET_PT)
    return "\n".join(lines), size


# -- certificates of attendance


def certificates_pdf(
    found: Iterable[Certificate], *, now: datetime, lang: str | None = None
) -> bytes:
    """One certificate a page, each in its participant's language (or ``lang``)."""
    pdf = None
    for certificate in found:
        registration = certificate.registration
        language = lang or registration.language
        with force_locale(language):
            if pdf is None:
                edition = registration.edition
                pdf = _Document(
                    f"{_('Certificate of attendance')} — {edition.text('title', language)}",
                    numbered=False,
                )
                pdf.set_lang(language)
            pdf.add_page()
            _certificate_page(pdf, certificate, language, now)
    if pdf is None:
        raise ValueError("no certificate to render")
    return bytes(pdf.output())


HEADINGS = {"fr": "Attestation de présence", "en": "Certificate of attendance"}


def _certificate_page(pdf: _Document, found: Certificate, lang: str, now: datetime) -> None:
    registration = found.registration
    edition = registration.edition
    tz = edition.tz
    title = edition.text("title", lang)
    pdf.set_text_color(*MUTED)
    pdf.line_of(title, 9.5, after=10)
    pdf.set_text_color(*INK)
    # The heading in the participant's language, then the official French and English
    # ones it does not already say (both, under an Italian, Spanish or Portuguese heading).
    pdf.line_of(HEADINGS.get(lang) or _("Certificate of attendance"), 22, bold=True, after=1)
    pdf.set_text_color(*MUTED)
    pdf.line_of(" / ".join(v for k, v in HEADINGS.items() if k != lang), 13, after=10)
    pdf.set_text_color(*INK)

    dates = i18n.date_range(edition.starts_on, edition.ends_on, lang)
    pdf.line_of(_("The organisers certify that"), 11, after=2)
    pdf.line_of(registration.full_name, 17, bold=True, after=1)
    cite = cites.name_of(registration)
    organisation = " — ".join(p for p in (registration.organisation, cite) if p)
    if organisation:
        pdf.line_of(organisation, 11)
    pdf.ln(2)
    pdf.line_of(_("took part in %(edition)s (%(dates)s).", edition=title, dates=dates), 11)
    pdf.line_of(
        _("Venue: %(venue)s, %(address)s.", venue=edition.venue, address=edition.address),
        11,
        after=3,
    )
    days = ", ".join(i18n.local_date(day, "full", lang) for day in found.days)
    pdf.line_of(_("Days of attendance: %(days)s", days=days), 10.5, after=4)

    if found.sessions:
        pdf.line_of(_("Sessions attended"), 12, bold=True, after=1.5)
        # A long list is set tighter, so that the certificate keeps to one page.
        tight = len(found.sessions) > TIGHT_AFTER
        pdf.set_font(FAMILY, "", 8.5 if tight else 9)
        with pdf.table(
            col_widths=(26, 24, 110, 20),  # the titles wrap least
            text_align=("LEFT", "LEFT", "LEFT", "RIGHT"),
            v_align="MIDDLE",
            line_height=3.8 if tight else 4.2,
            padding=(0.5, 1.5) if tight else (1, 1.5),
            headings_style=FontFace(emphasis="BOLD", fill_color=HEADING_FILL),
            repeat_headings=1,
        ) as table:
            table.row((_("Date"), _("Time"), _("Session"), _("Duration")))
            for session in found.sessions:
                table.row(
                    (
                        i18n.local_date(session.starts_at.astimezone(tz).date(), "medium", lang),
                        i18n.time_range(session.starts_at, session.ends_at, tz, lang),
                        session.text("title", lang),
                        duration_text(session.duration),
                    )
                )
            total = table.row(style=FontFace(emphasis="BOLD"))
            total.cell(_("Total"), colspan=3, align="RIGHT")
            total.cell(duration_text(found.hours))
    else:
        pdf.line_of(_("Attendance was recorded at the entrance of the venue."), 10.5)
    issued = i18n.local_date(issue_date(edition, now), "long", lang)
    place = _("Done at %(city)s, on %(date)s.", city=edition.city, date=issued)
    reference = tokens.token_for(registration)
    note = _("Reference: %(reference)s.", reference=reference)
    if edition.contact_email:
        note += " " + _(
            "The organisers confirm this certificate on request: %(email)s.",
            email=edition.contact_email,
        )
    before, sign, after = _closing_gaps(pdf, place, note)
    pdf.ln(before)
    pdf.line_of(place, 10.5, after=2)
    pdf.line_of(_("For the organisers"), 10.5, bold=True, after=sign)
    pdf.set_draw_color(*RULE)
    pdf.line(pdf.l_margin, pdf.get_y(), pdf.l_margin + 70, pdf.get_y())
    pdf.ln(1.5)
    pdf.set_text_color(*MUTED)
    pdf.line_of(_("Signature"), 8.5, after=after)
    pdf.line_of(note, 8)
    pdf.set_text_color(*INK)


TIGHT_AFTER = 10  # sessions on a certificate, beyond which its table is set tighter
# The blank spaces of a certificate's closing (mm): before the place and date, the room
# to sign, before the reference; as wide as wished, and as narrow as they may get.
CLOSING_GAPS = ((10.0, 4.0), (22.0, 12.0), (8.0, 3.0))


def _closing_gaps(pdf: _Document, place: str, note: str) -> list[float]:
    """The closing's spaces, narrowed as much as needed (not more) for the closing to end
    on the certificate's page when a long list of sessions leaves less room."""
    text = 2 + 1.5  # the space under the place and date, and under the signing line
    for line, size, bold in ((place, 10.5, False), (_("For the organisers"), 10.5, True),
                             (_("Signature"), 8.5, False), (note, 8, False)):  # fmt: skip
        pdf.set_font(FAMILY, "B" if bold else "", size)
        lines = pdf.multi_cell(0, size * 0.48, line, dry_run=True, output="LINES")
        text += len(lines) * size * 0.48
    room = pdf.page_break_trigger - pdf.get_y() - text - 1  # a millimetre to spare
    wished = sum(wide for wide, _narrow in CLOSING_GAPS)
    least = sum(narrow for _wide, narrow in CLOSING_GAPS)
    share = min(1.0, max(0.0, (room - least) / (wished - least)))
    return [narrow + (wide - narrow) * share for wide, narrow in CLOSING_GAPS]


def duration_text(duration: timedelta) -> str:
    hours, minutes = divmod(round(duration.total_seconds() / 60), 60)
    return _("%(hours)d h %(minutes)02d", hours=hours, minutes=minutes)
