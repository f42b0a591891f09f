"""A group of parallel sessions holds sessions at the same time: a group of sessions on
other days or hours is refused naming them, and so is moving one session of a group
away from the others, whether by the session form, a sheet or a programme file; a
sheet or a file may move the whole group."""

from __future__ import annotations

import pytest
import sqlalchemy as sa

from school.database import utcnow
from school.models import Edition, Session, SessionGroup
from school.services.errors import DomainError
from school.services.programme import editing, export, importer, sheet
from school.services.programme.parsing import ProgrammeFileError
from school.services.registration import group_editing
from tests.support.backoffice import Organiser, flashes, fresh, make_admin


def ids(db, *keys: str) -> list[int]:
    return [db.scalar(sa.select(Session.id).where(Session.key == key)) for key in keys]


def group_of(app, db, demo, keys: list[str]) -> SessionGroup:
    with app.test_request_context("/?lang=en"):
        group = group_editing.create(
            db, db.get(Edition, demo.id), key="visits", title_fr="Visites", title_en="Visits",
            session_ids=ids(db, *keys), mode="first_come", cutoff=None, now=utcnow(),
        )  # fmt: skip
    db.commit()
    return group


def test_a_group_of_sessions_not_at_the_same_time_is_refused_naming_them(app, client, db, demo):
    make_admin(app, db)
    organiser = Organiser(client, lang="fr").login()
    tour, explora, cafe = ids(db, "d1-visit-spaces", "d1-visit-explora", "d3-work-cafe")
    response = organiser.submit(
        f"/organiser/{demo.slug}/groups",
        {"key": "visits", "title_fr": "Visites", "title_en": "Visits", "mode": "first_come",
         "sessions": [tour, explora, cafe]},
    )  # fmt: skip
    assert response.status_code == 200
    page = response.get_data(as_text=True)
    said = " ".join(flashes(page)) or page
    assert "Pas en même temps que mercredi 19 juin 2019, 17:00–18:30" in said
    assert "« Work café" in said and "(vendredi 21 juin 2019, 10:00–12:00)" in said
    assert "Explora" not in said.split("Pas en même temps")[1]  # only the one astray is named
    assert fresh(db).scalar(sa.select(sa.func.count()).select_from(SessionGroup)) == 0

    # Sessions that overlap for a while are parallel: 17:00–18:30 and 18:00–19:30.
    assembly, cocktail = ids(db, "d1-general-assembly", "d2-cocktail")
    with app.test_request_context("/?lang=en"):
        edition = db.get(Edition, demo.id)
        values = dict(key="v", title_fr="V", title_en=None, mode="first_come", cutoff=None)
        group = group_editing.create(
            db, edition, session_ids=[tour, assembly], now=utcnow(), **values
        )
        with pytest.raises(group_editing.InvalidGroup) as refused:
            group_editing.update(
                db, group, session_ids=[tour, assembly, cocktail], now=utcnow(), **values
            )
        assert (
            "Not at the same time as Wednesday 19 June 2019, 18:00–18:30"
            in (refused.value.errors["sessions"][0])
        )


def test_moving_a_session_away_from_its_group_is_refused_within_it_allowed(app, db, demo):
    group_of(app, db, demo, ["d1-visit-spaces", "d1-visit-explora"])
    edition = db.get(Edition, demo.id)
    explora = db.scalar(sa.select(Session).where(Session.key == "d1-visit-explora"))
    moved = editing.session_entry(edition, explora) | {"date": "2019-06-20"}
    with app.test_request_context("/?lang=fr"), pytest.raises(DomainError) as refused:
        editing.save_session(db, edition, moved, session=explora, actor="t", now=utcnow())
    assert refused.value.code == "not_parallel" and refused.value.field == "start"
    assert "« Visites », qui a lieu mercredi 19 juin 2019, 17:00–18:30" in refused.value.message
    db.rollback()
    explora = db.scalar(sa.select(Session).where(Session.key == "d1-visit-explora"))
    later = editing.session_entry(edition, explora) | {"start": "17:30", "end": "19:00"}
    with app.test_request_context("/?lang=en"):
        editing.save_session(db, edition, later, session=explora, actor="t", now=utcnow())
    db.commit()
    assert explora.starts_at.astimezone(demo.tz).strftime("%H:%M") == "17:30"


def _rows(edition, db, changes: dict[str, dict]) -> list[dict]:
    rows = []
    for n, (key, change) in enumerate(changes.items(), start=2):
        session = db.scalar(sa.select(Session).where(Session.key == key))
        entry = editing.session_entry(edition, session)
        rows.append({"_row": n, "id": key, "date": entry["date"], "start": entry["start"],
                     "end": entry["end"], "title_fr": entry["title"]["fr"], **change})  # fmt: skip
    return rows


def test_a_sheet_may_move_the_whole_group_not_one_of_it(app, db, demo):
    group_of(app, db, demo, ["d1-visit-spaces", "d1-visit-explora"])
    edition = db.get(Edition, demo.id)
    thursday = {"date": "2019-06-20", "start": "17:30", "end": "18:30"}
    with app.test_request_context("/?lang=en"):
        one = sheet.apply_rows(
            db, edition, _rows(edition, db, {"d1-visit-explora": thursday}), actor="t",
            now=utcnow(),
        )  # fmt: skip
        db.rollback()
        assert not one.ok
        assert "Not at the same time as" in one.rows[0].errors["start"][0]
        both = sheet.apply_rows(
            db, edition,
            _rows(edition, db, {"d1-visit-explora": thursday, "d1-visit-spaces": thursday}),
            actor="t", now=utcnow(),
        )  # fmt: skip
        assert both.ok, [r.errors for r in both.rows]
        db.commit()
    days = {s.starts_at.astimezone(demo.tz).date().isoformat() for s in fresh(db).scalars(
        sa.select(Session).where(Session.group_id.is_not(None)))}  # fmt: skip
    assert days == {"2019-06-20"}


def test_a_programme_file_moving_one_session_of_a_group_is_refused(app, db, demo):
    group_of(app, db, demo, ["d1-visit-spaces", "d1-visit-explora"])
    text = export.export_text(db, demo.slug)
    moved = text.replace(
        "- id: d1-visit-explora\n  date: 2019-06-19\n  start: '17:00'\n  end: '18:30'",
        "- id: d1-visit-explora\n  date: 2019-06-19\n  start: '18:30'\n  end: '19:00'",
    )
    assert moved != text
    with app.test_request_context("/?lang=en"), pytest.raises(ProgrammeFileError) as refused:
        importer.import_text(db, moved, "moved.yaml")
    assert "sessions (d1-visit-explora)" in str(refused.value)
    assert "Not at the same time as Wednesday 19 June 2019, 17:00–18:30" in str(refused.value)
