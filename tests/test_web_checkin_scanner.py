"""The scanner's pages without a browser: who may open them, what they carry for the
page's script, the service worker's file list, and logging out."""

from __future__ import annotations

import json
import re

import pytest
import sqlalchemy as sa

from school.models import Edition, Session
from school.services.backoffice import organisers
from school.services.checkin import checkpoints
from school.services.errors import NotFound
from tests.support.backoffice import attempt_login


@pytest.fixture
def staff(app, db):
    with app.app_context():
        organisers.create_organiser(db, "admin@example.org", "admin", "correct horse 1")
        organisers.create_organiser(db, "door@example.org", "checkin", "correct horse 2")
        db.commit()


def data_block(html: str, name: str) -> dict:
    block = re.search(rf'<script type="application/json" id="{name}">(.*?)</script>', html, re.S)
    return json.loads(block.group(1))


@pytest.mark.parametrize("email", ["door@example.org", "admin@example.org"])
def test_checkin_staff_and_admins_open_the_checkpoint_list(client, staff, demo, db, email):
    password = "correct horse 2" if email.startswith("door") else "correct horse 1"
    attempt_login(client, email, password)
    response = client.get(f"/organiser/{demo.slug}/checkin?lang=en")
    assert response.status_code == 200
    html = response.get_data(as_text=True)
    assert (
        html.count('class="checkpoint" href="/organiser/spring-school-2019/checkin/entrance:') == 3
    )
    assert "/checkin/entrance:2019-06-19" in html and "Wednesday 19 June 2019" in html
    config = data_block(html, "scanner-config")
    assert config["urls"]["roster"] == f"/api/v1/editions/{demo.slug}/roster"
    assert config["urls"]["worker"] == "/organiser/sw.js"
    assert config["pages"][0] == f"/organiser/{demo.slug}/checkin/entrance:2019-06-19"
    sessions = db.scalar(sa.select(sa.func.count()).select_from(Session))
    assert len(config["pages"]) == 3 + sessions


def test_the_organisers_home_links_to_the_scanner(client, staff, demo):
    attempt_login(client, "door@example.org", "correct horse 2")
    html = client.get("/organiser/?lang=en").get_data(as_text=True)
    assert f'href="/organiser/{demo.slug}/checkin"' in html


def test_nobody_else_opens_the_scanner(client, staff, demo):
    for path in (
        f"/organiser/{demo.slug}/checkin",
        f"/organiser/{demo.slug}/checkin/entrance:2019-06-19",
        "/organiser/sw.js",
    ):
        response = client.get(path)
        assert response.status_code == 302 and "/organiser/login" in response.headers["Location"]


def test_the_scanner_page_of_a_session(client, staff, demo, db):
    explora = db.scalar(sa.select(Session).where(Session.key == "d1-visit-explora"))
    attempt_login(client, "door@example.org", "correct horse 2")
    response = client.get(f"/organiser/{demo.slug}/checkin/session:{explora.id}?lang=en")
    assert response.status_code == 200
    assert response.headers["Cache-Control"] == "private, no-store"
    html = response.get_data(as_text=True)
    assert "Explora" in html and "Undo last check-in" in html
    # Scripts come from files only: the data blocks are JSON, never run (CSP).
    assert not re.search(r"<script(?![^>]*(?:src=|type=\"application/json\"))", html)
    config = data_block(html, "scanner-config")
    assert config["checkpoint"] == {
        "key": f"session:{explora.id}",
        "session_id": explora.id,
        "day": "2019-06-19",
    }
    assert config["arrivals"] == 0
    assert config["urls"]["undo"] == f"/api/v1/editions/{demo.slug}/checkins/{{id}}/undo"
    assert config["urls"]["wasm"] == "/static/vendor/zxing-wasm/zxing_reader.wasm"
    strings = data_block(html, "scanner-i18n")
    assert strings["verdicts"]["ok"] == "Welcome!"
    assert strings["waiting"] == {
        "one": "{n} scan waiting to sync",
        "other": "{n} scans waiting to sync",
    }


def test_the_scanner_speaks_french(client, staff, demo):
    attempt_login(client, "door@example.org", "correct horse 2")
    html = client.get(f"/organiser/{demo.slug}/checkin/entrance:2019-06-20?lang=fr")
    html = html.get_data(as_text=True)
    assert "Entrée" in html and "Annuler le dernier pointage" in html
    strings = data_block(html, "scanner-i18n")
    assert strings["verdicts"]["already"] != "Already checked in"
    assert strings["waiting"]["other"] != "{n} scans waiting to sync"
    assert strings["first_scan_by"].count("{time}") == 1


