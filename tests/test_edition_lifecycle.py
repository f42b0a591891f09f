"""An edition is a draft (organisers only) until published, then archived; its state in
time (registration opens on… / open / closed / under way / held) is one rule, shown on
every page and obeyed by the form and the API."""

from __future__ import annotations

from datetime import UTC, date, datetime, timedelta

import pytest
import sqlalchemy as sa

from school.database import utcnow
from school.models import AuditEntry, Edition, Session
from school.services.programme import importer, lifecycle
from school.services.programme.parsing import ProgrammeFileError
from tests.support.backoffice import Organiser, flashes, fresh, make_admin
from tests.support.factories import make_edition


def edition_named(db, slug: str) -> Edition | None:
    return fresh(db).scalar(sa.select(Edition).where(Edition.slug == slug))


def programme(slug: str = "autumn", *, published: str | None = None, start: date | None = None,
              registration: str = "") -> str:  # fmt: skip
    start = start or (utcnow().date() + timedelta(days=60))
    end = start + timedelta(days=2)
    return f"""
edition:
  slug: {slug}
  title: {{fr: "Université d'automne", en: Brussels Autumn School}}
  city: Bruxelles
  venue: Cité des métiers de Bruxelles
  address: Avenue de l'Astronomie 14
  timezone: Europe/Brussels
  starts_on: {start.isoformat()}
  ends_on: {end.isoformat()}
{registration}{"  published: " + published if published else ""}
rooms:
  - id: hall
    name: {{fr: Hall}}
sessions:
  - {{id: opening, date: {start.isoformat()}, start: "09:00", end: "10:00", kind: plenary,
     title: {{fr: Ouverture, en: Opening}}, room: hall}}
"""


# -- the rule


def test_the_state_follows_the_dates_and_registration_closes_when_the_school_starts(db):
    edition = make_edition(
        db,
        starts_on=date(2030, 6, 19),
        ends_on=date(2030, 6, 21),
        timezone="Europe/Paris",
        registration_opens_at=datetime(2030, 3, 1, 8, tzinfo=UTC),
    )

    def key(moment: datetime) -> str:
        return lifecycle.state_of(edition, moment).key

    assert key(datetime(2030, 2, 1, tzinfo=UTC)) == "opens_on"
    assert key(datetime(2030, 5, 1, tzinfo=UTC)) == "open"
    # Midnight in Paris on the first day is 22:00 UTC the day before: closed from then.
    assert key(datetime(2030, 6, 18, 21, 59, tzinfo=UTC)) == "open"
    assert lifecycle.state_of(edition, datetime(2030, 6, 18, 22, tzinfo=UTC)).phase == "under_way"
    assert key(datetime(2030, 6, 18, 22, tzinfo=UTC)) == "under_way"
    assert key(datetime(2030, 6, 21, 21, 59, tzinfo=UTC)) == "under_way"
    assert key(datetime(2030, 6, 21, 22, tzinfo=UTC)) == "held"
    # Organisers may close earlier: closed, before the School.
    edition.registration_closes_at = datetime(2030, 6, 1, tzinfo=UTC)
    assert key(datetime(2030, 6, 2, tzinfo=UTC)) == "closed"
    # A draft takes no registration; an archived edition neither.
    edition.registration_closes_at = None
    edition.status = "draft"
    assert not lifecycle.state_of(edition, datetime(2030, 5, 1, tzinfo=UTC)).registration_open
    edition.status = "archived"
    assert key(datetime(2030, 5, 1, tzinfo=UTC)) == "closed"


def test_a_school_held_long_ago_takes_no_registration_but_the_demo_stays_open(app, db, demo):
    old = make_edition(db, slug="old", starts_on=date(2019, 6, 19), ends_on=date(2019, 6, 21))
    with app.test_request_context("/?lang=en"):
        assert lifecycle.describe(old, utcnow()) == "Held"
        assert "Registration closed on" in lifecycle.registration_refusal(old, utcnow())
        spring = db.get(Edition, demo.id)
        assert spring.is_demo and spring.status == "published"
        state = lifecycle.state_of(spring, utcnow())
        assert state.registration_open and not state.has_started
        assert lifecycle.registration_refusal(spring, utcnow()) is None


