"""The flask sub-commands organisers and scripts rely on."""

from __future__ import annotations

import sqlalchemy as sa

from school.models import Edition, Session


def test_demo_load_is_idempotent(runner, db):
    first = runner.invoke(args=["demo", "load"])
    assert first.exit_code == 0, first.output
    ids = db.scalars(sa.select(Session.id).order_by(Session.id)).all()
    second = runner.invoke(args=["demo", "load"])
    assert second.exit_code == 0
    db.rollback()
    assert db.scalars(sa.select(Session.id).order_by(Session.id)).all() == ids
    assert db.scalar(sa.select(sa.func.count()).select_from(Edition)) == 1


def test_demo_load_says_how_to_open_the_back_office_until_there_is_an_account(runner, db):
    """A newcomer following the README's first line found no way into /organiser/."""
    first = runner.invoke(args=["demo", "load"])
    assert "flask --app school organiser create YOU@EXAMPLE.ORG --role admin" in first.output
    created = runner.invoke(args=["organiser", "create", "chef@example.org", "--role", "admin"])
    assert created.exit_code == 0, created.output
    again = runner.invoke(args=["demo", "load"])
    assert again.exit_code == 0 and "organiser create" not in again.output


def test_export_then_import_a_file(runner, db, tmp_path):
    runner.invoke(args=["demo", "load"])
    out = tmp_path / "programme.yaml"
    result = runner.invoke(args=["programme", "export", "spring-school-2019", "-o", str(out)])
    assert result.exit_code == 0
    assert "Majda" in out.read_text(encoding="utf-8")
    edited = out.read_text(encoding="utf-8").replace("kind: visit", "kind: excursion", 1)
    out.write_text(edited, encoding="utf-8")
    result = runner.invoke(args=["programme", "import", str(out)])
    assert result.exit_code == 1
    assert "programme.yaml" in result.output and "field 'kind'" in result.output
    assert "unknown value 'excursion'" in result.output


def test_export_of_unknown_edition_fails_clearly(runner, app):
    result = runner.invoke(args=["programme", "export", "nope"])
    assert result.exit_code != 0 and "no edition 'nope'" in result.output


def test_registrations_import_uses_the_same_rules(runner, app, db, tmp_path):
    from school.models import Choice, Registration
    from school.services.backoffice import organisers

    runner.invoke(args=["demo", "load"])
    sheet = tmp_path / "speakers.csv"
    sheet.write_text(
        "first_name,last_name,email,organisation,country,category,language,days,sessions,meals\n"
        "Majda,Jelenčić,majda@example.org,HZZ,HR,speaker,en,2019-06-20,,d2-lunch\n"
        "Ève,O'Brien-Łukasiewicz,eve@example.org,,IE,member,fr,2019-06-19,d1-visit-explora,\n"
        "Bad,Row,not-an-address,,ZZ,member,fr,2019-06-19,d1-nope,\n"
        "Majda,Again,MAJDA@example.org,,HR,speaker,en,2019-06-20,,\n",
        encoding="utf-8",
    )
    args = ["registrations", "import", "spring-school-2019", str(sheet)]
    # As on the public form: nobody declares themselves a speaker.
    result = runner.invoke(args=args)
    assert result.exit_code == 1
    assert "speakers.csv:2: category:" in result.output
    assert "speakers.csv:5: category:" in result.output
    assert "1 registered, 0 already registered, 3 refused" in result.output
    db.execute(sa.delete(Registration))
    db.commit()
    # An organiser's spreadsheet, in their name: as in the back office.
    with app.app_context():
        organisers.create_organiser(db, "chef@example.org", "admin", "chef password 1")
        db.commit()
    result = runner.invoke(args=[*args, "--as-organiser", "chef@example.org"])
    assert result.exit_code == 1
    assert "1 already registered" in result.output and "2 registered" in result.output
    assert "speakers.csv:4: email:" in result.output
    assert "speakers.csv:4: sessions:" in result.output
    names = db.scalars(sa.select(Registration.last_name).order_by(Registration.id)).all()
    assert names == ["Jelenčić", "O'Brien-Łukasiewicz"]
    assert db.scalar(sa.select(sa.func.count()).select_from(Choice)) == 1
