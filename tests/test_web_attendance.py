"""The organisers' attendance page: live numbers per checkpoint, the chart of arrivals and
its table, no-shows per session, the JSON of the same numbers, and who may see what."""

from __future__ import annotations

import re

import pytest

from tests.support.attendance_scenario import (
    D1,
    D2,
    log_in,
    spring_school_scans,
    staff_accounts,
)
from tests.support.factories import make_choice, make_registration

SLUG = "spring-school-2019"


@pytest.fixture
def school(app, demo, db):
    with app.app_context():
        found = spring_school_scans(db, demo)
    staff_accounts(app, db)
    return found


def page(client, path):
    response = client.get(path)
    assert response.status_code == 200, (path, response.status_code)
    return response.get_data(as_text=True)


def rows(html: str) -> list[list[str]]:
    """The texts of the cells of each table row."""
    return [
        [" ".join(re.sub(r"<[^>]+>", " ", c).split()) for c in re.findall(
            r"<t[dh][^>]*>(.*?)</t[dh]>", row, re.S
        )]
        for row in re.findall(r"<tr[^>]*>(.*?)</tr>", html, re.S)
    ]  # fmt: skip


def cells(html: str, row_text: str) -> list[str]:
    """The texts of the cells of the first table row that contains ``row_text``."""
    found = next((row for row in rows(html) if row_text in " ".join(row)), None)
    assert found is not None, f"no row with {row_text!r}"
    return found


def test_the_live_page_shows_arrivals_and_no_shows_of_the_day(client, school):
    log_in(client, "admin")
    html = page(client, f"/organiser/{SLUG}/attendance?day=2019-06-19&lang=en")
    entrance = re.search(r'<dl class="counts">(.*?)</dl>', html, re.S).group(1)
    numbers = re.findall(r"<dd>(\d+)</dd>", entrance)
    assert numbers == ["4", "4", "0"]  # expected, arrived, not arrived yet
    # The session (time, title, room, who is admitted), expected, present, no-shows.
    assembly = cells(html, "General Assembly")
    assert assembly[0].startswith("18:00 – 19:30 General Assembly")  # Paris time
    assert "Meeting room 1 · Members attending that day" in assembly[0]
    assert assembly[1:] == ["2", "1", "1"]
    assert cells(html, "Tour of the permanent exhibitions")[1:] == ["1", "1", "0"]
    assert cells(html, "Welcome coffee")[3] == "—"  # nobody scanned there: no no-show count
    assert "style=" not in html and "<script>" not in html
    assert '<script src="/static/js/attendance.js" defer></script>' in html


def test_the_chart_has_a_title_and_its_numbers_are_in_a_table(client, school):
    log_in(client, "admin")
    html = page(client, f"/organiser/{SLUG}/attendance?day=2019-06-19&lang=en")
    svg = re.search(r"<svg.*?</svg>", html, re.S).group(0)
    assert re.search(r'role="img" aria-labelledby="arrivals-chart-title arrivals-chart-desc"', svg)
    assert (
        '<title id="arrivals-chart-title">Arrivals per 10 minutes: Entrance,'
        " Wednesday 19 June 2019</title>" in svg
    )
    assert "4 arrivals from 09:00 to 09:50" in svg
    bars = re.findall(r'<rect class="chart-bar"[^>]*><title>([^<]*)</title>', svg)
    assert bars == [
        "09:00–09:10: 1 arrival",
        "09:10–09:20: 2 arrivals",
        "09:20–09:30: 0 arrivals",
        "09:30–09:40: 0 arrivals",
        "09:40–09:50: 1 arrival",
    ]
    numbers = re.search(r'<details id="arrivals-numbers">(.*?)</details>', html, re.S).group(1)
    assert rows(numbers)[1:] == [
        ["09:00 – 09:10", "1", "1"],
        ["09:10 – 09:20", "2", "3"],
        ["09:20 – 09:30", "0", "3"],
        ["09:30 – 09:40", "0", "3"],
        ["09:40 – 09:50", "1", "4"],
    ]


def test_a_session_chart_and_another_day(client, school):
    log_in(client, "admin")
    assembly = school["assembly"].id
    html = page(
        client,
        f"/organiser/{SLUG}/attendance?day=2019-06-19&checkpoint=session:{assembly}&lang=fr",
    )
    assert "Arrivées au fil du temps : Assemblée générale du Réseau" in html
    assert "Arrivées par tranche de 10 minutes : Assemblée générale du Réseau" in html
    assert "18:00–18:10 : 1 arrivée" in html
    day2 = page(client, f"/organiser/{SLUG}/attendance?day=2019-06-20&lang=en")
    numbers = re.findall(r"<dd>(\d+)</dd>", re.search(r"<dl.*?</dl>", day2, re.S).group(0))
    assert numbers == ["2", "0", "2"]
    assert cells(day2, "European, national and territorial challenges")[1:] == ["2", "1", "1"]