def test_the_file_checks_the_registration_dates(db):
    start = utcnow().date() + timedelta(days=60)
    late = f'  registration:\n    closes_at: "{(start + timedelta(days=1)).isoformat()} 12:00"\n'
    with pytest.raises(ProgrammeFileError) as caught:
        importer.import_text(db, programme(registration=late), "late.yaml")
    assert "registration closes before or at the start" in str(caught.value)
    after = f'  registration:\n    opens_at: "{(start + timedelta(days=1)).isoformat()} 12:00"\n'
    with pytest.raises(ProgrammeFileError) as caught:
        importer.import_text(db, programme(registration=after), "after.yaml")
    assert "not before the School starts" in str(caught.value)
    with pytest.raises(ProgrammeFileError) as caught:
        importer.import_text(db, programme(published='"yes"'), "yes.yaml")
    assert "must be true or false" in str(caught.value)


def test_an_imported_edition_is_a_draft_unless_the_file_publishes_it(db):
    assert importer.import_text(db, programme("a"), "a.yaml").status == "draft"
    assert importer.import_text(db, programme("b", published="true"), "b.yaml").status == (
        "published"
    )
    # Importing again without the key leaves the state as it is.
    assert importer.import_text(db, programme("b"), "b.yaml").status == "published"
    assert importer.import_text(db, programme("b", published="false"), "b.yaml").status == "draft"


def test_demo_load_publishes_the_demo(runner, db):
    result = runner.invoke(args=["demo", "load"])
    assert result.exit_code == 0, result.output
    spring = edition_named(db, "spring-school-2019")
    assert spring.status == "published" and spring.is_demo


# -- the pages


@pytest.fixture
def draft(db):
    edition = importer.import_text(db, programme("autumn"), "autumn.yaml")
    db.commit()
    return edition


DRAFT_URLS = [
    "/autumn/",
    "/autumn/programme",
    "/autumn/speakers",
    "/autumn/register",
    "/autumn/programme.ics",
    "/autumn/schedule.json",
    "/autumn/schedule.xml",
    "/api/v1/editions/autumn/programme",
]


def test_a_draft_answers_404_to_the_public_and_a_preview_to_organisers(app, client, db, draft):
    for url in DRAFT_URLS:
        assert client.get(url).status_code == 404, url
    session_id = db.scalar(sa.select(Session.id).where(Session.edition_id == draft.id))
    assert client.get(f"/autumn/sessions/{session_id}").status_code == 404
    response = client.post("/api/v1/editions/autumn/registrations", json={})
    assert response.status_code == 404 and response.json["code"] == "not_found"
    assert 'href="/autumn/"' not in client.get("/?lang=en").get_data(as_text=True)

    make_admin(app, db)
    Organiser(client).login()
    for url in DRAFT_URLS[:3] + DRAFT_URLS[4:]:
        assert client.get(url).status_code == 200, url
    html = client.get("/autumn/programme?lang=en").get_data(as_text=True)
    assert "This edition is a draft: only organisers see it." in html
    # Organisers preview the form but no one registers in a draft.
    html = client.get("/autumn/register?lang=en").get_data(as_text=True)
    assert "This edition is not published yet" in html


def test_publish_archive_and_delete_from_the_back_office(app, client, db, draft):
    make_admin(app, db)
    organiser = Organiser(client).login()
    edit = "/organiser/autumn/edit"
    html = organiser.page(edit)
    assert "Draft: not published yet" in html and "Publish the edition" in html
    dashboard = organiser.page("/organiser/autumn/")
    assert "Edition: <strong>Brussels Autumn School</strong>" in dashboard

    response = organiser.submit("/organiser/autumn/publish", {}, page=edit)
    assert response.status_code == 302
    assert edition_named(db, "autumn").status == "published"
    actions = fresh(db).scalars(sa.select(AuditEntry.action)).all()
    assert "edition.published" in actions

    anonymous = app.test_client()
    assert anonymous.get("/autumn/programme").status_code == 200
    home = anonymous.get("/?lang=en").get_data(as_text=True)
    assert "Registration is open: Brussels Autumn School" in home
    assert 'href="/autumn/register"' in home
    # A published edition is archived, not deleted.
    html = organiser.submit("/organiser/autumn/delete", {}, page=edit)
    assert edition_named(db, "autumn") is not None
    assert organiser.submit("/organiser/autumn/archive", {}, page=edit).status_code == 302
    assert edition_named(db, "autumn").status == "archived"
    assert 'href="/autumn/"' not in anonymous.get("/?lang=en").get_data(as_text=True)
    assert anonymous.get("/autumn/programme").status_code == 200  # links keep working
    html = anonymous.get("/autumn/register?lang=en").get_data(as_text=True)
    assert "This edition is archived: registration is closed." in html


def test_a_draft_is_deleted_with_all_it_holds(app, client, db, draft):
    make_admin(app, db)
    organiser = Organiser(client).login()
    response = organiser.submit("/organiser/autumn/delete", {}, page="/organiser/autumn/edit")
    assert response.status_code == 302
    assert edition_named(db, "autumn") is None
    assert fresh(db).scalar(sa.select(sa.func.count()).select_from(Session)) == 0
    assert "is deleted" in " ".join(flashes(organiser.page("/organiser/")))


