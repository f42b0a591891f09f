"""What the accepted initiatives make: the wall (accepted only, filtered without script),
its screen mode for the venue, the guide (read back with pdftotext), and the demo's
initiatives on both."""

from __future__ import annotations

from datetime import timedelta

import sqlalchemy as sa

from school.database import utcnow
from school.models import Edition, Initiative
from tests.support.pdf_tools import pdf_text


def wall(client, demo, **params) -> str:
    return client.get(f"/{demo.slug}/initiatives", query_string=params).get_data(as_text=True)


def accept_demo_like(app, db, demo) -> dict[str, int]:
    """Three accepted initiatives and one still submitted, one declined."""
    specs = [
        ("Hobo", "charleroi", "BE", "innovation", ["digital", "youth"], "accepted"),
        ("Parcours numérique", "saint-quentin-en-yvelines", "FR", "practice",
         ["digital", "inclusion"], "accepted"),
        ("Questionnaire", "cascais", "PT", "tool", ["guidance"], "accepted"),
        ("Étude des quartiers", "cotes-d-armor", "FR", "practice", ["territories"], "submitted"),
        ("Refusée", "porto", "PT", "partnership", ["territories"], "declined"),
    ]  # fmt: skip
    ids = {}
    with app.app_context():
        edition = db.get(Edition, demo.id)
        now = utcnow()
        for title, cite, country, kind, themes, decision in specs:
            initiative = Initiative(
                edition_id=edition.id, title_fr=title, summary_fr=f"Résumé de {title}.",
                cite=cite, country=country, kind=kind, themes=themes, contact_name="Équipe",
                contact_email="equipe@example.org", consent_publish=True, decision=decision,
                created_at=now, updated_at=now,
            )  # fmt: skip
            db.add(initiative)
            db.flush()
            ids[title] = initiative.id
        db.commit()
    return ids


def test_the_wall_filters_by_cite_country_kind_and_theme_without_script(app, client, db, demo):
    accept_demo_like(app, db, demo)

    def titles(**params):
        page = wall(client, demo, lang="en", **params)
        return sorted(t for t in ("Hobo", "Parcours numérique", "Questionnaire",
                                  "Étude des quartiers", "Refusée") if t in page)  # fmt: skip

    assert titles() == ["Hobo", "Parcours numérique", "Questionnaire"]
    assert titles(cite="charleroi") == ["Hobo"]
    assert titles(country="FR") == ["Parcours numérique"]
    assert titles(kind="tool") == ["Questionnaire"]
    assert titles(theme="digital") == ["Hobo", "Parcours numérique"]
    assert titles(theme="digital", country="BE") == ["Hobo"]
    assert titles(kind="partnership") == []
    page = wall(client, demo, lang="en")
    assert "Wall of initiatives" in page and 'name="theme"' in page
    assert "Mur des initiatives" in wall(client, demo, lang="fr")
    # The filters offer only what the wall holds: no declined or waiting Cité.
    assert 'value="porto"' not in page and 'value="cotes-d-armor"' not in page


def test_the_screen_mode_moves_on_by_itself_without_script(app, client, db, demo):
    accept_demo_like(app, db, demo)
    for url in (f"/{demo.slug}/initiatives/screen", f"/{demo.slug}/initiatives?screen=1"):
        page = client.get(url).get_data(as_text=True)
        assert 'http-equiv="refresh"' in page and "at=1" in page
        assert page.count('class="screen-card is-current"') == 1
        assert "screen.js" in page
    last = client.get(f"/{demo.slug}/initiatives/screen?at=2").get_data(as_text=True)
    assert "at=3" in last and "3 / 3" in last


def test_the_guide_holds_exactly_the_accepted_ones_with_contents_and_index(
    app, db, demo, runner, tmp_path
):
    accept_demo_like(app, db, demo)
    out = tmp_path / "guide.pdf"
    result = runner.invoke(args=["initiatives", "guide", demo.slug, "--lang", "fr", "-o", str(out)])
    assert result.exit_code == 0, result.output
    text = pdf_text(out.read_bytes())
    pages = text.split("\f")
    assert "Guide des bonnes pratiques" in pages[0]
    assert "3" in pages[0] and "initiatives, outils et bonnes pratiques partagés" in pages[0]
    assert "Sommaire" in pages[1] and "Numérique et médiation numérique" in pages[1]
    for title in ("Hobo", "Parcours numérique", "Questionnaire"):
        assert title in text
        assert sum(title in page for page in pages[2:-1]) == 1  # one page each
    assert "Étude des quartiers" not in text and "Refusée" not in text
    assert "Index des Cités" in pages[-2] + pages[-1]
    assert "Cidade das Profissões de Cascais (Portugal)" in text
    english = tmp_path / "guide-en.pdf"
    runner.invoke(args=["initiatives", "guide", demo.slug, "--lang", "en", "-o", str(english)])
    assert "Contents" in pdf_text(english.read_bytes())
    missing = runner.invoke(args=["initiatives", "guide", "nope", "-o", str(english)])
    assert missing.exit_code != 0 and "no edition" in missing.output


def test_demo_load_fills_the_wall_and_the_guide_once(runner, db, client):
    first = runner.invoke(args=["demo", "load"])
    assert "7 demo initiatives added." in first.output
    again = runner.invoke(args=["demo", "load"])
    assert "0 demo initiatives added." in again.output
    db.rollback()
    assert db.scalar(sa.select(sa.func.count()).select_from(Initiative)) == 7
    listed = client.get("/api/v1/editions/spring-school-2019/initiatives").get_json()
    assert len(listed) == 6  # the Côtes d'Armor study still waits for the organisers
    assert {i["cite"] for i in listed} >= {"charleroi", "saint-quentin-en-yvelines", "cascais"}
    hobo = next(i for i in listed if i["cite"] == "charleroi")
    assert hobo["title"]["en"] == "Hobo: discovering trades in virtual reality"


def test_the_demo_loaded_takes_initiatives_and_keeps_a_call_the_organisers_set(runner, db, client):
    runner.invoke(args=["demo", "load"])
    form = client.get("/spring-school-2019/initiatives/submit?lang=en")
    assert form.status_code == 200  # whoever tries the demo can submit to the wall
    taken = client.post(
        "/api/v1/editions/spring-school-2019/initiatives",
        json={
            "title": {"fr": "Un essai de la démo"},
            "summary": {"fr": "Ce que la démo laisse essayer."},
            "cite": "charleroi", "country": "BE", "kind": "tool", "themes": ["youth"],
            "contact_name": "Ana Duarte", "contact_email": "ana@example.org",
            "language": "fr", "consent_publish": True,
        },
    )  # fmt: skip
    assert taken.status_code == 201, taken.get_json()
    db.rollback()
    edition = db.scalar(sa.select(Edition).where(Edition.slug == "spring-school-2019"))
    assert edition.initiatives_close_at is None
    assert edition.initiatives_open_at == edition.registration_opens_at  # opens as registration
    closed = utcnow() - timedelta(hours=1)
    edition.initiatives_close_at = closed  # an organiser closed it: loading again keeps it so
    db.commit()
    runner.invoke(args=["demo", "load"])
    db.rollback()
    assert db.get(Edition, edition.id).initiatives_close_at == closed
    assert client.get("/spring-school-2019/initiatives/submit").status_code == 403
