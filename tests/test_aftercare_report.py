"""The report: ``flask report SLUG -o FILE.pdf`` and the back-office downloads, read back
with pdftotext and openpyxl on the made-up Autumn School whose figures are known."""

from __future__ import annotations

import io
import itertools
import re

import openpyxl
import pytest
import sqlalchemy as sa

from school.database import utcnow
from school.models import Edition, SurveyInvitation
from school.services.aftercare import figures, invitations, survey
from tests.support.aftercare_scenario import autumn_school
from tests.support.backoffice import Organiser, make_admin
from tests.support.demo_aftercare import demo_after_the_school
from tests.support.pdf_tools import pdf_pages, pdf_text


@pytest.fixture
def school(app, db):
    """The Autumn School, its survey sent, and three answers."""
    with app.app_context():
        found = autumn_school(db)
        invitations.invite(db, found["edition"], now=utcnow())
        db.commit()
        opening, workshop = found["opening"].id, found["workshop_a"].id
        answers = {
            "amelie": {"overall": "5", f"session-{opening}": "4", f"session-{workshop}": "5",
                       f"session-{workshop}-comment": "Des outils concrets, repris dès lundi",
                       "useful": "L'atelier sur l'orientation tout au long de la vie",
                       "again": "yes"},
            "ivan": {"overall": "4", f"session-{opening}": "3",
                     "change": "Больше времени для обмена опытом", "again": "maybe"},
            "lina": {"overall": "3", f"session-{workshop}": "4", "again": "yes"},
        }  # fmt: skip
        for who, data in answers.items():
            token = db.scalar(
                sa.select(SurveyInvitation.token).where(
                    SurveyInvitation.registration_id == found[who].id
                )
            )
            survey.save(db, token, data, now=utcnow(), final=True, language="fr")
            db.commit()
        return found


def flat(text: str) -> str:
    return re.sub(r"\s+", " ", text)


def rows(pdf: bytes) -> list[str]:
    """Each line of each page as a reader sees it: the words at the same height, from
    left to right (a bar's label, then its number)."""
    found = []
    for page in pdf_pages(pdf):
        line: list = []
        for word in sorted(page.words, key=lambda w: (w.y0, w.x0)):
            if line and abs(word.y0 - line[0].y0) > 1.5:
                found.append(" ".join(w.text for w in sorted(line, key=lambda w: w.x0)))
                line = []
            line.append(word)
        if line:
            found.append(" ".join(w.text for w in sorted(line, key=lambda w: w.x0)))
    return found


def figure_above(page, label: str) -> str:
    """The figure printed in a box right above the first word of its label."""
    for word in (w for w in page.words if w.text == label):
        middle = (word.x0 + word.x1) / 2
        above = [
            w
            for w in page.words
            if 0 <= word.y0 - w.y1 < 6 and abs((w.x0 + w.x1) / 2 - middle) < 22 and w is not word
        ]
        figure = " ".join(w.text for w in sorted(above, key=lambda w: w.x0))
        if re.fullmatch(r"[\d,./ %]+", figure):
            return figure
    return ""


def test_the_report_holds_the_edition_s_figures(school, runner, tmp_path):
    out, sheet = tmp_path / "report.pdf", tmp_path / "figures.xlsx"
    result = runner.invoke(
        args=["report", school["edition"].slug, "-o", str(out), "--xlsx", str(sheet)]
    )
    assert result.exit_code == 0, result.output
    pdf = out.read_bytes()
    first = flat(pdf_text(pdf, 1))
    assert "Retour en chiffres" in first and "Université d'automne 2024" in first
    page = pdf_pages(pdf)[0]
    boxes = {
        label: figure_above(page, label)
        for label in ("inscrits", "présents", "absents", "sessions", "ateliers", "Cités",
                      "pays", "initiatives", "ont", "note")
    }  # fmt: skip
    assert boxes == {
        "inscrits": "8",
        "présents": "6",
        "absents": "2",
        "sessions": "4",  # the coffee break is none
        "ateliers": "2",
        "Cités": "4",
        "pays": "3",
        "initiatives": "2",  # the accepted ones only
        "ont": "50 %",
        "note": "4,0/5",
    }
    assert "présents (pointés au moins une fois)" in first and "ont répondu à l’enquête" in first
    every = flat(pdf_text(pdf))
    lines = rows(pdf)
    # Present per day (a chart whose numbers are text), then per session, Cité, country.
    assert re.search(r"mer\. 4 déc\.? .*jeu\. 5 déc\.? .*ven\. 6 déc", every)
    for line in [
        "4 déc. · Ouverture 2",
        "4 déc. · Atelier A : l'orientation tout au long de la vie 2",
        "5 déc. · Atelier B : les métiers du numérique 1",
        "6 déc. · Table ronde de clôture 2",
        "Cité des métiers de Paris la Villette 2",
        "Cité des métiers de Bruxelles 1",
        "Cité des métiers de Charleroi 1",
        "Cité des métiers du Grand Genève 1",
        "Belgique 3",
        "France 2",
        "Suisse 1",
        "Atelier A : l'orientation tout au long de la vie 2 4,5/5",
        "Ouverture 2 3,5/5",
    ]:
        assert line in lines, (line, lines)
    assert not any("Pause" in line for line in lines[:40])  # breaks are not sessions to attend
    assert "Porto" not in every and "Portugal" not in every  # Marco never came
    # The survey: rates, ratings per session, a selection of comments.
    assert "3 réponses sur 6 personnes invitées (50 %)." in every
    assert "Moyenne de 4,0/5 sur 3 réponses." in every
    assert "Des outils concrets, repris dès lundi" in every
    assert "Больше времени для обмена опытом" in every

    book = openpyxl.load_workbook(sheet)
    figures = {row[0]: row[1] for row in book["Chiffres"].iter_rows(values_only=True)}
    assert figures["Inscrits"] == 8 and figures["Présents (pointés au moins une fois)"] == 6
    assert figures["Cités présentes"] == 4 and figures["Pays présents"] == 3
    assert figures["Taux de réponse (%)"] == 50.0
    per_day = list(book["Présents par jour"].iter_rows(values_only=True))[1:]
    assert [n for _, n in per_day] == [4, 2, 2]


