"""A speaker's schedule on one printable page (``schedule.pdf``): the content of the
speakers' corner, set in DejaVu Sans so every name of the network prints right."""

from __future__ import annotations

from collections.abc import Callable

from flask_babel import gettext as _
from fpdf import FPDF

from school import i18n
from school.models import Edition, Person, SessionPerson
from school.services.pdf_fonts import FAMILY as FONT
from school.services.pdf_fonts import add_fonts
from school.services.publishing.calendar import Wording

# Until everything fits on one page: descriptions shortened, then left out, then the
# co-speakers, then smaller type (limit of the description, co-speakers shown, type scale).
LAYOUTS = ((None, True, 1.0), (600, True, 1.0), (250, True, 1.0), (0, True, 1.0), (0, False, 0.85))


def schedule_pdf(
    person: Person,
    edition: Edition,
    links: list[SessionPerson],
    *,
    lang: str,
    wording: Wording,
) -> bytes:
    pdf = None
    for layout in LAYOUTS:
        pdf = _render(person, edition, links, lang, wording, *layout)
        if pdf.pages_count == 1:
            break
    return bytes(pdf.output())


def _render(person, edition, links, lang, wording, text_limit, with_others, scale) -> FPDF:
    pdf = FPDF(format="A4")
    pdf.set_margins(18, 16, 18)
    pdf.set_auto_page_break(True, margin=14)
    add_fonts(pdf)
    title = edition.text("title", lang)
    pdf.set_title(f"{person.full_name} — {title}")
    pdf.set_creator("school")
    pdf.set_lang(lang)
    pdf.add_page()
    line = _writer(pdf, scale)

    line(title, 13, bold=True)
    line(_("Speaker's schedule: %(name)s", name=person.full_name), 12, bold=True, after=1)
    details = ", ".join(p for p in (person.text("function", lang), person.organisation) if p)
    if details:
        line(details, 10)
    pdf.ln(3)

    tz = edition.tz
    if not links:
        line(_("You have no session in the programme yet."), 10)
    for link in links:
        session = link.session
        start = session.starts_at.astimezone(tz)
        when = (
            f"{i18n.local_date(start.date(), 'full', lang)}, "
            f"{i18n.time_range(session.starts_at, session.ends_at, tz, lang)}"
        )
        if session.room:
            when += f" · {session.room.text('name', lang)}"
        line(when, 10.5, bold=True)
        if session.is_cancelled:
            line(_("Cancelled"), 10.5, bold=True)
        line(session.text("title", lang), 10.5, bold=True)
        role = _("Your role: %(role)s", role=wording.roles[link.role])
        if link.awaits_confirmation:
            role += f" ({_('to be confirmed')})"
        line(f"{wording.kinds[session.kind]} · {role}", 9.5)
        others = [
            f"{o.person.full_name} ({wording.roles[o.role]})"
            + (f", {o.person.organisation}" if o.person.organisation else "")
            for o in link.others
        ]
        if others and with_others:
            line(_("With: %(people)s", people="; ".join(others)), 9.5)
        text = session.text("description", lang)
        if text and text_limit != 0:
            if text_limit and len(text) > text_limit:
                text = text[:text_limit].rsplit(" ", 1)[0] + " …"
            line(text, 8.5)
        pdf.ln(3 * scale)

    pdf.set_draw_color(200, 200, 200)
    pdf.set_line_width(0.2)
    pdf.line(pdf.l_margin, pdf.get_y(), pdf.w - pdf.r_margin, pdf.get_y())
    pdf.ln(2)
    line(_("Practical information"), 10.5, bold=True)
    line(f"{edition.venue}, {edition.address}", 9.5)
    zone = {"city": edition.city, "tz": edition.timezone}
    line(_("All times are local time in %(city)s (%(tz)s).", **zone), 9.5)
    if edition.contact_email:
        line(_("Contact: %(email)s", email=edition.contact_email), 9.5)
    return pdf


def _writer(pdf: FPDF, scale: float) -> Callable[..., None]:
    def line(text: str, size: float, *, bold: bool = False, after: float = 0) -> None:
        size *= scale
        pdf.set_font(FONT, "B" if bold else "", size)
        pdf.multi_cell(0, size * 0.5, text, align="L", new_x="LMARGIN", new_y="NEXT")
        if after:
            pdf.ln(after)

    return line
