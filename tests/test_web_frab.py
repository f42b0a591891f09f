"""The schedule for conference apps (frab / c3voc format), checked against the
published JSON Schema and XSD (tests/support/interop/, with their attribution)."""

from __future__ import annotations

import json
from collections import Counter
from pathlib import Path
from xml.etree import ElementTree as ET

import jsonschema
import pytest
import sqlalchemy as sa
import xmlschema

from bench.synthetic import programme_text
from school.models import Session
from school.services.programme import importer
from tests.support.calendars import change_session, session

INTEROP = Path(__file__).parent / "support" / "interop"


@pytest.fixture(scope="module")
def json_schema():
    schema = json.loads((INTEROP / "frab-schedule.schema.json").read_text())
    validator = jsonschema.Draft6Validator
    return validator(schema, format_checker=validator.FORMAT_CHECKER)


@pytest.fixture(scope="module")
def xsd():
    return xmlschema.XMLSchema10(INTEROP / "frab-schedule.xml.xsd")


def _events_json(data):
    return [
        event
        for day in data["schedule"]["conference"]["days"]
        for events in day["rooms"].values()
        for event in events
    ]


def test_the_json_schedule_validates_and_holds_every_session(client, demo, db, json_schema):
    response = client.get(f"/{demo.slug}/schedule.json?lang=en")
    assert response.status_code == 200 and response.mimetype == "application/json"
    data = response.get_json()
    errors = sorted(json_schema.iter_errors(data), key=str)
    assert errors == [], [e.message for e in errors]

    conference = data["schedule"]["conference"]
    assert conference["acronym"] == "spring_school_2019"
    assert conference["daysCount"] == 3 and conference["time_zone_name"] == "Europe/Paris"
    assert [day["date"] for day in conference["days"]] == ["2019-06-19", "2019-06-20", "2019-06-21"]
    events = _events_json(data)
    sessions = db.scalars(sa.select(Session)).all()
    assert Counter(e["guid"] for e in events) == Counter(s.uid for s in sessions)

    round_table = next(e for e in events if e["guid"] == session(db, "d2-round-table-1").uid)
    assert round_table["date"] == "2019-06-20T14:30:00+02:00"
    assert round_table["start"] == "14:30" and round_table["duration"] == "01:00"
    assert round_table["room"] == "Auditorium" and round_table["type"] == "discussion"
    assert round_table["track"] == "Round table"
    assert [p["name"] for p in round_table["persons"]] == [
        "Anne-Sophie Casteigt",
        "Marja Pudas",
        "Grégoire Evequoz",
        "Joël Saingré",
    ]
    day = conference["days"][1]
    assert round_table in day["rooms"]["Auditorium"]


def test_the_xml_schedule_validates_and_lists_every_session_once(client, demo, db, xsd):
    response = client.get(f"/{demo.slug}/schedule.xml")
    assert response.status_code == 200 and response.mimetype == "application/xml"
    xsd.validate(response.data)
    root = ET.fromstring(response.data)  # noqa: S314 - our own output
    events = root.findall("./day/room/event")
    sessions = db.scalars(sa.select(Session)).all()
    assert sorted(e.get("guid") for e in events) == sorted(s.uid for s in sessions)
    assert len({e.get("guid") for e in events}) == len(events) == len(sessions)
    closing = next(e for e in events if e.get("guid") == session(db, "d2-closing").uid)
    assert closing.findtext("title") == "Grand(s) témoin(s) et mots de conclusion"
    assert closing.findtext("date") == "2019-06-20T17:30:00+02:00"
    assert closing.findtext("room") == "Auditorium"
    stakes = next(e for e in events if e.get("guid") == session(db, "d2-stakes").uid)
    assert [p.text for p in stakes.findall("./persons/person")] == [
        "Julia Fionda",
        "Sandrine Lamiré",
        "Majda Jelenčić",
    ]


def test_a_cancelled_session_is_marked_and_both_files_stay_valid(
    client, demo, db, json_schema, xsd
):
    change_session(db, demo.slug, "d3-labcom", status="cancelled")
    data = client.get(f"/{demo.slug}/schedule.json?lang=en").get_json()
    assert list(json_schema.iter_errors(data)) == []
    labcom = next(e for e in _events_json(data) if e["guid"] == session(db, "d3-labcom").uid)
    assert labcom["title"].startswith("Cancelled: Labcom")
    xsd.validate(client.get(f"/{demo.slug}/schedule.xml").data)


def test_a_large_synthetic_edition_stays_valid(client, db, json_schema, xsd):
    importer.import_text(db, programme_text(120, 60, slug="synthetic"), "synthetic.yaml")
    db.commit()
    data = client.get("/synthetic/schedule.json").get_json()
    assert list(json_schema.iter_errors(data)) == []
    assert len(_events_json(data)) == 120
    xml = client.get("/synthetic/schedule.xml").data
    xsd.validate(xml)
    assert len(ET.fromstring(xml).findall("./day/room/event")) == 120  # noqa: S314


def test_the_schedule_answers_304_to_a_client_that_has_it(client, demo):
    for url in (f"/{demo.slug}/schedule.json", f"/{demo.slug}/schedule.xml"):
        first = client.get(url)
        again = client.get(url, headers={"If-None-Match": first.headers["ETag"]})
        assert again.status_code == 304, url


def _strings_only(node):
    """The schema with ``null`` taken out of every type that allows a string: apps call
    string methods on those fields (down-frab-videos: ``None.expandtabs``)."""
    if isinstance(node, list):
        return [_strings_only(item) for item in node]
    if not isinstance(node, dict):
        return node
    strict = {key: _strings_only(value) for key, value in node.items()}
    types = node.get("type")
    if isinstance(types, list) and "string" in types and "null" in types:
        strict["type"] = [t for t in types if t != "null"]
    return strict


def test_every_field_typed_as_a_string_is_a_string(client, demo, db):
    schema = _strings_only(json.loads((INTEROP / "frab-schedule.schema.json").read_text()))
    validator = jsonschema.Draft6Validator(schema)
    silent = session(db, "d2-welcome-coffee")
    silent.description_fr = silent.description_en = None  # a session with no text at all
    db.commit()
    for lang in ("fr", "en"):
        data = client.get(f"/{demo.slug}/schedule.json?lang={lang}").get_json()
        errors = sorted(validator.iter_errors(data), key=str)
        assert errors == [], [f"{list(e.absolute_path)}: {e.message}" for e in errors]
        events = _events_json(data)
        for event in events:
            for name in ("title", "subtitle", "language", "abstract", "description"):
                assert isinstance(event[name], str), (event["guid"], name)
        coffee = next(e for e in events if e["guid"] == silent.uid)
        assert coffee["abstract"] == coffee["description"] == ""
