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
    db.expire_all()
    assert db.scalars(sa.select(Session.id).order_by(Session.id)).all() == ids
    assert db.scalar(sa.select(sa.func.count()).select_from(Edition)) == 1


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