def test_the_page_opens_on_today_during_the_edition_else_the_last_day_anyone_came(client, school):
    log_in(client, "admin")
    html = page(client, f"/organiser/{SLUG}/attendance?lang=en")
    assert re.search(r'href="[^"]*day=2019-06-20"\s+aria-current="page"', html)


def test_the_json_has_the_same_numbers(client, school):
    log_in(client, "door")
    data = client.get(f"/organiser/{SLUG}/attendance.json").get_json()
    assert data["timezone"] == "Europe/Paris" and data["bucket_minutes"] == 10
    by_id = {c["id"]: c for c in data["checkpoints"]}
    entrance = by_id["entrance:2019-06-19"]
    assert (entrance["expected"], entrance["present"], entrance["no_shows"]) == (4, 4, 0)
    assert entrance["arrivals"][0] == {"at": "2019-06-19T09:00:00+02:00", "count": 1, "total": 1}
    assembly = by_id[f"session:{school['assembly'].id}"]
    assert assembly["admission"] == "members" and assembly["title"]["en"].startswith("General")
    assert (assembly["expected"], assembly["present"], assembly["no_shows"]) == (2, 1, 1)
    assert "Jelenčić" not in str(data)  # numbers only


def test_check_in_staff_see_the_numbers_but_no_names(client, school):
    log_in(client, "door")
    html = page(client, f"/organiser/{SLUG}/attendance?day=2019-06-19&lang=en")
    assert "Jelenčić" not in html and "certificates.pdf" not in html and "Sheet (PDF)" not in html
    assembly = school["assembly"].id
    for path in (
        f"/organiser/{SLUG}/attendance/sessions/{assembly}",
        f"/organiser/{SLUG}/attendance/sessions/{assembly}.pdf",
        f"/organiser/{SLUG}/attendance/days/2019-06-19",
        f"/organiser/{SLUG}/attendance/days/2019-06-19.pdf",
        f"/organiser/{SLUG}/certificates.pdf",
        f"/organiser/{SLUG}/certificates/{school['majda'].id}.pdf",
    ):
        assert client.get(path).status_code == 403, path


def test_nobody_logged_in_is_sent_to_the_login_page(client, school):
    for path in (f"/organiser/{SLUG}/attendance", f"/organiser/{SLUG}/attendance.json"):
        response = client.get(path)
        assert response.status_code == 302 and "/organiser/login" in response.headers["Location"]


def test_the_list_of_a_session_shows_who_came_and_who_did_not(client, school):
    log_in(client, "admin")
    html = page(client, f"/organiser/{SLUG}/attendance/sessions/{school['assembly'].id}?lang=en")
    assert cells(html, "Jelenčić, Majda")[1:4] == [
        "Cité des métiers de Genève",
        "Network member",
        "18:05",
    ]
    assert cells(html, "Łukasiewicz, Jan")[3] == "not checked in"
    names = re.findall(r'<th scope="row">([^<]+)</th>', html)
    assert names == ["Jelenčić, Majda", "Łukasiewicz, Jan"]
    assert f"/organiser/{SLUG}/certificates/{school['majda'].id}.pdf" in html
    day = page(client, f"/organiser/{SLUG}/attendance/days/2019-06-20?lang=en")
    assert re.findall(r'<th scope="row">([^<]+)</th>', day) == ["Ñúñez, Ève", "Zubiri, Íñigo"]


def test_unknown_sessions_and_days_are_not_found(client, school):
    log_in(client, "admin")
    for path in (
        f"/organiser/{SLUG}/attendance/sessions/999999",
        f"/organiser/{SLUG}/attendance/days/2019-07-01.pdf",
        f"/organiser/{SLUG}/attendance/days/yesterday",
        "/organiser/no-such-edition/attendance",
        f"/organiser/{SLUG}/certificates/999999.pdf",
    ):
        assert client.get(path).status_code == 404, path


def test_the_pages_run_the_same_queries_for_5_or_45_people(client, school, db, count_queries):
    log_in(client, "admin")
    paths = (
        f"/organiser/{SLUG}/attendance?day=2019-06-19",
        f"/organiser/{SLUG}/attendance.json",
        f"/organiser/{SLUG}/attendance/sessions/{school['tour'].id}",
    )

    def counted():
        found = []
        for path in paths:
            with count_queries() as statements:
                page(client, path)
            found.append(len(statements))
        return found

    counted()  # what the process keeps (the edition, the login) read once
    few = counted()
    for _ in range(40):
        person = make_registration(db, school["edition"], days=[D1, D2])
        make_choice(db, person, school["tour"], "confirmed")
    db.commit()
    counted()  # SQLite cannot tell which tables the commit changed: all read again once
    assert counted() == few
    # The user and the edition, then the page's own: sessions, people, days, choices, check-ins.
    assert few[0] <= 9 and few[1] <= 9 and few[2] <= 9
