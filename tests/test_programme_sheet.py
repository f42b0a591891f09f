"""Sessions from a spreadsheet: a template, a preview with errors named by row and
column, then all rows or none, through the session form's service."""

from __future__ import annotations

import csv
import io

import sqlalchemy as sa
from openpyxl import load_workbook

from school.database import utcnow
from school.models import Edition, Session
from school.services.programme import sheet
from tests.support.backoffice import Organiser, flashes, fresh, make_admin


def _organiser(app, client, db):
    make_admin(app, db)
    return Organiser(client).login()


def _csv(rows: list[list[str]]) -> bytes:
    out = io.StringIO()
    csv.writer(out).writerows(rows)
    return out.getvalue().encode()


HEADER = ["id", "date", "start", "end", "kind", "title_fr", "room", "capacity", "speakers"]


def _count(db, edition) -> int:
    return fresh(db).scalar(
        sa.select(sa.func.count()).select_from(Session).where(Session.edition_id == edition.id)
    )


def test_the_template_has_the_columns_and_reads_back(app, client, db, demo):
    organiser = _organiser(app, client, db)
    response = organiser.get(f"/organiser/{demo.slug}/programme/template.xlsx")
    assert response.status_code == 200
    book = load_workbook(io.BytesIO(response.data))
    assert [c.value for c in book.active[1]] == sheet.COLUMNS
    rows = sheet.read_rows("t.xlsx", response.data)
    assert rows[0]["date"] == demo.dates[0].isoformat() and rows[0]["_row"] == 2
    text = organiser.get(f"/organiser/{demo.slug}/programme/template.csv").data.decode("utf-8-sig")
    assert text.splitlines()[0] == ",".join(sheet.COLUMNS)


def test_a_sheet_with_one_bad_row_is_previewed_refused_and_nothing_is_written(
    app, client, db, demo
):
    organiser = _organiser(app, client, db)
    before = _count(db, demo)
    url = f"/organiser/{demo.slug}/programme/import"
    data = _csv(
        [
            HEADER,
            ["", "2019-06-20", "14:00", "15:30", "workshop", "Atelier Łódź 一", "meeting-room-1",
             "20", "Alain Jouneau:moderator"],
            ["", "2019-06-20", "16:00", "15:00", "workshop", "Atelier à l'envers", "", "", ""],
            ["", "2019-06-20", "14:00", "15:30", "workshop", "Atelier trois", "Salle inconnue",
             "", ""],
        ]
    )  # fmt: skip
    page = organiser.page(url)
    from tests.support.backoffice import csrf_token

    response = client.post(
        url,
        data={"csrf_token": csrf_token(page), "sheet": (io.BytesIO(data), "sessions.csv")},
        query_string={"lang": "en"},
        content_type="multipart/form-data",
    )
    html = response.get_data(as_text=True)
    assert response.status_code == 200
    assert "Row 3, column “end”: 15:00 is not after start 16:00" in html
    assert "Row 4, column “room”: unknown room &#39;Salle inconnue&#39;" in html
    assert "Import these sessions" not in html  # no way to confirm a wrong sheet
    assert _count(db, demo) == before

    # The same rows sent as a confirmation (as a hand-made request could) are refused whole.
    rows = sheet.read_rows("sessions.csv", data)
    import json

    response = client.post(
        url,
        data={"csrf_token": csrf_token(page), "rows": json.dumps(rows)},
        query_string={"lang": "fr"},
    )
    html = response.get_data(as_text=True)
    assert "Rien n&#39;a été importé" in html
    assert "Ligne 3, colonne « end »" in html
    assert _count(db, demo) == before


def test_a_good_sheet_creates_and_changes_sessions_after_confirmation(app, client, db, demo):
    organiser = _organiser(app, client, db)
    explora = fresh(db).scalar(sa.select(Session).where(Session.key == "d1-visit-explora"))
    sequence = explora.sequence
    before = _count(db, demo)
    url = f"/organiser/{demo.slug}/programme/import"
    data = _csv(
        [
            HEADER,
            ["", "2019-06-20", "14:00", "15:30", "workshop", "Atelier Łódź 一", "meeting-room-1",
             "20", "Alain Jouneau:moderator"],
            ["d1-visit-explora", "2019-06-19", "16:30", "18:00", "visit", explora.title_fr,
             "auditorium", "", ""],
        ]
    )  # fmt: skip
    from tests.support.backoffice import csrf_token

    page = organiser.page(url)
    html = client.post(
        url,
        data={"csrf_token": csrf_token(page), "sheet": (io.BytesIO(data), "sessions.csv")},
        query_string={"lang": "en"},
        content_type="multipart/form-data",
    ).get_data(as_text=True)
    assert "1 to create, 1 to change, 0 unchanged" in html
    assert _count(db, demo) == before  # a preview writes nothing
    token = csrf_token(html)
    rows = __import__("re").search(r'name="rows" type="hidden" value="([^"]*)"', html).group(1)
    import html as html_lib

    response = client.post(
        url,
        data={"csrf_token": token, "rows": html_lib.unescape(rows)},
        query_string={"lang": "en"},
    )
    assert response.status_code == 302
    assert "2 rows imported." in flashes(organiser.page(response.headers["Location"]))
    assert _count(db, demo) == before + 1
    created = fresh(db).scalar(sa.select(Session).where(Session.title_fr == "Atelier Łódź 一"))
    assert created.capacity == 20 and created.room.key == "meeting-room-1"
    assert [(link.person.key, link.role) for link in created.people] == [
        ("alain-jouneau", "moderator")
    ]
    moved = fresh(db).scalar(sa.select(Session).where(Session.key == "d1-visit-explora"))
    assert moved.room.key == "auditorium" and moved.sequence == sequence + 1


