"""Attendance sheets and certificates as the organisers download or print them, read back
with pdftotext: names exactly as written, titles, local times, the signature column."""

from __future__ import annotations

import pytest

from school.services.badges import tokens
from school.services.checkin import attendance
from tests.support.attendance_scenario import D1, log_in, spring_school_scans, staff_accounts
from tests.support.demo_aftercare import demo_after_the_school
from tests.support.factories import make_registration
from tests.support.pdf_tools import pdf_pages, pdf_text

SLUG = "spring-school-2019"


@pytest.fixture
def school(app, demo, db):
    with app.app_context():
        found = spring_school_scans(db, demo)
    staff_accounts(app, db)
    return found


def plain(text: str) -> list[str]:
    """The lines of a text, each space (also the narrow one in "9:30 AM") a plain space."""
    return [" ".join(line.split()) for line in text.splitlines()]


def download(client, path) -> bytes:
    response = client.get(path)
    assert response.status_code == 200, (path, response.status_code)
    assert response.mimetype == "application/pdf"
    assert response.headers["Cache-Control"] == "private, no-store"
    return response.data


def column(page, heading: str):
    """Words under the heading word ``heading`` of a table, down to the page's footer."""
    top = next(w for w in page.words if w.text == heading)
    return [
        w
        for w in page.words
        if w.x1 > top.x0 + 0.5 and w.x0 < top.x1 + 20 and top.y1 < w.y0 < page.height - 18
    ]


def test_the_sheet_of_a_session_names_everyone_with_room_to_sign(client, school):
    log_in(client, "admin")
    pdf = download(client, f"/organiser/{SLUG}/attendance/sessions/{school['assembly'].id}.pdf")
    [page] = pdf_pages(pdf)
    assert (round(page.width), round(page.height)) == (210, 297)  # A4 portrait
    lines = pdf_text(pdf).splitlines()
    for expected in (
        "Spring School 2019 — Réseau international des Cités des métiers",
        "Feuille d'émargement",
        "Assemblée générale du Réseau",
        "mercredi 19 juin 2019, 18:00–19:30 · Salle de réunion 1",
        "Attendus : 2 · Pointés : 1 · Non pointés : 1",
        "Jelenčić",
        "Majda",
        "Łukasiewicz",
        "Jan",
        "18:05",  # Majda's check-in, Paris time (16:05 UTC)
        "Signature",
        "Page 1 sur 1",
    ):
        assert expected in lines, expected
    words = {w.text: w for w in page.words}
    # Each line is tall enough to sign in, and the signature column is left empty.
    assert words["Łukasiewicz"].y0 - words["Jelenčić"].y0 >= 12
    assert column(page, "Signature") == []
    assert lines.index("Jelenčić") < lines.index("Łukasiewicz")


def _assembly_sheet(client, school, db, people: list[dict]) -> bytes:
    """The general assembly's sheet (English) once ``people`` registered for its day."""
    for details in people:
        make_registration(db, school["edition"], days=[D1], **details)
    db.commit()
    log_in(client, "admin")
    return download(
        client, f"/organiser/{SLUG}/attendance/sessions/{school['assembly'].id}.pdf?lang=en"
    )


def test_a_sheet_of_60_people_repeats_its_heading_row_and_numbers_its_pages(
    client, school, db, app
):
    names = ["Jelenčić", "Łukasiewicz", "Ñúñez", "Østergård", "Ἀθηνᾶ", "Дмитриева"]
    first = ["Majda", "Jan", "Íñigo", "Søren", "Eleni", "Ольга", "Zoë", "Chloé", "Ana", "Ugo"]
    people = [(first[n % 10], f"{names[n % 6]}-{n:02d}") for n in range(60)]
    # The general assembly expects the members attending that day: 60 more.
    pdf = _assembly_sheet(
        client, school, db, [{"first_name": f, "last_name": last} for f, last in people]
    )
    pages = pdf_pages(pdf)
    assert len(pages) >= 3
    for number, page in enumerate(pages, start=1):
        texts = page.lines()
        # The heading row on top of every page, and the page's number at its foot.
        assert {"Last", "name", "First", "Organisation", "Category", "Signature"} <= set(texts)
        assert f"Page {number} of {len(pages)}" in " ".join(texts)
        if number > 1:  # the running head: what, and when
            table_top = next(w.y0 for w in page.words if w.text == "Last")
            head = " ".join(w.text for w in page.words if w.y1 < table_top)
            assert "Spring School 2019" in head
            assert "Wednesday 19 June 2019, 18:00–19:30" in head
    # Every name once, exactly as written, in the order of the sheet (by last name).
    words = [w.text for page in pages for w in page.words]
    printed = [w for w in words if any(w.startswith(n + "-") for n in names)]
    with app.app_context():
        checkpoint = attendance.checkpoint_of(db, school["edition"], "d1-general-assembly")
        sheet = attendance.sheet(db, school["edition"], checkpoint)
    in_order = [line.registration.last_name for line in sheet.lines]
    assert printed == [name for name in in_order if name in set(printed)]
    assert sorted(printed) == sorted(last for _, last in people)
    assert {first for first, _ in people} <= set(words)
    assert "Expected: 62 · Checked in: 1 · Not checked in: 61" in pdf_text(pdf).splitlines()


