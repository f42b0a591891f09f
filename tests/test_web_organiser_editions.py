"""Organisers create, edit and clone editions from their pages."""

from __future__ import annotations

import re
from datetime import UTC, date, datetime, timedelta

import pytest
import sqlalchemy as sa

from school.database import utcnow
from school.models import AuditEntry, Edition, Person, Registration, Room, Session, SessionGroup
from school.models import Organiser as Account
from school.services import audit
from school.services.programme import editions, speakers
from tests.support.backoffice import Organiser, flashes, fresh, make_admin
from tests.support.factories import make_registration


@pytest.fixture
def organiser(app, client, db):
    make_admin(app, db)
    return Organiser(client).login()


def edition(db, slug: str) -> Edition | None:
    return fresh(db).scalar(sa.select(Edition).where(Edition.slug == slug))


NEW = {
    "slug": "autumn-school-2024",
    "title_fr": "Autumn School 2024",
    "title_en": "Autumn School 2024",
    "city": "Bruxelles",
    "venue": "Cité des métiers de Bruxelles",
    "address": "Avenue de l'Astronomie 14, 1210 Bruxelles",
    "timezone": "Europe/Brussels",
    "starts_on": "2024-12-04",
    "ends_on": "2024-12-06",
    "contact_email": "school@example.org",
    "registration_opens_at": "2024-09-01T09:00",
    "capacity": "170",
}


def test_create_an_edition_with_the_files_checks(organiser, db):
    url = "/organiser/editions/new"
    html = organiser.submit(
        url, {**NEW, "slug": "Autumn 2024", "timezone": "Europe/Bruxelles", "ends_on": "2024-12-01"}
    ).get_data(as_text=True)
    assert "missing or not a slug" in html
    assert "unknown timezone &#39;Europe/Bruxelles&#39;" in html
    assert "before the first day" in html
    assert edition(db, "autumn-school-2024") is None

    response = organiser.submit(url, NEW)
    assert response.status_code == 302
    created = edition(db, "autumn-school-2024")
    assert (created.starts_on, created.ends_on, created.capacity) == (
        date(2024, 12, 4),
        date(2024, 12, 6),
        170,
    )
    assert created.registration_opens_at.astimezone(created.tz).hour == 9
    assert "Autumn School 2024" in organiser.page("/organiser/")
    html = organiser.submit(url, NEW).get_data(as_text=True)
    assert "&#39;autumn-school-2024&#39; is already used" in html


@pytest.mark.parametrize("slug", ["organiser", "api", "my", "static", "speaker", "survey"])
def test_an_address_of_the_site_itself_is_no_editions(organiser, db, slug):
    """``/organiser/`` as an edition's address sent its participants to the login page."""
    html = organiser.submit("/organiser/editions/new", {**NEW, "slug": slug}).get_data(as_text=True)
    assert f"&#39;{slug}&#39; is an address of the site itself" in html
    assert edition(db, slug) is None


def test_edit_refuses_dates_that_leave_sessions_out_and_keeps_local_times_on_a_new_zone(
    organiser, demo, db
):
    url = f"/organiser/{demo.slug}/edit"
    current = edition(db, demo.slug)
    form = organiser.page(url)
    assert 'value="Cité des sciences et de l&#39;industrie"' in form
    data = {
        "title_fr": current.title_fr,
        "title_en": current.title_en,
        "city": current.city,
        "venue": current.venue,
        "address": current.address,
        "timezone": "Europe/Paris",
        "starts_on": "2019-06-19",
        "ends_on": "2019-06-20",
        "contact_email": current.contact_email,
        "capacity": "200",
    }
    for n in range(6):  # six people on the last day: six people, not "6 days"
        make_registration(db, current, email=f"p{n}@example.org", days=[date(2019, 6, 21)])
    db.commit()
    html = organiser.submit(url, data).get_data(as_text=True)
    assert "sessions would fall outside these dates" in html
    assert "Participants registered for a day outside these dates: 6." in html
    opening = fresh(db).scalar(sa.select(Session).where(Session.key == "d1-welcome-coffee"))
    local = opening.starts_at.astimezone(demo.tz).strftime("%H:%M")

    response = organiser.submit(url, {**data, "ends_on": "2019-06-21", "timezone": "Europe/Lisbon"})
    assert response.status_code == 302
    opening = fresh(db).scalar(sa.select(Session).where(Session.key == "d1-welcome-coffee"))
    changed = edition(db, demo.slug)
    assert changed.timezone == "Europe/Lisbon" and changed.slug == demo.slug
    assert opening.starts_at.astimezone(changed.tz).strftime("%H:%M") == local
    assert opening.sequence == 1  # calendars hear of the new time
    entry = db.scalar(sa.select(AuditEntry).where(AuditEntry.action == "edition.updated"))
    assert entry.details["timezone"] == ["Europe/Paris", "Europe/Lisbon"]


