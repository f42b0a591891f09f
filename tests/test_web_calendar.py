"""Calendar feeds as calendar clients see them: the programme, one session, and
what follows a change (a session moved, cancelled), read by two parsers."""

from __future__ import annotations

import sqlalchemy as sa

from bench.synthetic import programme_text
from school.database import utcnow
from school.models import Edition, Session
from school.services.programme import editions, export, importer, yaml_io
from tests.support.calendars import LISBON, UTC, calendar_of, change_session, local, parse, session


def _programme(client, slug="spring-school-2019", lang="fr", **headers):
    headers = {name.replace("_", "-"): value for name, value in headers.items()}
    return client.get(f"/{slug}/programme.ics", query_string={"lang": lang}, headers=headers)


def test_the_programme_feed_holds_every_session_with_what_clients_need(client, demo, db):
    response = _programme(client, lang="en")
    assert response.status_code == 200
    assert response.content_type == "text/calendar; charset=utf-8"
    calendar = calendar_of(response.data)
    assert str(calendar["X-WR-CALNAME"]).startswith("Spring School 2019")
    assert str(calendar["X-WR-TIMEZONE"]) == "Europe/Paris"
    assert calendar["REFRESH-INTERVAL"].to_ical() == b"PT1H"
    assert [str(tz["TZID"]) for tz in calendar.walk("VTIMEZONE")] == ["Europe/Paris"]

    events = parse(response.data)
    sessions = db.scalars(sa.select(Session)).all()
    assert set(events) == {s.uid for s in sessions}
    for event in events.values():
        assert event["tzid"] == "Europe/Paris"
        for name in ("DTSTAMP", "LAST-MODIFIED", "CREATED", "SEQUENCE"):
            assert name in event["event"], name
        assert "Cité des sciences et de l'industrie" in event["location"]
        assert "75019 Paris" in event["location"]

    round_table = events[session(db, "d2-round-table-2").uid]
    assert round_table["summary"].startswith("Round table 2")
    assert round_table["location"].startswith("Auditorium, Cité des sciences")
    assert round_table["categories"] == ["Round table"]
    assert (
        "- Koulsoum Logerot (Speaker), Uniformation [to be confirmed]"
        in (round_table["description"])
    )
    assert "Guidance, training and employment concern every age" in round_table["description"]
    assert round_table["url"].endswith(
        f"/spring-school-2019/sessions/{session(db, 'd2-round-table-2').id}?lang=en"
    )
    welcome = events[session(db, "d2-welcome").uid]
    assert "(Welcome address)" in welcome["description"]


def test_times_are_right_in_lisbon_and_in_utc(client, demo, db):
    events = parse(_programme(client).data)
    round_table = events[session(db, "d2-round-table-1").uid]
    # 14:30 in Paris (summer time, UTC+2) is 13:30 in Lisbon and 12:30 UTC.
    assert local(round_table["start"], LISBON) == "2019-06-20 13:30"
    assert local(round_table["start"], UTC) == "2019-06-20 12:30"
    assert local(round_table["end"], LISBON) == "2019-06-20 14:30"
    # vobject computes the hour from the feed's own VTIMEZONE, not from a tz database.
    assert local(round_table["vobject_start"], LISBON) == "2019-06-20 13:30"
    coffee = events[session(db, "d1-welcome-coffee").uid]
    assert local(coffee["start"], UTC) == "2019-06-19 06:45"


def test_a_moved_session_keeps_its_uid_and_raises_its_sequence(client, demo, db):
    before = _programme(client)
    uid = session(db, "d2-round-table-1").uid
    assert parse(before.data)[uid]["sequence"] == 0

    change_session(db, demo.slug, "d2-round-table-1", start="15:00", end="16:00", room="foyer")

    after = _programme(client, If_None_Match=before.headers["ETag"])
    assert after.status_code == 200 and after.headers["ETag"] != before.headers["ETag"]
    event = parse(after.data)[uid]
    assert event["sequence"] == 1
    assert local(event["start"], LISBON) == "2019-06-20 14:00"
    assert event["location"].startswith("Foyer de l'auditorium")
    # Unchanged sessions keep their sequence.
    assert parse(after.data)[session(db, "d2-round-table-2").uid]["sequence"] == 0