def test_the_report_in_english_and_from_the_back_office(school, app, db):
    make_admin(app, db)
    admin = Organiser(app.test_client()).login()
    slug = school["edition"].slug
    response = admin.get(f"/organiser/{slug}/report.pdf", lang="en")
    assert response.status_code == 200 and response.mimetype == "application/pdf"
    assert "attachment" in response.headers["Content-Disposition"]
    text = flat(pdf_text(response.data))
    assert "The edition in figures" in text and "Autumn School 2024" in text
    page = pdf_pages(response.data)[0]
    assert figure_above(page, "registered") == "8" and figure_above(page, "Cités") == "4"
    assert figure_above(page, "countries") == "3" and figure_above(page, "overall") == "4.0/5"
    assert "“Больше времени для обмена опытом”" in text
    # A report filed for years says the year it was computed.
    year = utcnow().year
    assert re.search(rf"Computed on \d+ \w+ {year}, \d\d:\d\d from the registrations", text)
    book = openpyxl.load_workbook(io.BytesIO(admin.get(f"/organiser/{slug}/report.xlsx").data))
    figures = {row[0]: row[1] for row in book["Figures"].iter_rows(values_only=True)}
    assert figures["Registered people"] == 8 and figures["Countries present"] == 3
    page = admin.page(f"/organiser/{slug}/aftercare")
    assert "report.pdf" in page and "4.0/5" in page


def test_an_unknown_edition_is_a_clear_error(runner, tmp_path):
    result = runner.invoke(args=["report", "nowhere", "-o", str(tmp_path / "x.pdf")])
    assert result.exit_code != 0 and "nowhere" in result.output
    assert not (tmp_path / "x.pdf").exists()


def test_the_demo_report_after_a_school_of_seventy(app, demo, db, runner, tmp_path):
    with app.app_context():
        demo_after_the_school(db, demo.id)
        found = figures.figures(db, db.get(Edition, demo.id))
    assert found.present > 50 and found.no_shows > 0 and found.cites_present == 11
    assert found.countries_present == 6 and found.survey.answered > 20
    out = tmp_path / "demo.pdf"
    assert runner.invoke(args=["report", demo.slug, "-o", str(out)]).exit_code == 0
    pdf = out.read_bytes()
    page = pdf_pages(pdf)[0]
    assert figure_above(page, "présents") == str(found.present)
    assert figure_above(page, "Cités") == "11" and figure_above(page, "pays") == "6"
    lines = rows(pdf)
    paris = "Cité des métiers de Paris la Villette"
    assert f"{paris} {dict(found.per_cite)[paris]}" in lines
    assert len(pdf_pages(pdf)) >= 3


def test_the_report_quotes_each_comment_once(app, demo, db, runner, tmp_path):
    # In the demo, several people wrote the very same sentence: the report's selection
    # quotes it once and makes room for the other answers.
    with app.app_context():
        demo_after_the_school(db, demo.id)
    out = tmp_path / "demo.pdf"
    assert runner.invoke(args=["report", demo.slug, "-o", str(out)]).exit_code == 0
    lines = rows(out.read_bytes())
    start = lines.index("Quel a été le moment le plus utile pour vous ?")
    end = lines.index("Que faudrait-il changer la prochaine fois ?")
    quoted = [line for line in lines[start + 1 : end] if line.startswith("«")]
    assert len(quoted) >= 4 and len(set(quoted)) == len(quoted)


def test_the_report_s_title_is_not_stretched(app, demo, db, runner, tmp_path):
    # A title that wraps is set flush left: the words of its first line are as far apart as
    # those of its last line, not pushed out to both margins.
    out = tmp_path / "demo.pdf"
    assert runner.invoke(args=["report", demo.slug, "-o", str(out)]).exit_code == 0
    words = [w for w in pdf_pages(out.read_bytes())[0].words if w.y0 < 36]

    def spaces(line_of: str) -> list[float]:
        y0 = next(w.y0 for w in words if w.text == line_of)
        line = sorted((w for w in words if abs(w.y0 - y0) < 1), key=lambda w: w.x0)
        return [b.x0 - a.x1 for a, b in itertools.pairwise(line)]

    first, last = spaces("Réseau"), spaces("métiers")
    assert max(first) < min(last) * 1.15, (first, last)