def test_clone_an_edition_as_the_start_of_the_next(organiser, demo, db):
    make_registration(db, demo, email="eve@example.org")
    db.commit()
    url = f"/organiser/{demo.slug}/clone"
    html = organiser.submit(
        url, {"slug": demo.slug, "title_fr": "Encore", "starts_on": "2020-06-17"}
    )
    assert "is already used" in html.get_data(as_text=True)

    response = organiser.submit(
        url,
        {"slug": "spring-school-2020", "title_fr": "Spring School 2020", "starts_on": "2020-06-17"},
    )
    assert response.status_code == 302
    assert response.headers["Location"].endswith("/organiser/spring-school-2020/programme")
    assert any("Spring School 2020 is ready" in f for f in flashes(organiser.page(
        response.headers["Location"])))  # fmt: skip
    new = edition(db, "spring-school-2020")
    old = edition(db, demo.slug)
    assert (new.starts_on, new.ends_on) == (date(2020, 6, 17), date(2020, 6, 19))
    assert new.venue == old.venue and new.capacity == old.capacity
    assert new.registration_opens_at.astimezone(new.tz).strftime("%m-%d %H:%M") == "02-28 09:00"
    rooms = db.scalars(sa.select(Room.key).where(Room.edition_id == new.id).order_by(Room.key))
    assert list(rooms) == sorted(r.key for r in old.rooms)

    def timetable(ed):
        sessions = db.scalars(
            sa.select(Session)
            .where(Session.edition_id == ed.id, Session.status == "scheduled")
            .order_by(Session.key)
        )
        return [
            (
                s.key,
                (s.starts_at.astimezone(ed.tz).date() - ed.starts_on).days,
                s.starts_at.astimezone(ed.tz).strftime("%H:%M"),
                s.ends_at.astimezone(ed.tz).strftime("%H:%M"),
                s.room.key if s.room else None,
                s.capacity,
                s.title_fr,
            )
            for s in sessions
        ]

    assert timetable(new) == timetable(old)
    copied = db.scalars(sa.select(Session).where(Session.edition_id == new.id)).all()
    assert {s.uid for s in copied}.isdisjoint(
        {s.uid for s in db.scalars(sa.select(Session).where(Session.edition_id == old.id))}
    )
    assert all(not s.people and s.sequence == 0 for s in copied)
    assert db.scalar(sa.select(sa.func.count()).where(Registration.edition_id == new.id)) == 0
    entry = db.scalar(sa.select(AuditEntry).where(AuditEntry.action == "edition.cloned"))
    assert entry.details["from"] == demo.slug and entry.details["sessions"] == len(copied)
    log = organiser.page("/organiser/spring-school-2020/audit")
    assert "edition.cloned" in log and "chef@example.org" in log


def test_a_clone_keeps_the_sessions_italian_spanish_and_portuguese_texts(organiser, demo, db):
    opening = db.scalar(
        sa.select(Session).where(Session.edition_id == demo.id).order_by(Session.starts_at)
    )
    opening.title_it, opening.description_pt = "Benvenuto", "Boas-vindas a todos."
    key = opening.key
    db.commit()
    organiser.submit(
        f"/organiser/{demo.slug}/clone",
        {"slug": "spring-school-2020", "title_fr": "Spring School 2020", "starts_on": "2020-06-17"},
    )
    new = edition(db, "spring-school-2020")
    copy = db.scalar(sa.select(Session).where(Session.edition_id == new.id, Session.key == key))
    assert (copy.title_it, copy.description_pt) == ("Benvenuto", "Boas-vindas a todos.")
    assert "Benvenuto" in organiser.page("/spring-school-2020/programme", lang="it")