LONG_NAMES = [  # (first name, last name): Latin with diacritics, Cyrillic, Chinese, Arabic
    ("Jean-Christophe", "Łukasiewicz-Żółkiewska"),
    ("María de los Ángeles", "Fernández de Córdoba y Pérez de Barradas"),
    ("Александра-Екатерина", "Константинопольская-Преображенская"),
    ("欧阳", "司马相如诸葛孔明长孙无忌上官婉儿"),
    ("محمد عبد الرحمن", "الشريف بن عبد العزيز"),
    ("Maximilian", "Wolfeschlegelsteinhausenbergerdorff"),  # one word wider than its column
]


def test_long_names_wrap_between_words_and_the_head_says_the_day(client, school, db):
    pdf = _assembly_sheet(
        client, school, db, [{"first_name": f, "last_name": last} for f, last in LONG_NAMES]
    )
    text = pdf_text(pdf)
    words = [w.text for page in pdf_pages(pdf) for w in page.words]
    # A line ends at a space or after a hyphen, never inside a word that fits the column.
    for first_name, last_name in LONG_NAMES[:3]:
        for name in (first_name, last_name):
            for word in name.split():
                pieces = [p + "-" for p in word.split("-")[:-1]] + [word.split("-")[-1]]
                assert word in words or all(p in words for p in pieces), (word, words)
    # Chinese may break between any two characters; Arabic between its words.
    lines = [line.strip() for line in text.splitlines() if line.strip()]
    chinese = next(n for n, line in enumerate(lines) if line.startswith("司马"))
    assert "".join(lines[chinese : chinese + 3]).startswith(LONG_NAMES[3][1])
    for word in (*LONG_NAMES[4][0].split(), *LONG_NAMES[4][1].split()):
        assert word in text, word
    # Only a word wider than its column, at the smallest size, is cut: all of it printed.
    long = next(n for n, word in enumerate(words) if word.startswith("Wolfe"))
    assert words[long] != LONG_NAMES[5][1]  # cut, then
    assert "".join(words[long : long + 3]).startswith(LONG_NAMES[5][1])
    assert "Wednesday 19 June 2019, 18:00–19:30 · Meeting room 1" in plain(text)


def test_an_arabic_name_is_set_against_the_right_edge_of_its_cell(client, school, db):
    """Arabic is read from the right: its cells align it there, Latin names stay left."""
    arabic = {"first_name": "محمد عبد الرحمن", "last_name": "الشريف"}
    pdf = _assembly_sheet(client, school, db, [{**arabic, "organisation": "مدينة المهن الرباط"}])
    [page] = pdf_pages(pdf)
    heading = {w.text: w for w in page.words if w.y0 < 60}  # the table's heading row
    words = {w.text: w for w in page.words}

    # pdftotext -bbox gives Arabic words in the order they are drawn: letters reversed.
    def drawn(text: str) -> list:
        return [words[word[::-1]] for word in text.split()]

    last = words["الشريف"[::-1]]
    for name, cell_ends_at in (
        ("الشريف", heading["First"].x0),
        ("محمد عبد الرحمن", heading["Organisation"].x0),
        ("مدينة المهن الرباط", heading["Category"].x0),
    ):
        right = max(w.x1 for w in drawn(name))
        assert cell_ends_at - 4 < right < cell_ends_at, (name, right, cell_ends_at)
    assert last.x0 > heading["Last"].x0 + 10  # not at the left edge
    assert abs(words["Jelenčić"].x0 - heading["Last"].x0) < 0.5  # Latin: left, as before


def test_the_entrance_sheet_from_the_command_line(runner, school, tmp_path):
    out = tmp_path / "day1.pdf"
    result = runner.invoke(
        args=["attendance", "sheet", SLUG, "2019-06-19", "--lang", "en", "-o", str(out)]
    )
    assert result.exit_code == 0, result.output
    assert "Attendance sheet (4 people) written to" in result.output
    lines = plain(pdf_text(out.read_bytes()))
    assert "Entrance of the venue" in lines
    # Names, each followed by the time of arrival in Paris (UTC+2).
    for name, time in (("Abdou", "09:19"), ("Jelenčić", "09:02"), ("Ñúñez", "09:14")):
        assert time in lines[lines.index(name) :][:12]
    bad = runner.invoke(args=["attendance", "sheet", SLUG, "no-such-session", "-o", str(out)])
    assert bad.exit_code != 0 and "no session 'no-such-session'" in bad.output