@pytest.mark.parametrize(
    ("lang", "role"),
    [
        ("en", "check-in"),
        ("fr", "accueil"),
        ("it", "check-in"),
        ("es", "registro de llegada"),
        ("pt", "registo de entrada"),
    ],
)
def test_the_scanner_names_the_volunteers_role_in_the_pages_language(
    client, staff, demo, lang, role
):
    """A volunteer's scanner said "(checkin)" under the address, the database's word,
    whatever the language; the staff list already said it in words."""
    attempt_login(client, "door@example.org", "correct horse 2")
    html = client.get(f"/organiser/{demo.slug}/checkin/entrance:2019-06-20?lang={lang}")
    assert f"door@example.org</a> ({role})</small>" in html.get_data(as_text=True)


def test_the_back_office_names_roles_as_the_staff_list_does(client, staff, demo):
    attempt_login(client, "admin@example.org", "correct horse 1")
    html = client.get("/organiser/staff?lang=fr").get_data(as_text=True)
    assert "admin@example.org</a> (admin)</small>" in html
    assert "<td>accueil</td>" in html and "<td>admin</td>" in html


@pytest.mark.parametrize(
    "checkpoint",
    ["entrance:2019-06-18", "entrance:19-06-2019", "session:999999", "door", "session:1e9"],
)
def test_an_unknown_checkpoint_is_404(client, staff, demo, checkpoint):
    attempt_login(client, "door@example.org", "correct horse 2")
    assert client.get(f"/organiser/{demo.slug}/checkin/{checkpoint}").status_code == 404
    assert client.get("/organiser/no-such-school/checkin").status_code == 404


def test_the_service_worker_keeps_the_scanner_files(client, staff, demo):
    attempt_login(client, "door@example.org", "correct horse 2")
    response = client.get("/organiser/sw.js")
    assert response.status_code == 200
    assert response.mimetype == "text/javascript"
    source = response.get_data(as_text=True)
    settings = json.loads(re.match(r"const SCANNER = (\{.*?\n\});", source, re.S).group(1))
    assert re.fullmatch(r"[0-9a-f]{16}", settings["version"])
    assert "/static/vendor/zxing-wasm/zxing_reader.wasm" in settings["assets"]
    assert "/static/js/scanner/main.js" in settings["assets"]
    # Every file it keeps exists, and every module of the scanner is kept.
    for path in settings["assets"]:
        assert client.get(path).status_code == 200, path
    scripts = {f"/static/js/scanner/{p.name}" for p in _scanner_dir(client).glob("*.js")}
    assert scripts - {"/static/js/scanner/sw.js"} <= set(settings["assets"])
    # The API is never answered from its caches.
    assert "/api/" not in source.split("self.addEventListener", 1)[1]


def _scanner_dir(client):
    from pathlib import Path

    return Path(client.application.static_folder) / "js" / "scanner"


def test_the_wasm_decoder_is_served_as_wasm(client):
    response = client.get("/static/vendor/zxing-wasm/zxing_reader.wasm")
    assert response.status_code == 200 and response.mimetype == "application/wasm"
    assert response.data[:4] == b"\0asm"


def test_logging_out_clears_the_scanner_data(client, staff):
    attempt_login(client, "door@example.org", "correct horse 2")
    page = client.get("/organiser/").get_data(as_text=True)
    csrf = re.search(r'name="csrf_token" value="([^"]+)"', page).group(1)
    response = client.post("/organiser/logout", data={"csrf_token": csrf})
    assert response.headers["Clear-Site-Data"] == '"storage"'


def test_checkpoints_by_key(app, db, demo):
    edition = db.get(Edition, demo.id)
    explora = db.scalar(sa.select(Session).where(Session.key == "d1-visit-explora"))
    with app.app_context():
        entrance = checkpoints.checkpoint_by_key(db, edition, "entrance:2019-06-21")
        assert entrance.key == "entrance:2019-06-21" and entrance.session is None
        visit = checkpoints.checkpoint_by_key(db, edition, f"session:{explora.id}")
        assert visit.session.id == explora.id and visit.day.isoformat() == "2019-06-19"
        for key in ("entrance:2019-06-22", "session:x", "", "session:", "entrance:"):
            with pytest.raises(NotFound):
                checkpoints.checkpoint_by_key(db, edition, key)
        points = checkpoints.checkpoints(db, edition)
        assert [p.key for p in points[:3]] == [f"entrance:2019-06-{d}" for d in (19, 20, 21)]
        starts = [p.session.starts_at for p in points[3:]]
        assert starts == sorted(starts) and len(starts) == len(edition.sessions)
