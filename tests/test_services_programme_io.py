"""The demo edition is the printed 2019 programme; import and export are lossless."""

from __future__ import annotations

from datetime import datetime

import pytest
import sqlalchemy as sa

from school.models import Edition, Person, Session, SessionPerson
from school.paths import DEMO_FILE
from school.services.programme import export, importer
from school.services.programme.parsing import ProgrammeFileError
from tests.support import seed_2019


def _local(edition, moment: datetime) -> tuple[str, str]:
    local = moment.astimezone(edition.tz)
    return local.date().isoformat(), local.strftime("%H:%M")


def test_demo_has_every_item_of_the_printed_programme(demo, db):
    sessions = db.scalars(sa.select(Session).where(Session.edition_id == demo.id)).all()
    edition = db.get(Edition, demo.id)
    assert len(sessions) == len(seed_2019.SEED_ITEMS)
    unmatched = list(sessions)
    for day, start, end, kind, word in seed_2019.SEED_ITEMS:
        found = [
            s
            for s in unmatched
            if _local(edition, s.starts_at) == (day, start)
            and _local(edition, s.ends_at)[1] == end
            and s.kind == kind
            and word in s.title_fr.lower()
        ]
        assert len(found) == 1, f"{day} {start}-{end} {kind} {word!r}: {found}"
        unmatched.remove(found[0])
        assert found[0].title_en and found[0].title_en != found[0].title_fr
    assert unmatched == []


def test_demo_days_themes_and_place(demo, db):
    edition = db.get(Edition, demo.id)
    assert [d.date.isoformat() for d in edition.days] == ["2019-06-19", "2019-06-20", "2019-06-21"]
    themes = [d.theme_fr.lower() for d in edition.days]
    assert "mode d'emploi" in themes[0]
    assert "colloque" in themes[1]
    assert "osons l'expérimentation" in themes[2]
    assert all(d.theme_en for d in edition.days)
    assert edition.timezone == "Europe/Paris"
    assert "Cité des sciences et de l'industrie" in edition.venue
    assert edition.city == "Paris"


def test_demo_parallel_restricted_and_registration_only_sessions(demo, db):
    edition = db.get(Edition, demo.id)
    sessions = db.scalars(sa.select(Session).where(Session.edition_id == demo.id)).all()
    at_five = [s for s in sessions if _local(edition, s.starts_at) == ("2019-06-19", "17:00")]
    assert len(at_five) == 3
    assert {s.kind for s in at_five} == {"social", "visit"}
    assembly = next(s for s in sessions if "assemblée générale" in s.title_fr.lower())
    assert assembly.audience == "members"
    invited = {s.title_fr.lower() for s in sessions if s.audience == "invited"}
    assert any("effervescence" in t for t in invited) and any("cdm france" in t for t in invited)
    explora = next(s for s in sessions if "explora" in s.title_fr.lower())
    assert explora.requires_registration and explora.capacity
    visits = [s for s in sessions if s.kind in ("visit", "workshop") and s.capacity]
    assert visits and all(15 <= s.capacity <= 25 for s in visits)
    meals = [s.title_fr.lower() for s in sessions if s.is_meal]
    assert sum("buffet" in t for t in meals) == 2 and any("cocktail" in t for t in meals)


def test_demo_speakers_roles_and_tentative_marks(demo, db):
    people = db.scalars(sa.select(Person).where(Person.edition_id == demo.id)).all()
    names = {(p.first_name, p.last_name) for p in people}
    assert set(seed_2019.SPEAKERS) <= names
    assert ("Majda", "Jelenčić") in names
    for person in people:
        assert person.function_fr or person.organisation, person.full_name
    links = db.scalars(sa.select(SessionPerson).join(Person)).all()
    tentative = {
        (link.person.first_name, link.person.last_name) for link in links if link.is_tentative
    }
    assert tentative == seed_2019.TENTATIVE
    round_tables = db.scalars(
        sa.select(Session).where(Session.kind == "round_table").order_by(Session.starts_at)
    ).all()
    assert len(round_tables) == 3
    for number, table in enumerate(round_tables, start=1):
        assert [link.person.last_name for link in table.people] == seed_2019.ROUND_TABLES[number]
    welcome = [link for link in links if link.role == "welcome"]
    assert {link.person.last_name for link in welcome} >= {"Maquart", "Castello-Branco"}


def _snapshot(db, slug: str):
    db.expire_all()
    sessions = db.execute(
        sa.select(Session.id, Session.key, Session.uid, Session.sequence, Session.updated_at)
        .join(Edition)
        .where(Edition.slug == slug)
        .order_by(Session.id)
    ).all()
    edition = db.scalar(sa.select(Edition).where(Edition.slug == slug))
    return sessions, edition.changed_at, export.export_text(db, slug)


def test_import_export_import_is_lossless_and_idempotent(demo, db):
    before = _snapshot(db, demo.slug)
    exported = before[2]
    importer.import_text(db, exported, "exported.yaml")
    db.commit()
    assert _snapshot(db, demo.slug) == before
    importer.import_file(db, DEMO_FILE)
    db.commit()
    assert _snapshot(db, demo.slug) == before
    # The exported file holds everything: importing it as a new edition gives the same export.
    as_new = exported.replace("slug: spring-school-2019", "slug: copy-2019", 1)
    importer.import_text(db, as_new, "copy.yaml")
    db.commit()
    assert export.export_text(db, "copy-2019") == as_new


