"""A meal is one thing: taken (``RegistrationMeal``), never a seat; its capacity caps the
people taking it, and every page, export and API counts them the same way (issue 20, 6)."""

from __future__ import annotations

import re
import uuid
from datetime import UTC, date, datetime

import pytest
import sqlalchemy as sa
from flask_babel import force_locale

from school.models import Choice, Edition, OutboxMessage, Registration, RegistrationMeal, Session
from school.services.badges import tokens
from school.services.checkin import attendance, scanning
from school.services.checkin import roster as rosters
from school.services.programme import editing
from school.services.programme.capacity import CapacityBelowMeals
from school.services.registration import cancelling, registrations
from school.services.registration.data import RegistrationData, data_of
from school.services.registration.rules import InvalidRegistration
from tests.support import registering
from tests.support.backoffice import Organiser, fresh, make_admin
from tests.support.factories import api_registration, make_registration
from tests.support.visitor import Visitor, answers

D1 = date(2019, 6, 19)
NOON = datetime(2019, 6, 19, 10, 30, tzinfo=UTC)


@pytest.fixture
def lunch(db, demo) -> Session:
    """The first day's buffet, for 150 people."""
    meal = db.scalar(sa.select(Session).where(Session.key == "d1-lunch"))
    meal.capacity = 150
    db.commit()
    return meal


def person(n: int = 0, **fields) -> RegistrationData:
    """A partner there on the first day."""
    return registering.person(n, **{"category": "partner", "days": [D1], **fields})


def fill(db, demo, meal: Session, count: int) -> None:
    """``count`` people taking ``meal``, written straight in."""
    edition = db.get(Edition, demo.id)
    for n in range(count):
        taker = make_registration(db, edition, email=f"fed{n}@example.org", days=[D1])
        db.add(RegistrationMeal(registration_id=taker.id, session_id=meal.id))
    db.commit()


def test_a_capped_meal_is_offered_once_among_the_meals_with_its_places_left(client, demo, lunch):
    html = Visitor(client).get(f"/{demo.slug}/register").get_data(as_text=True)
    assert len(re.findall(rf'value="{lunch.id}"', html)) == 1
    assert f'name="meals" value="{lunch.id}"' in html
    assert f'name="sessions" value="{lunch.id}"' not in html
    offered = html.split(f'name="meals" value="{lunch.id}"')[1].split("</label>")[0]
    assert "150 seats left" in offered
    programme = client.get(f"/{demo.slug}/programme?lang=en").get_data(as_text=True)
    card = programme.split("Buffet lunch")[1].split("</article>")[0]
    assert "150 seats left" in card and "Registration required" not in card


def test_taking_it_counts_one_on_every_page_export_and_the_api(app, client, db, demo, lunch):
    response = Visitor(client).submit(f"/{demo.slug}/register", answers(meals=[lunch.id]))
    assert response.status_code == 302
    taker = fresh(db).scalar(sa.select(Registration))
    assert [m.session_id for m in taker.meals] == [lunch.id]
    assert db.scalar(sa.select(sa.func.count()).select_from(Choice)) == 0

    programme = client.get(f"/api/v1/editions/{demo.slug}/programme").get_json()
    assert next(s for s in programme["sessions"] if s["id"] == lunch.id)["seats_left"] == 149
    form = Visitor(client).get(f"/{demo.slug}/register").get_data(as_text=True)
    assert (
        "149 seats left" in form.split(f'name="meals" value="{lunch.id}"')[1].split("</label>")[0]
    )

    make_admin(app, db)
    organiser = Organiser(client).login()
    dashboard = organiser.page(f"/organiser/{demo.slug}/")
    meals = dashboard.split('id="meals-title"')[1].split("</section>")[0]
    assert re.search(
        r'Buffet lunch \(Wed 19 Jun\)</td><td class="num">1</td>\s*<td class="num">150', meals
    )
    assert "Buffet lunch" not in dashboard.split('id="fill-title"')[1].split("</section>")[0]
    checkins = dashboard.split('id="checkin-title"')[1]
    assert re.search(r"<td>Buffet lunch</td>\s*<td[^>]*>1</td>", checkins)
    seats = organiser.page(f"/organiser/{demo.slug}/sessions/{lunch.id}")
    assert "1 person takes this meal." in seats
    catering = organiser.get(f"/organiser/{demo.slug}/exports/catering.csv").data.decode(
        "utf-8-sig"
    )
    assert re.search(r"Buffet lunch;2019-06-19;[^;]*;All;1", catering)
    sheet = organiser.page(f"/organiser/{demo.slug}/attendance/sessions/{lunch.id}")
    assert taker.last_name in sheet

    with app.app_context():
        edition = db.get(Edition, demo.id)
        seen = attendance.overview(db, edition).get(f"session:{lunch.id}")
        assert seen.expected == {taker.id} and seen.admission == "meal"
        roster = rosters.roster(db, edition)
    assert next(s for s in roster["sessions"] if s["id"] == lunch.id)["admission"] == "meal"
    assert next(p for p in roster["participants"] if p["id"] == taker.id)["meals"] == [lunch.id]