def test_a_clone_keeps_the_groups_of_parallel_sessions_and_the_privacy_notice(organiser, demo, db):
    """What the team set up once and uses again: the visits people rank (a group, its
    mode and when preferences close, a year on) and the privacy notice they had
    reviewed. Not last year's draft of the allocation."""
    edition(db, demo.slug).privacy_notice_fr = "Vos données restent chez la coordination du réseau."
    visits = db.scalars(
        sa.select(Session).where(
            Session.edition_id == demo.id, Session.key.in_(["d1-visit-explora", "d1-visit-spaces"])
        )
    ).all()
    closes = datetime(2019, 6, 12, 10, 0, tzinfo=UTC)
    group = SessionGroup(
        edition_id=demo.id, key="visits", title_fr="Visites", title_en="Visits",
        mode="preference", preferences_close_at=closes, draft={"seed": 1},
    )  # fmt: skip
    group.sessions = list(visits)
    db.add(group)
    db.commit()
    organiser.submit(
        f"/organiser/{demo.slug}/clone",
        {"slug": "spring-school-2020", "title_fr": "Spring School 2020", "starts_on": "2020-06-17"},
    )
    new = edition(db, "spring-school-2020")
    copy = fresh(db).scalar(sa.select(SessionGroup).where(SessionGroup.edition_id == new.id))
    assert (copy.key, copy.title_en, copy.mode) == ("visits", "Visits", "preference")
    assert sorted(s.key for s in copy.sessions) == ["d1-visit-explora", "d1-visit-spaces"]
    assert all(s.edition_id == new.id for s in copy.sessions)
    shift = new.starts_on - date(2019, 6, 19)
    assert copy.preferences_close_at.astimezone(UTC) == closes + timedelta(days=shift.days)
    assert (copy.draft, copy.published_at) == (None, None)
    assert new.privacy_notice_fr == "Vos données restent chez la coordination du réseau."


def test_a_clone_leaves_out_the_presentation_that_names_the_old_dates(organiser, demo, db):
    assert "19 to 21 June 2019" in edition(db, demo.slug).description_en
    page = organiser.page(f"/organiser/{demo.slug}/clone", lang="fr")
    assert "présentation (accroche et description)" in page
    organiser.submit(
        f"/organiser/{demo.slug}/clone",
        {"slug": "spring-school-2020", "title_fr": "Spring School 2020", "starts_on": "2020-06-17"},
    )
    new = edition(db, "spring-school-2020")
    assert (new.tagline_fr, new.tagline_en, new.description_fr, new.description_en) == (None,) * 4
    assert "2019" not in organiser.page("/spring-school-2020/")


def test_the_days_and_their_themes(organiser, demo, db):
    url = f"/organiser/{demo.slug}/days"
    page = organiser.page(url)
    assert "Cité des métiers du XXIème siècle" in page
    data = {
        "theme_fr-2019-06-19": "Journée des Cités",
        "theme_en-2019-06-19": "The Cités' day",
        "theme_en-2019-06-20": "English only",
    }
    html = organiser.submit(url, data).get_data(as_text=True)
    assert "missing" in html
    del data["theme_en-2019-06-20"]
    response = organiser.submit(url, data)
    assert response.status_code == 302
    changed = edition(db, demo.slug)
    assert [(d.date.isoformat(), d.theme_fr, d.theme_en) for d in changed.days] == [
        ("2019-06-19", "Journée des Cités", "The Cités' day")
    ]
    assert "The Cités&#39; day" in organiser.page(f"/{demo.slug}/programme")