def test_certificates_one_a_page_each_in_its_participants_language(client, school, app, db):
    log_in(client, "admin")
    pdf = download(client, f"/organiser/{SLUG}/certificates.pdf")
    pages = pdf_pages(pdf)
    assert len(pages) == 4  # everyone checked in somewhere, Íñigo's scan was undone
    texts = [pdf_text(pdf, page=n) for n in range(1, 5)]
    assert ["Abdou" in t for t in texts] == [True, False, False, False]
    assert "Ñúñez" in texts[3] and "Łukasiewicz" in texts[2]

    majda = texts[1].splitlines()
    assert majda[majda.index("Attestation de présence") + 1] == "Certificate of attendance"
    for expected in (
        "Majda Jelenčić",
        "Cité des métiers de Genève",
        "Jours de présence : mercredi 19 juin 2019",
        school["explora"].title_fr,
        school["assembly"].title_fr,
        "17:00–18:30",
        "18:00–19:30",
        "2 h 30",  # 17:00–19:30: the two overlapping sessions count once
        "Fait à Paris, le 21 juin 2019.",
    ):
        assert any(expected in line for line in majda), expected
    assert school["coffee"].title_fr not in texts[1]  # a break is not training time
    with app.app_context():
        token = tokens.token_for(school["majda"])
    assert token in texts[1]
    assert school["majda"].email not in texts[1]

    eve = plain(texts[3])
    assert eve[eve.index("Certificate of attendance") + 1] == "Attestation de présence"
    assert "Ève Ñúñez" in eve and "Ciudad de los Oficios" in eve
    assert school["plenary"].title_en in " ".join(eve)  # on two lines of its cell
    assert "09:30–10:30" in eve and "1 h 00" in eve

    # Jan came through the entrance only: no session, no hours, the day all the same.
    assert "La présence a été enregistrée à l'entrée du lieu." in texts[2]
    assert "Jours de présence : mercredi 19 juin 2019" in texts[2]


def test_one_participants_certificate_for_the_organisers(client, school):
    log_in(client, "admin")
    pdf = download(client, f"/organiser/{SLUG}/certificates/{school['eve'].id}.pdf")
    assert len(pdf_pages(pdf)) == 1 and "Ève Ñúñez" in pdf_text(pdf).splitlines()
    never = client.get(f"/organiser/{SLUG}/certificates/{school['inigo'].id}.pdf?lang=en")
    assert never.status_code == 404
    assert "Íñigo Zubiri was never checked in" in never.get_data(as_text=True)


def test_certificates_from_the_command_line(runner, school, tmp_path):
    out = tmp_path / "certificates.pdf"
    result = runner.invoke(args=["attendance", "certificates", SLUG, "-o", str(out)])
    assert result.exit_code == 0, result.output
    assert "4 certificates written to" in result.output
    assert len(pdf_pages(out.read_bytes())) == 4


def test_the_entrance_sheet_of_a_day_for_the_organisers(client, school):
    log_in(client, "admin")
    pdf = download(client, f"/organiser/{SLUG}/attendance/days/2019-06-20.pdf?lang=en")
    lines = plain(pdf_text(pdf))
    assert "Entrance of the venue" in lines
    assert "Thursday 20 June 2019 · Cité des sciences et de l'industrie" in lines
    # Ève and Íñigo attend that day; nobody was checked in at the door then.
    assert lines.index("Ñúñez") < lines.index("Zubiri")
    assert "Expected: 2 · Checked in: 0 · Not checked in: 2" in lines


def test_a_certificate_with_many_sessions_keeps_to_its_page(runner, app, demo, db, tmp_path):
    # After the demo School, some came to a dozen sessions with long titles: each
    # certificate still ends on its own page, the reference under the signature.
    with app.app_context():
        demo_after_the_school(db, demo.id)
    out = tmp_path / "certificates.pdf"
    result = runner.invoke(args=["attendance", "certificates", SLUG, "-o", str(out)])
    assert result.exit_code == 0, result.output
    written = int(result.output.split()[0])
    pages = pdf_pages(out.read_bytes())
    assert len(pages) == written
    assert all({"Signature", "Firma", "Assinatura"} & set(page.lines()) for page in pages)
    assert all({"Référence", "Reference:", "Riferimento:", "Referencia:", "Referência:"}
               & set(page.lines()) for page in pages)  # fmt: skip