def test_a_new_venue_raises_every_sequence(client, demo, db):
    """LOCATION names the venue and its address: when they change, from the programme file
    or from the organisers' edition page, every event must be taken again."""
    uid = session(db, "d2-round-table-1").uid
    data = export.export_data(db, demo.slug)
    data["edition"]["venue"] = "Halle de la Villette"
    data["edition"]["address"] = "211 avenue Jean-Jaurès, 75019 Paris, France"
    importer.import_text(db, yaml_io.dump(data), "programme.yaml")
    db.commit()
    event = parse(_programme(client).data)[uid]
    assert event["sequence"] == 1
    assert "Halle de la Villette" in event["location"] and "Jean-Jaurès" in event["location"]

    edition = db.get(Edition, demo.id)
    entry = editions.edition_entry(edition) | {"venue": "Grande Halle"}
    editions.update_edition(db, edition, entry, actor="organiser:test", now=utcnow())
    db.commit()
    events = parse(_programme(client).data)
    assert events[uid]["sequence"] == 2 and "Grande Halle" in events[uid]["location"]
    assert {e["sequence"] for e in events.values()} == {2}
    # Importing the same file again changes nothing: no SEQUENCE raised for nothing.
    importer.import_text(db, yaml_io.dump(export.export_data(db, demo.slug)), "p.yaml")
    db.commit()
    assert parse(_programme(client).data)[uid]["sequence"] == 2


def test_a_cancelled_session_stays_in_the_feed_as_cancelled(client, demo, db):
    uid = session(db, "d3-labcom").uid
    change_session(db, demo.slug, "d3-labcom", status="cancelled")
    event = parse(_programme(client, lang="en").data)[uid]
    assert event["status"] == "CANCELLED"
    assert event["summary"].startswith("Cancelled: Labcom session")
    assert event["sequence"] == 1


def test_a_repeated_request_is_answered_304_without_a_query(client, demo, count_queries):
    first = _programme(client)
    etag, last_modified = first.headers["ETag"], first.headers["Last-Modified"]
    assert first.headers["Cache-Control"] == "public, no-cache"
    with count_queries() as statements:
        again = _programme(client, If_None_Match=etag)
    assert again.status_code == 304 and again.data == b""
    assert again.headers["ETag"] == etag
    assert statements == []  # the process keeps the edition while it does not change
    assert _programme(client, If_Modified_Since=last_modified).status_code == 304
    # Another language is another body, with its own ETag.
    english = _programme(client, lang="en", If_None_Match=etag)
    assert english.status_code == 200 and english.headers["ETag"] != etag


def test_the_same_data_gives_the_same_bytes(client, demo):
    assert _programme(client).data == _programme(client).data


def test_add_to_calendar_on_a_session_page(client, demo, db):
    explora = session(db, "d1-visit-explora")
    html = client.get(f"/{demo.slug}/sessions/{explora.id}?lang=en").get_data(as_text=True)
    link = f"/{demo.slug}/sessions/{explora.id}.ics?lang=en"
    assert f'href="{link}"' in html and "Add to calendar" in html
    response = client.get(link)
    assert response.status_code == 200
    assert "attachment" in response.headers["Content-Disposition"]
    events = parse(response.data)
    assert list(events) == [explora.uid]
    assert local(events[explora.uid]["start"], UTC) == "2019-06-19 15:00"
    assert client.get(link, headers={"If-None-Match": response.headers["ETag"]}).status_code == 304
    assert client.get(f"/{demo.slug}/sessions/999999.ics").status_code == 404


def test_the_programme_page_offers_the_feeds(client, demo):
    html = client.get(f"/{demo.slug}/programme?lang=en").get_data(as_text=True)
    assert 'href="webcal://localhost/spring-school-2019/programme.ics?lang=en"' in html
    assert (
        "/spring-school-2019/schedule.xml" in html and "/spring-school-2019/schedule.json" in html
    )


def test_unknown_edition_feeds_are_404(client, demo):
    for url in ("/nope/programme.ics", "/nope/schedule.json", "/nope/schedule.xml"):
        assert client.get(url).status_code == 404, url


def test_public_feeds_run_a_fixed_number_of_queries(client, app, db, count_queries):
    importer.import_text(db, programme_text(20, 10, slug="small"), "small.yaml")
    importer.import_text(db, programme_text(200, 100, slug="large"), "large.yaml")
    db.commit()
    counts = {}
    for slug in ("small", "large"):
        first = db.scalar(
            sa.select(Session.id).join(Edition).where(Edition.slug == slug).order_by(Session.id)
        )
        for url in (
            f"/{slug}/programme.ics",
            f"/{slug}/schedule.json",
            f"/{slug}/schedule.xml",
            f"/{slug}/sessions/{first}.ics",
        ):
            with count_queries() as statements:
                assert client.get(url).status_code == 200, url
            counts[(slug, url.replace(slug, "*").replace(str(first), "N"))] = len(statements)
    for (_slug, url), count in counts.items():
        assert count == counts[("small", url)], counts
        assert count <= 6, counts


def test_the_feed_cache_is_bounded_and_keeps_the_most_recent():
    from school.web.render_cache import RenderCache

    cache = RenderCache(max_bytes=10)
    cache.put("a", b"1234")
    cache.put("b", b"5678")
    assert cache.get("a") == b"1234"  # now the most recent
    cache.put("c", b"90ab")
    assert cache.get("b") is None and cache.get("a") == b"1234" and cache.get("c") == b"90ab"
    cache.put("big", b"x" * 11)
    assert cache.get("big") is None and cache.size <= 10