@pytest.mark.parametrize(
    ("lang", "expected"),
    [
        ("en", ["Session cancelled", "Status: Scheduled → Cancelled",
                "City: Paris → Paris &lt;b&gt;Villette&lt;/b&gt;", "Registration changed",
                "Waiting list → Confirmed", "— → Confirmed", "E-mail: ada@example.org"]),
        ("fr", ["Session annulée", "Statut : Prévue → Annulée",
                "Ville : Paris → Paris &lt;b&gt;Villette&lt;/b&gt;", "Inscription modifiée",
                "Liste d&#39;attente → Confirmée", "— → Confirmée"]),
    ],
)  # fmt: skip
def test_the_audit_log_tells_each_change_in_words(app, organiser, demo, db, lang, expected):
    """Not the stored dict ("{'status': ['scheduled', 'cancelled']}"): field names as
    words, codes as their labels, ids as names, before → after; what people typed escaped."""
    slug = demo.slug
    explora = fresh(db).scalar(sa.select(Session).where(Session.key == "d1-visit-explora"))
    visit = db.scalar(sa.select(Session).where(Session.key == "d1-visit-spaces"))
    ada = make_registration(db, demo, email="ada@example.org")
    db.commit()
    # Real actions where the pages allow it in a line: a session cancelled, the city renamed.
    page = organiser.page(f"/organiser/{slug}/sessions/{explora.id}")
    token = re.search(r'name="action-csrf_token" type="hidden" value="([^"]+)"', page).group(1)
    organiser.client.post(
        f"/organiser/{slug}/sessions/{explora.id}/cancel", data={"action-csrf_token": token}
    )
    with app.test_request_context("/?lang=en"):
        current = fresh(db).get(Edition, demo.id)
        entry = {**editions.edition_entry(current), "city": "Paris <b>Villette</b>"}
        editions.update_edition(db, current, entry, actor="cli", now=utcnow(), translate=str)
        db.commit()
    # A registration changed by an organiser, as the service records it.
    audit.record(
        db, "cli", "registration.updated", f"registration:{ada.id}",
        {"email": ada.email, "before": {str(explora.id): "waitlisted"},
         "after": {str(explora.id): "confirmed", str(visit.id): "confirmed"}},
        edition=demo.id,
    )  # fmt: skip
    db.commit()

    organiser.lang = lang
    log = organiser.page(f"/organiser/{slug}/audit")
    text = re.sub(r"\s+", " ", re.sub(r"<[^>]+>", "", log))  # what a reader sees
    for words in expected:
        assert words in text, words
    assert "{&#39;" not in log and "[&#39;" not in log  # no Python dict nor list
    assert f"registration:{ada.id}" not in log and "Jelenčić" in log  # named, not numbered


@pytest.mark.parametrize(
    ("lang", "expected"),
    [
        ("en", ["Speaker: Ana &lt;b&gt;Bold&lt;/b&gt;", "Participant (own link): Ada Lovelace",
                "Command line (flask …)", "The application itself (mail worker, scheduled jobs)",
                "chef@example.org"]),
        ("fr", ["Intervenant·e : Ana &lt;b&gt;Bold&lt;/b&gt;",
                "Participant·e (son lien personnel) : Ada Lovelace", "Ligne de commande (flask …)",
                "L’application elle-même (envoi des e-mails, tâches programmées)",
                "chef@example.org"]),
    ],
)  # fmt: skip
def test_the_audit_log_says_who_acted_in_words(organiser, demo, db, lang, expected):
    """Not "speaker:5", "cli" or "system": the speaker's and the participant's names (as the
    organisers see them on other pages, escaped), the command line, the application."""
    speaker = db.scalar(sa.select(Person).where(Person.edition_id == demo.id))
    speaker.first_name, speaker.last_name = "Ana", "<b>Bold</b>"
    speakers.update_details(db, speaker, {"function_fr": "Chargée de mission"}, now=utcnow())
    ada = make_registration(db, demo, first_name="Ada", last_name="Lovelace")
    db.flush()
    chef = db.scalar(sa.select(Account.id).where(Account.email == "chef@example.org"))
    for actor in (f"participant:{ada.id}", "cli", None, f"organiser:{chef}"):
        audit.record(db, actor, "registration.updated", f"registration:{ada.id}", edition=demo.id)
    db.commit()

    organiser.lang = lang
    log = organiser.page(f"/organiser/{demo.slug}/audit")
    who = re.findall(r"</time></td>\s*<td>([^<]*)</td>", log)
    for words in expected:
        assert words in who, (words, who)
    assert not {"cli", "system", f"speaker:{speaker.id}", f"participant:{ada.id}"} & set(who)
