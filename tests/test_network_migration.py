"""Migration 0013_network on a database holding registrations made before it: a Cité typed
as free text becomes its directory key; text naming no Cité moves to the organisation."""

from __future__ import annotations

import sqlalchemy as sa
from flask_migrate import downgrade, upgrade

from school import create_app
from school.extensions import db as _db

EDITION = (
    "INSERT INTO editions (id, slug, title_fr, city, venue, address, timezone, starts_on,"
    " ends_on, created_at, changed_at, seats_changed_at) VALUES (1, 'old', 'Old', 'Paris',"
    " 'Cité', 'Paris', 'Europe/Paris', '2019-06-19', '2019-06-21', '2019-01-01 00:00:00',"
    " '2019-01-01 00:00:00', '2019-01-01 00:00:00')"
)


def registration(n: int, cite: str | None, organisation: str | None) -> dict:
    return {
        "id": n, "email": f"p{n}@example.org", "cite": cite, "organisation": organisation,
    }  # fmt: skip


def test_old_free_text_cites_become_keys(tmp_path):
    url = f"sqlite:///{tmp_path / 'old.db'}"
    app = create_app({"DATABASE_URL": url, "SECRET_KEY": "test"})
    rows = [
        registration(1, "Cité des métiers de Bruxelles", None),
        registration(2, "cite des metiers de geneve", "HUG"),
        registration(3, "Maison de l'emploi d'Arras", None),
        registration(4, "Pôle emploi Lille", "France Travail"),
        registration(5, None, "Analytical Engines"),
    ]
    with app.app_context():
        upgrade(revision="0008_account_security")
        with _db.engine.begin() as conn:
            conn.exec_driver_sql(EDITION)
            for row in rows:
                conn.execute(
                    sa.text(
                        "INSERT INTO registrations (id, edition_id, first_name, last_name,"
                        " email, email_key, organisation, cite, country, category, language,"
                        " privacy_consent_at, photo_consent, status, manage_token, created_at,"
                        " updated_at) VALUES (:id, 1, 'A', 'B', :email, :email, :organisation,"
                        " :cite, 'FR', 'member', 'fr', '2019-01-01', 0, 'confirmed',"
                        " :email, '2019-01-01', '2019-01-01')"
                    ),
                    row,
                )
        upgrade()
        with _db.engine.connect() as conn:
            after = conn.execute(
                sa.text("SELECT id, cite, organisation FROM registrations ORDER BY id")
            ).all()
        assert [tuple(r) for r in after] == [
            (1, "bruxelles", None),
            (2, "grand-geneve", "HUG"),
            (3, None, "Maison de l'emploi d'Arras"),
            (4, None, "France Travail — Pôle emploi Lille"),
            (5, None, "Analytical Engines"),
        ]
        downgrade(revision="0008_account_security")  # and back, keeping the rows
        with _db.engine.connect() as conn:
            assert conn.execute(sa.text("SELECT count(*) FROM registrations")).scalar() == 5
        _db.engine.dispose()