def test_the_reader_refuses_what_is_not_a_sheet_of_sessions(app):
    import pytest

    with app.test_request_context():
        french_excel = 'date;start;end;title_fr\n2019-06-20;10:00;11:00;"Atelier « A; B »"\n'
        rows = sheet.read_rows("x.csv", french_excel.encode("utf-8-sig"))
        assert rows[0]["title_fr"] == "Atelier « A; B »" and rows[0]["_row"] == 2
        with pytest.raises(sheet.SheetError):
            sheet.read_rows("x.pdf", b"%PDF")
        with pytest.raises(sheet.SheetError):
            sheet.read_rows("x.csv", b"name,colour\na,b\n")
        with pytest.raises(sheet.SheetError):
            sheet.read_rows("x.xlsx", b"not a zip")


def test_the_command_line_dry_run_prints_the_changes_and_writes_nothing(
    app, runner, db, demo, tmp_path
):
    from school.services.programme import export

    with app.app_context():
        text = export.export_text(db, demo.slug)
    # One session moved by a quarter of an hour, in the file's own words.
    moved = text.replace("start: '14:00'", "start: '14:15'", 1)
    assert moved != text
    path = tmp_path / "programme.yaml"
    path.write_text(moved, encoding="utf-8")
    before = _count(db, demo)
    starts = dict(fresh(db).execute(sa.select(Session.key, Session.starts_at)).all())

    result = runner.invoke(args=["programme", "import", str(path), "--dry-run"])
    assert result.exit_code == 0, result.output
    assert "~ session " in result.output and ": start" in result.output
    assert "nothing written" in result.output
    assert dict(fresh(db).execute(sa.select(Session.key, Session.starts_at)).all()) == starts

    sessions = tmp_path / "sessions.csv"
    sessions.write_bytes(
        _csv([HEADER, ["", "2019-06-20", "14:00", "15:00", "workshop", "Atelier", "", "", ""],
              ["", "2019-06-20", "14:00", "13:00", "workshop", "Faux", "", "", ""]])
    )  # fmt: skip
    result = runner.invoke(
        args=["programme", "import", str(sessions), "--edition", demo.slug, "--dry-run"]
    )
    assert "row 2: create Atelier" in result.output
    assert "row 3, column end: 13:00 is not after start 14:00" in result.output
    assert result.exit_code == 1
    assert _count(db, demo) == before


def test_the_sessions_as_a_sheet_read_back_unchanged(app, client, db, demo):
    """Round trip: what the page gives is what the import reads, with no false change."""
    import pytest

    organiser = _organiser(app, client, db)
    for fmt in ("csv", "xlsx"):
        response = organiser.get(f"/organiser/{demo.slug}/programme/template.{fmt}", current="1")
        rows = sheet.read_rows(f"s.{fmt}", response.data)
        assert len(rows) == _count(db, demo)
        with app.test_request_context():
            edition = fresh(db).get(Edition, demo.id)
            result = sheet.apply_rows(db, edition, rows, actor="test", now=utcnow())
            db.rollback()
        assert result.ok, [r.errors for r in result.rows if r.errors]
        assert [r.action for r in result.rows] == ["unchanged"] * len(rows), fmt
    with pytest.raises(AssertionError):  # the check above can fail: a real change shows
        rows[0]["start"] = "07:00"
        with app.test_request_context():
            edition = fresh(db).get(Edition, demo.id)
            result = sheet.apply_rows(db, edition, rows[:1], actor="test", now=utcnow())
            db.rollback()
        assert result.rows[0].action == "unchanged"


def test_real_date_and_time_cells_of_an_xlsx_are_read(app, db, demo):
    from datetime import date, time

    from openpyxl import Workbook

    book = Workbook()
    book.active.append(["date", "start", "end", "title_fr", "room", "capacity", "meal"])
    book.active.append([date(2019, 6, 21), time(16, 0), time(17, 15), "Atelier Excel",
                        "Meeting room 1", 12.0, "oui"])  # fmt: skip
    out = io.BytesIO()
    book.save(out)
    rows = sheet.read_rows("excel.xlsx", out.getvalue())
    assert rows[0]["date"] == "2019-06-21" and rows[0]["start"] == "16:00"
    with app.test_request_context():
        edition = fresh(db).get(Edition, demo.id)
        result = sheet.apply_rows(db, edition, rows, actor="test", now=utcnow())
        assert result.ok and result.rows[0].action == "create"
        db.commit()
    made = fresh(db).scalar(sa.select(Session).where(Session.title_fr == "Atelier Excel"))
    assert made.capacity == 12 and made.is_meal and made.room.key == "meeting-room-1"
