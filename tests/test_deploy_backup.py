"""`flask backup create` / `backup restore`: a backup of a running install restores
into a fresh database, and the app serves the edition from it as it was."""

from __future__ import annotations

import secrets
import sqlite3

import pytest

from school import create_app
from tests.support import production

pytestmark = pytest.mark.deploy

SLUG = "spring-school-2019"


def _app(url: str):
    return create_app(
        {
            "DATABASE_URL": url,
            "SECRET_KEY": "backup-test-secret",
            "RATELIMIT_ENABLED": False,
            "MAIL_SEND_AFTER_REQUEST": False,
        }
    )


def _seats_left(client, key: str) -> int:
    sessions = client.get(f"/api/v1/editions/{SLUG}/programme").get_json()["sessions"]
    return next(s["seats_left"] for s in sessions if s["key"] == key)


def _person(first: str, last: str, sessions: list[int]) -> dict:
    return {
        "first_name": first, "last_name": last, "email": f"{first.lower()}@example.org",
        "country": "PT", "category": "member", "days": ["2019-06-19"],
        "sessions": sessions, "consent": True,
    }  # fmt: skip


def _register(client) -> str:
    """Ana takes a seat at the Explora visit; her private page's path."""
    sessions = client.get(f"/api/v1/editions/{SLUG}/programme").get_json()["sessions"]
    explora = next(s["id"] for s in sessions if s["key"] == "d1-visit-explora")
    response = client.post(
        f"/api/v1/editions/{SLUG}/registrations",
        json=_person("Ana", "Ferreira-Backup", [explora]),
    )
    assert response.status_code == 201, response.get_json()
    return "/" + response.get_json()["manage_url"].split("/", 3)[3]


def _serves_what_was_backed_up(app, manage: str) -> None:
    client = app.test_client()
    assert "Explora" in client.get(f"/{SLUG}/programme?lang=en").get_data(as_text=True)
    assert "Ferreira-Backup" in client.get(manage).get_data(as_text=True)
    assert _seats_left(client, "d1-visit-explora") == 19


def _invoke(app, *args: str):
    return app.test_cli_runner().invoke(args=list(args))


def test_a_sqlite_backup_taken_while_the_app_writes_restores_and_is_served(tmp_path):
    live_db = tmp_path / "live" / "school.db"
    live_db.parent.mkdir()
    production.prepare_database(f"sqlite:///{live_db}")
    live = _app(f"sqlite:///{live_db}")
    manage = _register(live.test_client())

    # Another writer is in the middle of a transaction: the backup neither waits for it
    # nor holds half of it, and it holds what sits in the write-ahead log.
    writer = sqlite3.connect(live_db, isolation_level=None)
    writer.execute("BEGIN IMMEDIATE")
    writer.execute("UPDATE editions SET city = 'Lyon'")
    backups = tmp_path / "backups"
    backups.mkdir()
    try:
        result = _invoke(live, "backup", "create", str(backups))
    finally:
        writer.execute("ROLLBACK")
        writer.close()
    assert result.exit_code == 0, result.output
    (backup,) = backups.iterdir()
    assert backup.name.startswith("school-") and backup.suffix == ".sqlite3"
    assert backup.stat().st_mode & 0o077 == 0  # personal data: its owner's only
    assert f"to {backup}" in result.output

    restored_db = tmp_path / "restored" / "school.db"
    restored = _app(f"sqlite:///{restored_db}")
    result = _invoke(restored, "backup", "restore", str(backup))
    assert result.exit_code == 0, result.output
    _serves_what_was_backed_up(restored, manage)
    page = restored.test_client().get(f"/{SLUG}/?lang=en").get_data(as_text=True)
    assert "Paris" in page and "Lyon" not in page

    # A database that holds data is not overwritten by mistake.
    again = _invoke(restored, "backup", "restore", str(backup))
    assert again.exit_code != 0 and "already holds" in again.output
    assert _invoke(restored, "backup", "restore", "--replace", str(backup)).exit_code == 0
    _serves_what_was_backed_up(restored, manage)


def test_backups_in_a_folder_keep_the_newest(tmp_path):
    url = f"sqlite:///{tmp_path / 'school.db'}"
    production.prepare_database(url, demo=False)
    backups = tmp_path / "backups"
    backups.mkdir()
    old = [backups / f"school-2019010{n}T031500Z.sqlite3" for n in (1, 2, 3)]
    for path in old:
        path.write_bytes(b"an old backup")
    (backups / "notes.txt").write_text("not a backup: left alone")

    result = _invoke(_app(url), "backup", "create", str(backups), "--keep", "2")
    assert result.exit_code == 0, result.output
    kept = sorted(p.name for p in backups.iterdir())
    assert len(kept) == 3 and "notes.txt" in kept and old[2].name in kept
    assert f"Deleted {old[0]}" in result.output and f"Deleted {old[1]}" in result.output


def test_a_backup_goes_back_only_into_its_kind_of_database(tmp_path):
    url = f"sqlite:///{tmp_path / 'school.db'}"
    production.prepare_database(url, demo=False)
    backup = tmp_path / "school.sqlite3"
    assert _invoke(_app(url), "backup", "create", str(backup)).exit_code == 0

    postgres = _app("postgresql://school@127.0.0.1:1/school")
    result = _invoke(postgres, "backup", "restore", str(backup))
    assert result.exit_code != 0
    assert "is a sqlite backup; it restores into a sqlite database" in result.output

    junk = tmp_path / "notes.txt"
    junk.write_text("hello")
    result = _invoke(_app(url), "backup", "restore", str(junk))
    assert "neither a SQLite database nor a pg_dump" in result.output

    result = _invoke(_app(f"sqlite:///{tmp_path / 'nothing.db'}"), "backup", "create", "x")
    assert result.exit_code != 0 and "no database at" in result.output


@pytest.mark.postgres
def test_a_postgresql_backup_restores_into_a_fresh_database_of_the_app_role(tmp_path):
    """pg_dump's custom format, restored by the role that owns the new database (not a
    superuser), as the guide does it."""
    production.require_postgres()
    role = f"school_i8c_app_{secrets.token_hex(3)}"
    with (
        production.postgres_database("live") as live_url,
        production.postgres_database("restored", owner=role) as restored_url,
    ):
        production.prepare_database(live_url)
        live = _app(live_url)
        manage = _register(live.test_client())
        backup = tmp_path / "school.pgdump"
        result = _invoke(live, "backup", "create", str(backup))
        assert result.exit_code == 0, result.output
        assert backup.read_bytes()[:5] == b"PGDMP" and backup.stat().st_mode & 0o077 == 0

        restored = _app(restored_url)
        result = _invoke(restored, "backup", "restore", str(backup))
        assert result.exit_code == 0, result.output
        _serves_what_was_backed_up(restored, manage)
        # The restored app is a working one: it takes new registrations.
        response = restored.test_client().post(
            f"/api/v1/editions/{SLUG}/registrations", json=_person("Rui", "Costa", [])
        )
        assert response.status_code == 201

        again = _invoke(restored, "backup", "restore", str(backup))
        assert again.exit_code != 0 and "already holds" in again.output
        result = _invoke(restored, "backup", "restore", "--replace", str(backup))
        assert result.exit_code == 0, result.output
        _serves_what_was_backed_up(restored, manage)
        client = restored.test_client()
        assert client.get("/my/not-there").status_code == 404
        for app in (live, restored):
            _dispose(app)


def _dispose(app) -> None:
    from school.extensions import db

    with app.app_context():
        db.engine.dispose()