def test_at_the_meal_the_door_admits_those_taking_it(app, db, demo, lunch):
    edition = db.get(Edition, demo.id)
    taker = make_registration(db, edition, days=[D1])
    db.add(RegistrationMeal(registration_id=taker.id, session_id=lunch.id))
    other = make_registration(db, edition, days=[D1])
    db.commit()
    with app.app_context():
        verdicts = [
            scanning.scan(
                db, edition, token=tokens.token_for(r), client_id=str(uuid.uuid4()),
                session_id=lunch.id, scanned_at=NOON, now=NOON,
            ).verdict
            for r in (taker, other)
        ]  # fmt: skip
    assert verdicts == ["ok", "not_registered_for_session"]


def test_the_151st_is_refused_in_their_language_and_nothing_is_written(client, db, demo, lunch):
    fill(db, demo, lunch, 150)
    outbox = db.scalar(sa.select(sa.func.count()).select_from(OutboxMessage))
    response = client.post(
        f"/api/v1/editions/{demo.slug}/registrations",
        json=api_registration(days=["2019-06-19"], meals=[lunch.id]),
        headers={"Accept-Language": "fr"},
    )
    assert response.status_code == 422
    assert response.get_json()["errors"]["meals"] == [
        "Il ne reste aucune place pour « Buffet déjeuner »."
    ]
    db.rollback()
    assert db.scalar(sa.select(sa.func.count()).select_from(Registration)) == 150
    assert db.scalar(sa.select(sa.func.count()).select_from(RegistrationMeal)) == 150
    assert db.scalar(sa.select(sa.func.count()).select_from(OutboxMessage)) == outbox
    form = Visitor(client, lang="it").submit(f"/{demo.slug}/register", answers(meals=[lunch.id]))
    assert form.status_code == 200 and "Non resta alcun posto per «" in form.get_data(as_text=True)
    db.rollback()
    assert db.scalar(sa.select(sa.func.count()).select_from(Registration)) == 150


def test_a_meal_held_stays_when_full_and_changing_to_a_full_one_is_refused(app, db, demo, lunch):
    lunch.capacity = 1
    db.commit()
    with app.app_context(), force_locale("en"):
        edition = db.get(Edition, demo.id)
        first = registrations.register(db, edition, person(0, meals=[lunch.id]), now=NOON)
        db.commit()
        held = data_of(first.registration)
        held.dietary = "Végétarien"
        registrations.update(db, first.registration, held, now=NOON)  # keeps its meal
        db.commit()
        second = registrations.register(db, edition, person(1), now=NOON).registration
        db.commit()
        wanted = data_of(second)
        wanted.meals = [lunch.id]
        with pytest.raises(InvalidRegistration) as refused:
            registrations.update(db, second, wanted, now=NOON)
        db.rollback()
        assert refused.value.errors["meals"] == ["“Buffet lunch” is full: no place is left."]
        # The first one cancels, the second takes the place; the first is reinstated
        # without it (the meal is full again), and told which meals they have.
        cancelling_first = db.get(Registration, first.registration.id)
        cancelling.cancel(db, cancelling_first, now=NOON)
        registrations.update(db, db.get(Registration, second.id), wanted, now=NOON)
        db.commit()
        admin = make_admin(app, db)
        back = cancelling.reinstate(
            db, db.get(Registration, first.registration.id), now=NOON, actor=admin
        )
        db.commit()
        assert back.meals == [] and not back.is_cancelled


def test_a_meal_is_not_a_session_to_choose(app, db, demo, lunch):
    with app.app_context(), force_locale("en"), pytest.raises(InvalidRegistration) as refused:
        registrations.register(
            db, db.get(Edition, demo.id), person(0, sessions=[lunch.id]), now=NOON
        )
    assert refused.value.errors["sessions"] == [
        "“Buffet lunch” is a meal: tick it among the meals."
    ]


def test_its_capacity_cannot_go_below_those_taking_it(app, db, demo, lunch):
    fill(db, demo, lunch, 3)
    with app.app_context(), force_locale("en"):
        edition = db.get(Edition, demo.id)
        admin = make_admin(app, db)
        entry = editing.session_entry(edition, lunch)
        entry["capacity"] = 2
        with pytest.raises(CapacityBelowMeals) as refused:
            editing.save_session(
                db, edition, entry, session=lunch, actor=admin, now=NOON, move_excess=True
            )
        db.rollback()
        assert "3 people take this meal" in refused.value.message
        entry["capacity"], entry["meal"] = 200, False
        with pytest.raises(Exception) as switched:
            editing.save_session(db, edition, entry, session=lunch, actor=admin, now=NOON)
        db.rollback()
        assert getattr(switched.value, "code", None) == "meal_switch"