def test_changes_keep_ids_and_raise_the_calendar_sequence(demo, db):
    text = export.export_text(db, demo.slug)
    explora = db.scalar(sa.select(Session).where(Session.key == "d1-visit-explora"))
    before = (explora.id, explora.uid, explora.sequence)
    moved = text.replace(
        "- id: d1-visit-explora\n  date: 2019-06-19\n  start: '17:00'",
        "- id: d1-visit-explora\n  date: 2019-06-19\n  start: '17:15'",
    )
    assert moved != text
    importer.import_text(db, moved, "moved.yaml")
    db.commit()
    db.expire_all()
    explora = db.get(Session, before[0])
    assert (explora.id, explora.uid) == before[:2]
    assert explora.sequence == before[2] + 1
    assert explora.starts_at.astimezone(demo.tz).strftime("%H:%M") == "17:15"


MINIMAL = """
edition:
  slug: tiny
  title: {fr: Petite école, en: Tiny school}
  city: Bruxelles
  venue: Cité des métiers de Bruxelles
  address: Avenue de l'Astronomie 14, 1210 Bruxelles
  timezone: Europe/Brussels
  starts_on: 2024-12-04
  ends_on: 2024-12-06
rooms:
  - id: hall
    name: {fr: Hall}
people:
  - id: ada
    first_name: Ada
    last_name: Lovelace
sessions:
  - id: opening
    date: 2024-12-04
    start: "09:00"
    end: "10:00"
    kind: plenary
    title: {fr: Ouverture, en: Opening}
    room: hall
    speakers:
      - {person: ada, role: speaker}
  - id: coffee
    date: 2024-12-04
    start: "10:00"
    end: "10:30"
    kind: break
    title: {fr: Pause}
"""


@pytest.mark.parametrize(
    ("old", "new", "item", "field", "message"),
    [
        (
            "kind: plenary",
            "kind: lecture",
            "sessions[1] (opening)",
            "kind",
            "unknown value 'lecture'",
        ),
        (
            'end: "10:00"\n    kind: plenary',
            'end: "08:00"\n    kind: plenary',
            "sessions[1] (opening)",
            "end",
            "not after start",
        ),
        ('start: "09:00"', 'start: "9h"', "sessions[1] (opening)", "start", "not a time"),
        ("room: hall", "room: attic", "sessions[1] (opening)", "room", "unknown room 'attic'"),
        ("- id: coffee", "- id: opening", "sessions[2] (opening)", "id", "duplicate id"),
        ("title: {fr: Pause}", "title: {en: Break}", "sessions[2] (coffee)", "title.fr", "missing"),
        (
            'date: 2024-12-04\n    start: "10:00"',
            'date: 2025-01-01\n    start: "10:00"',
            "sessions[2] (coffee)",
            "date",
            "outside the edition",
        ),
        (
            "{person: ada, role: speaker}",
            "{person: bob, role: speaker}",
            "sessions[1] (opening).speakers[1]",
            "person",
            "unknown person 'bob'",
        ),
        (
            "timezone: Europe/Brussels",
            "timezone: Mars/Olympus",
            "edition",
            "timezone",
            "unknown timezone",
        ),
    ],
)
def test_a_wrong_file_is_refused_whole_with_its_reason(demo, db, old, new, item, field, message):
    assert old in MINIMAL
    importer.import_text(db, MINIMAL, "tiny.yaml")
    db.commit()
    before = export.export_text(db, "tiny"), export.export_text(db, demo.slug)
    # The broken file also renames the edition's title: nothing of it may land.
    broken = MINIMAL.replace(old, new, 1).replace("Petite école", "Changée")
    with pytest.raises(ProgrammeFileError) as caught:
        importer.import_text(db, broken, "tiny.yaml")
    db.rollback()
    problems = [(p.item, p.field) for p in caught.value.problems]
    assert (item, field) in problems, str(caught.value)
    assert message in str(caught.value)
    assert str(caught.value).startswith("tiny.yaml:")
    assert (export.export_text(db, "tiny"), export.export_text(db, demo.slug)) == before


def test_not_yaml_and_not_a_programme_are_refused(app, db):
    with pytest.raises(ProgrammeFileError, match="not valid YAML"):
        importer.import_text(db, "edition: [unclosed", "bad.yaml")
    with pytest.raises(ProgrammeFileError, match="must start with an 'edition'"):
        importer.import_text(db, "- just a list", "list.yaml")
    assert db.scalar(sa.select(sa.func.count()).select_from(Edition)) == 0


def test_removing_a_session_that_has_registrations_is_refused(app, db):
    from school.models import Choice, Registration

    edition = importer.import_text(db, MINIMAL, "tiny.yaml")
    db.commit()
    opening = db.scalar(sa.select(Session).where(Session.key == "opening"))
    registration = Registration(
        edition_id=edition.id,
        first_name="Zainoudine",
        last_name="Younoussa",
        email="z@example.org",
        email_key="z@example.org",
        country="FR",
        category="member",
        privacy_consent_at=edition.created_at,
    )
    db.add(registration)
    db.flush()
    db.add(Choice(registration_id=registration.id, session_id=opening.id, status="confirmed"))
    db.commit()
    without = (
        MINIMAL.split("  - id: opening")[0] + "  - id: coffee" + MINIMAL.split("  - id: coffee")[1]
    )
    with pytest.raises(ProgrammeFileError, match="status: cancelled instead"):
        importer.import_text(db, without, "tiny.yaml")
    db.rollback()
    assert db.scalar(sa.select(Session).where(Session.key == "opening")) is not None