def test_a_new_edition_is_a_draft_and_dates_in_the_past_are_flagged(app, client, db):
    make_admin(app, db)
    organiser = Organiser(client).login()
    data = {
        "slug": "autumn-school-2024",
        "title_fr": "Autumn School 2024",
        "city": "Bruxelles",
        "venue": "Cité des métiers",
        "address": "Avenue de l'Astronomie 14",
        "timezone": "Europe/Brussels",
        "starts_on": "2024-12-04",
        "ends_on": "2024-12-06",
        "registration_closes_at": "2024-12-05T12:00",
    }
    html = organiser.submit("/organiser/editions/new", data).get_data(as_text=True)
    assert "registration closes before or at the start" in html
    data["registration_closes_at"] = ""
    response = organiser.submit("/organiser/editions/new", data)
    assert response.status_code == 302
    assert edition_named(db, "autumn-school-2024").status == "draft"
    shown = " ".join(flashes(organiser.page(response.headers["Location"])))
    assert "created as a draft" in shown
    assert "The School starts in the past" in shown


def test_pages_say_the_state_and_a_closed_edition_offers_no_register_button(client, db, demo):
    make_edition(db, slug="old", starts_on=date(2019, 12, 4), ends_on=date(2019, 12, 6))
    db.commit()
    html = client.get("/old/?lang=en").get_data(as_text=True)
    assert "Held" in html and 'href="/old/register"' not in html
    html = client.get(f"/{demo.slug}/?lang=en").get_data(as_text=True)
    assert "Registration open" in html and f'href="/{demo.slug}/register"' in html
    assert "This is a demonstration edition" in html
    home = client.get("/?lang=fr").get_data(as_text=True)
    assert "Inscriptions ouvertes" in home and "A eu lieu" in home


def test_the_api_refuses_a_registration_once_the_school_has_started(client, db, demo):
    edition = db.get(Edition, demo.id)
    edition.is_demo = False
    db.commit()
    body = {
        "first_name": "Zoé",
        "last_name": "Ngô",
        "email": "zoe@example.org",
        "organisation": "Cité des métiers de Bruxelles",
        "country": "BE",
        "category": "guest",
        "language": "fr",
        "days": ["2019-06-19"],
        "sessions": [],
        "consent": True,
    }
    response = client.post(f"/api/v1/editions/{demo.slug}/registrations?lang=en", json=body)
    assert response.status_code == 403 and response.json["code"] == "registration_closed"
    assert "Registration closed on" in response.json["message"]


def test_the_kept_programme_page_follows_the_state_in_time(client, db, demo):
    url = f"/{demo.slug}/programme?lang=en"
    assert f'href="/{demo.slug}/register"' in client.get(url).get_data(as_text=True)
    assert client.get(f"/api/v1/editions/{demo.slug}/programme").json["edition"]["state"] == "open"
    # Time passes the closing moment: nothing in the programme changed, the page does.
    edition = db.get(Edition, demo.id)
    edition.registration_closes_at = utcnow() - timedelta(minutes=1)
    db.commit()
    html = client.get(url).get_data(as_text=True)
    # (Held: the demo's dates are past, it looked to come only while it stayed open.)
    assert f'href="/{demo.slug}/register"' not in html and "Held" in html
    api = client.get(f"/api/v1/editions/{demo.slug}/programme").json["edition"]
    assert api["state"] == "held" and api["demo"] is True


def test_the_city_has_a_name_per_language(client, db):
    from school.services.programme import export

    text = programme("autumn", published="true").replace(
        "  city: Bruxelles", "  city: {fr: Bruxelles, en: Brussels}"
    )
    edition = importer.import_text(db, text, "autumn.yaml")
    db.commit()
    assert (edition.city, edition.city_en) == ("Bruxelles", "Brussels")
    english = client.get("/autumn/programme?lang=en").get_data(as_text=True)
    assert "local time in Brussels" in english
    french = client.get("/autumn/programme?lang=fr").get_data(as_text=True)
    assert "heure locale de Bruxelles" in french or "à Bruxelles" in french
    assert "Brussels" in client.get("/?lang=en").get_data(as_text=True)
    assert "en: Brussels" in export.export_text(db, "autumn")
    # A single name stays one name in every language.
    plain = importer.import_text(db, programme("plain", published="true"), "plain.yaml")
    assert plain.city_in("en") == "Bruxelles" and plain.city_en is None
